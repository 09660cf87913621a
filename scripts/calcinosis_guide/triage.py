"""One triage scale for every "get help" instruction: Emergency, Today, Soon.

A page defines warning signs in a card of one level::

    :::{triage} emergency
    - {sign}`limb-sudden` A finger or toe suddenly turns cold, pale or black.
    :::

and any other place shows the cards of signs defined elsewhere::

    :::{get-help} limb-sudden confusion-drowsy
    :::

The card prints the level's name as a heading and the level's action (who
to call, how fast), so the urgency is worded in this module only. The
checks that keep the scale single are part of the build: a sign defined
twice (with two levels, or even one) and urgency wording ("call 999", "the
same day", "urgent care" ...) outside a card are warnings with file and
line, which the strict build turns into failures. Each warning has type
``calcinosis`` and subtype ``triage``, so ``suppress_warnings`` can silence
it.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.locale import get_translation
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from calcinosis_guide.book import MESSAGE_CATALOG

_ = get_translation(MESSAGE_CATALOG)
logger = logging.getLogger(__name__)

LEVELS = ("emergency", "today", "soon")
# The name its failures carry in make check (type "calcinosis", like the checks in checks/).
CHECK = "triage"


def level_name(level: str) -> str:
    return {"emergency": _("Emergency"), "today": _("Today"), "soon": _("Soon")}[level]


def level_action(level: str) -> str:
    """What to do at this level: the one place the urgency is worded."""
    return {
        "emergency": _("Call 999 (UK), 911 (US) or 112 (EU) now if you have any of these:"),
        # For the infection signs the sources say "now" (ref61) and "right away"
        # (refs 117, 119), so "the same day" must not read as "this evening" or
        # "tomorrow". Calciphylaxis is on this level by the project's choice: no
        # source seen gives it a time (facts F3.19 is unverified).
        "today": _("Contact your kidney or dialysis team, or your GP, the same day, as soon as you notice "
                   "any of these. Do not wait until tomorrow. If they are closed, use urgent care "
                   "(for example NHS 111)."),
        "soon": _("Tell your care team at your next contact, or within a few days, if you have any of these:"),
    }[level]


# Words that set an urgency. Outside a card they would be a second, retyped scale.
URGENCY_WORDING = re.compile(
    r"\b(?:999|911|112|emergenc(?:y|ies)|the same day|same-day|urgent care|urgently|promptly)\b", re.I)


class triage_card(nodes.General, nodes.Element):
    """A card of one level: heading, action, then the signs."""


class triage_heading(nodes.General, nodes.TextElement):
    """The level's name, written as a heading one below the surrounding section."""


class triage_sign(nodes.Inline, nodes.Element):
    """Marks the list item that defines a sign; renders as nothing."""


class get_help(nodes.General, nodes.Element):
    """Placeholder for the cards of signs defined elsewhere."""


def make_card(level: str, items: list[nodes.Node]) -> triage_card:
    card = triage_card(level=level, classes=["triage", f"triage-{level}"])
    card += triage_heading(level_name(level), level_name(level))
    card += nodes.paragraph(level_action(level), level_action(level), classes=["triage-action"])
    signs = nodes.bullet_list(classes=["triage-signs"])
    signs.extend(items)
    card += signs
    return card


class SignRole(SphinxRole):
    """``{sign}`id```: the list item it starts defines the warning sign ``id``."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        sign = self.text.strip()
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", sign):
            msg = self.inliner.reporter.error(
                f"sign id {sign!r} must be lowercase words joined by hyphens", line=self.lineno)
            return [], [msg]
        node = triage_sign(sign=sign)
        self.set_source_info(node)
        return [node], []


class TriageDirective(SphinxDirective):
    """``{triage} LEVEL``: a card whose list items each define one sign."""

    has_content = True
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        level = self.arguments[0].strip().lower()
        if level not in LEVELS:
            raise self.error(f"triage level {level!r} is not one of {', '.join(LEVELS)}")
        holder = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, holder)
        lists = [child for child in holder.children if isinstance(child, nodes.bullet_list)]
        if len(lists) != 1 or len(holder.children) != 1:
            raise self.error(f"a {{triage}} card holds one bulleted list of signs, "
                             f"each item starting with {{sign}}`id`")
        items = list(lists[0].children)
        for item in items:
            first = item.next_node(triage_sign)
            if first is None:
                raise self.error(f'item "{item.astext()[:50]}" of a {{triage}} card does not start '
                                 f"with {{sign}}`id`")
            following = first.parent.index(first) + 1
            if following < len(first.parent) and isinstance(first.parent[following], nodes.Text):
                first.parent[following] = nodes.Text(first.parent[following].astext().lstrip())
            item["ids"].append(f"sign-{first['sign']}")
            item["sign"] = first["sign"]
        card = make_card(level, items)
        self.set_source_info(card)
        return [card]


class GetHelpDirective(SphinxDirective):
    """``{get-help} ID [ID ...]``: the cards of signs defined elsewhere, by level."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        node = get_help(signs=self.arguments[0].replace(",", " ").split())
        self.set_source_info(node)
        return [node]


