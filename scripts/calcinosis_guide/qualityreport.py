"""``{readability-report}``: the readability table of this very build.

The rows are the ones the readability check judged in this build
(``calcinosis_guide.checks.readability``, kept in the environment once every
page is read), so the maintainers' quality report shows the figures the
check passed, and the same table ``make check`` prints.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from calcinosis_guide.checks.pages import collected, facts
from calcinosis_guide.checks.readability import rows_of, table_cells

REPORT = "readability-report"  # marks the pages that show the table


class readability_report(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every page has been read."""


class ReadabilityReportDirective(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        facts(self.env, self.env.docname)[REPORT] = True
        return [readability_report()]


def table(caption: str, header: list[str], body: list[list[str]]) -> nodes.table:
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
    result += nodes.title(caption, caption)
    result += group
    return result


def fill_reports(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(readability_report))
    if not placeholders:
        return
    header, body = table_cells(rows_of(app.env))
    for placeholder in placeholders:
        report = table("Readability of each page in this build", header, body)
        doctree.set_id(report)  # Sphinx's HTML writer wants an id on a table with a caption
        placeholder.replace_self(report)


def reread_reports(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                   removed: set[str]) -> list[str]:
    """A change to any page changes the table: write the report pages again too."""
    if not (added or changed or removed):
        return []
    return [docname for docname, _found in collected(env, REPORT, env.found_docs)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(readability_report)
    app.add_directive("readability-report", ReadabilityReportDirective)
    app.connect("env-get-outdated", reread_reports)
    app.connect("doctree-resolved", fill_reports)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
