"""Page structure that reads well on a phone and in a screen reader.

Tables, which a phone shows as cards and a screen reader still reads as tables:

- Every body cell carries the name of its column (``data-label``), so that
  on a narrow screen ``book.css`` shows each row as a card that repeats the
  column names, with nothing to scroll sideways. The order of the columns is
  the page's own: a page puts what matters most (a medicine's "Things to
  know") second, right after the name of the row, so reading order and
  visual order stay the same. A page's ``:widths:`` are kept (MyST would
  drop them), so a table of five columns can share the width as it needs.
- No ARIA roles on the table's parts: the Nu Html Checker rejects them
  inside a table, and Chromium keeps the table in its accessibility tree
  when CSS lays it out as blocks (tests/web check that at 320 px).
- The theme puts each table in a scroll box that its script makes a tab stop
  with no name; the tables fit, so the box goes.

Captions are the pages' own (``:::{table} Caption``), required by the
``captions`` check (``calcinosis_guide.checks.captions``).

And no empty boxes: a ``:hidden:`` toctree leaves an empty wrapper where it
stood, which is dropped.
"""

from __future__ import annotations

import types
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx

from calcinosis_guide.theme import _changed

# What pydata-sphinx-theme's translator writes around every table.
THEME_TABLE_BOX = ('<div class="pst-scrollable-table-container">', "</div>\n")


def column_label(entry: nodes.entry) -> str | None:
    """The header text of a body cell's column; None outside a table body or without a header."""
    row = entry.parent
    if not isinstance(row.parent, nodes.tbody):
        return None
    head = next((part for part in row.parent.parent.children if isinstance(part, nodes.thead)), None)
    if head is None or not head.children:
        return None
    column = sum(1 + cell.get("morecols", 0) for cell in row.children[:row.index(entry)])
    for cell in head.children[0].children:
        if column <= 0:
            return cell.astext().strip() or None
        column -= 1 + cell.get("morecols", 0)
    return None


class CardTableTranslatorMixin:
    """Column names on the body cells; no scroll box around the table."""

    def starttag(self, node: nodes.Node, tagname: str, suffix: str = "\n", empty: bool = False,
                 **attributes: Any) -> str:
        if isinstance(node, nodes.entry) and (label := column_label(node)):
            attributes["data-label"] = label
        return super().starttag(node, tagname, suffix, empty, **attributes)

    def visit_table(self, node: nodes.table) -> None:
        # MyST marks every table "colwidths-auto", which makes docutils drop the
        # column widths a page gives with :widths:.
        if "colwidths-given" in node["classes"] and "colwidths-auto" in node["classes"]:
            node["classes"].remove("colwidths-auto")
        start = len(self.body)
        super().visit_table(node)
        if self.body[start] != THEME_TABLE_BOX[0]:
            raise _changed(f"a table does not start with the theme's scroll box: {''.join(self.body[start:])[:200]}")
        del self.body[start]

    def depart_table(self, node: nodes.table) -> None:
        super().depart_table(node)
        if self.body[-1] != THEME_TABLE_BOX[1]:
            raise _changed(f"a table does not end with the theme's scroll box: {self.body[-1][:200]}")
        self.body.pop()


def add_card_tables(app: Sphinx) -> None:
    """Put the mixin in front of the HTML translator the theme has just set up."""
    if app.builder.format != "html":
        return
    current = app.builder.get_translator_class()
    if issubclass(current, CardTableTranslatorMixin):
        return
    app.set_translator(app.builder.name, types.new_class("CardTableTranslator", (CardTableTranslatorMixin, current)),
                       override=True)


def drop_empty_toctree_wrappers(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    # The page's copy only: the contents in the sidebar come from the stored
    # doctree, and a hidden toctree shows nothing here.
    for wrapper in list(doctree.findall(nodes.compound)):
        if "toctree-wrapper" in wrapper["classes"] and all(
                isinstance(child, addnodes.toctree) and child.get("hidden") for child in wrapper.children):
            wrapper.parent.remove(wrapper)


def setup(app: Sphinx) -> dict[str, Any]:
    # After pydata-sphinx-theme wraps the translator (builder-inited, priority 500).
    app.connect("builder-inited", add_card_tables, priority=900)
    app.connect("doctree-resolved", drop_empty_toctree_wrappers)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
