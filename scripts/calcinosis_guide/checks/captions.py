"""captions: every table, on every page, has a caption, so that a screen
reader's list of tables names each one and a phone shows what the cards of
its rows are about. Checked as each page is read."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from calcinosis_guide.checks.pages import line_of, reader_text, warn

CHECK = "captions"


def check_page(app: Sphinx, doctree: nodes.document) -> None:
    for table in doctree.findall(nodes.table):
        title = next((child for child in table.children if isinstance(child, nodes.title)), None)
        if title is None or not reader_text(title).strip():
            heading = next(table.findall(nodes.entry), None)
            first = f', starting "{reader_text(heading)[:60]}"' if heading is not None else ""
            warn(CHECK, f"table without a caption{first}: write it as :::{{table}} Caption, the table, then :::",
                 (app.env.docname, line_of(table)))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", check_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