def definitions(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    if not hasattr(env, "triage_signs"):
        env.triage_signs = {}
    return env.triage_signs


def collect_signs(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    store = definitions(env)
    for card in doctree.findall(triage_card):
        for item in card.findall(nodes.list_item):
            if "sign" not in item:
                continue
            store.setdefault(item["sign"], []).append({
                "docname": env.docname, "line": card.line, "level": card["level"],
                "item": item.deepcopy(),
            })
    check_wording(app, doctree)


def purge_signs(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    for sign, found in list(definitions(env).items()):
        kept = [d for d in found if d["docname"] != docname]
        if kept:
            env.triage_signs[sign] = kept
        else:
            del env.triage_signs[sign]


def merge_signs(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    store = definitions(env)
    for sign, found in getattr(other, "triage_signs", {}).items():
        store.setdefault(sign, []).extend(d for d in found if d["docname"] in docnames)


def check_single_definitions(app: Sphinx, env: BuildEnvironment) -> None:
    """Each sign has one definition, so one level, in the whole book."""
    for sign, found in sorted(definitions(env).items()):
        first, *others = sorted(found, key=lambda d: (d["docname"], d["line"] or 0))
        for other in others:
            where = f"{env.doc2path(first['docname'], False)}:{first['line']}"
            if other["level"] != first["level"]:
                message = (f'sign "{sign}" is given level {level_name(other["level"])} here, but '
                           f'{level_name(first["level"])} at {where}: a sign has one level everywhere')
            else:
                message = (f'sign "{sign}" is defined again (first at {where}); '
                           f"show it with {{get-help}} {sign}")
            logger.warning(message, location=(other["docname"], other["line"]),
                           type="calcinosis", subtype=CHECK)


def exempt(app: Sphinx, docname: str) -> bool:
    return any(fnmatch.fnmatch(docname, pattern) for pattern in app.config.calcinosis_triage_exempt_pages)


def check_wording(app: Sphinx, doctree: nodes.document) -> None:
    """Urgency words belong in a card; anywhere else they make a second scale."""
    docname = app.env.docname
    if exempt(app, docname):
        return
    for text in doctree.findall(nodes.Text):
        if _inside(text, (triage_card, nodes.citation, nodes.comment, nodes.literal_block, nodes.raw)):
            continue
        match = URGENCY_WORDING.search(str(text))
        if match:
            logger.warning(
                f'urgency wording "{match.group(0)}" outside a triage card: put the sign in a '
                f"{{triage}} card, or show its card with {{get-help}}",
                location=_located(text), type="calcinosis", subtype=CHECK)


def _inside(node: nodes.Node, kinds: tuple[type, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds) or "bibliography" in getattr(parent, "get", lambda *_: ())("classes", ()):
            return True
        parent = parent.parent
    return False


def _located(node: nodes.Node) -> nodes.Node:
    while node is not None and not getattr(node, "line", None):
        node = node.parent
    return node


def cards_for(env: BuildEnvironment, placeholder: get_help) -> list[nodes.Node]:
    """The cards a ``{get-help}`` shows, in the order Emergency, Today, Soon."""
    store = definitions(env)
    by_level: dict[str, list[nodes.Node]] = {}
    for sign in placeholder["signs"]:
        if sign not in store:
            logger.warning(f'{{get-help}} names sign "{sign}", which no {{triage}} card defines',
                           location=placeholder, type="calcinosis", subtype=CHECK)
            continue
        definition = store[sign][0]
        item = definition["item"].deepcopy()
        for copied in item.findall(nodes.Element):
            copied["ids"] = []  # the ids (the sign's, its citations') stay with the definition
        by_level.setdefault(definition["level"], []).append(item)
    return [make_card(level, by_level[level]) for level in LEVELS if level in by_level]


class ResolveGetHelp(SphinxPostTransform):
    """Fill ``{get-help}`` before references resolve, so the copied citations resolve too."""

    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        for placeholder in list(self.document.findall(get_help)):
            placeholder.replace_self(cards_for(self.env, placeholder))


def visit_triage_card(self, node: triage_card) -> None:
    self.body.append(self.starttag(node, "div"))


def depart_triage_card(self, node: triage_card) -> None:
    self.body.append("</div>\n")


def heading_level(self, node: triage_heading) -> int:
    return node.get("heading_level") or min(6, self.section_level + 1)


def visit_triage_heading(self, node: triage_heading) -> None:
    self.body.append(self.starttag(node, f"h{heading_level(self, node)}", "", CLASS="triage-heading"))


def depart_triage_heading(self, node: triage_heading) -> None:
    self.body.append(f"</h{heading_level(self, node)}>\n")


def skip(self, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("calcinosis_triage_exempt_pages", ["maintainers/*", "references", "404"], "env",
                         types=[list])
    app.add_node(triage_card, html=(visit_triage_card, depart_triage_card))
    app.add_node(triage_heading, html=(visit_triage_heading, depart_triage_heading))
    app.add_node(triage_sign, html=(skip, None))
    app.add_role("sign", SignRole())
    app.add_directive("triage", TriageDirective)
    app.add_directive("get-help", GetHelpDirective)
    app.add_post_transform(ResolveGetHelp)
    app.connect("doctree-read", collect_signs)
    app.connect("env-purge-doc", purge_signs)
    app.connect("env-merge-info", merge_signs)
    app.connect("env-check-consistency", check_single_definitions)
    return {"version": "1.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
