"""lists: lists of at most 7 items and tables of at most 7 body rows on the
patient pages; the glossary is exempt. Checked as each page is read."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from calcinosis_guide.checks.pages import is_patient_page, line_of, reader_text, warn

CHECK = "lists"

# Target C5 in docs/maintainers/standards.md (CDC Clear Communication Index
# item 8: lists of seven items or fewer). Tables are held to the same limit.
MAX_LIST_ITEMS = 7

LISTS = (nodes.bullet_list, nodes.enumerated_list, nodes.definition_list)


def check_page(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if not is_patient_page(app.config, docname):
        return
    for lst in doctree.findall(lambda n: isinstance(n, LISTS)):
        if isinstance(lst.parent, addnodes.glossary):
            continue
        items = [c for c in lst.children if isinstance(c, (nodes.list_item, nodes.definition_list_item))]
        if len(items) > MAX_LIST_ITEMS:
            warn(CHECK, f'list of {len(items)} items (limit {MAX_LIST_ITEMS}), starting "{reader_text(items[0])[:60]}"',
                 (docname, line_of(lst) or line_of(items[0])))
    for table in doctree.findall(nodes.table):
        rows = [r for body in table.findall(nodes.tbody) for r in body.children if isinstance(r, nodes.row)]
        if len(rows) > MAX_LIST_ITEMS:
            warn(CHECK, f'table of {len(rows)} rows (limit {MAX_LIST_ITEMS}), starting "{reader_text(rows[0])[:60]}"',
                 (docname, line_of(table)))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", check_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
