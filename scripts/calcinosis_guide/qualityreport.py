"""``{readability-report}``: the readability table of this very build.

The numbers come from ``scripts/check_content.py`` (the same code that
``make check`` runs), computed from the doctrees Sphinx has just read, so
the maintainers' quality report can never show stale figures.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective



class readability_report(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every page has been read."""


class ReadabilityReportDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [readability_report()]


def table(header: list[str], body: list[list[str]]) -> nodes.table:
    group = nodes.tgroup(cols=len(header))
    group += [nodes.colspec(colwidth=1) for _ in header]
    head, rows = nodes.thead(), nodes.tbody()
    for target, cells_list in ((head, [header]), (rows, body)):
        for cells in cells_list:
            row = nodes.row()
            for cell in cells:
                entry = nodes.entry()
                entry += nodes.paragraph(text=cell)
                row += entry
            target += row
    group += head
    group += rows
    result = nodes.table(classes=["readability-report"])
    result += group
    return result


def fill_reports(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(readability_report))
    if not placeholders:
        return
    from calcinosis_guide.content_checks import readability_rows, table_data
    from calcinosis_guide.leaflet import reading_order

    env = app.env
    doctrees = {name: env.get_doctree(name) for name in env.found_docs}
    order = reading_order(env.toctree_includes, env.config.root_doc)
    header, body = table_data(readability_rows(doctrees, order=order))
    for placeholder in placeholders:
        placeholder.replace_self(table(header, body))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(readability_report)
    app.add_directive("readability-report", ReadabilityReportDirective)
    app.connect("doctree-resolved", fill_reports)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": False}
