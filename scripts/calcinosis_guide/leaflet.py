"""Mark passages of the MyST pages for the printed leaflet and collect them.

A page marks text for the leaflet like this::

    :::{leaflet} When to get help now
    :box: urgent
    Text shown on the web page as usual, and printed on the leaflet.
    :::

The passages are recorded in the build environment while pages are read
(the collector pattern of ``sphinx.ext.todo``), and when an HTML build
finishes they are written, in reading order, with the book's metadata and
the translated labels, to the hand-over file beside the HTML output folder:
``<outdir>/../leaflet-content/<language>.json`` (``outputs.HANDOVER_FORMAT`` says
which version of its layout it holds). ``calcinosis_guide.render`` turns
that file into PDFs, so the leaflet never holds text of its own and the
pages are parsed once for the book and the leaflet together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping, Sequence
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.locale import get_translation
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from calcinosis_guide.book import MESSAGE_CATALOG, format_date, leaflet_review_status
from calcinosis_guide.outputs import HANDOVER_FORMAT, leaflet_content_path, leaflet_filename, sources_fingerprint
from calcinosis_guide.triage import cards_for, get_help, triage_heading

_ = get_translation(MESSAGE_CATALOG)
logger = logging.getLogger(__name__)

BOXES = ("urgent",)


class leaflet_passage(nodes.General, nodes.Element, addnodes.translatable):
    """A passage that appears on the web page and on the printed leaflet.

    Its heading is printed only, yet translated like the page's text: it is
    one of the page's messages (``make gettext`` puts it in the page's catalog).
    """

    def preserve_original_messages(self) -> None:
        self["rawheading"] = self["heading"]

    def apply_translated_message(self, original_message: str, translated_message: str) -> None:
        if original_message == self.get("rawheading", self["heading"]):
            self["heading"] = translated_message

    def extract_original_messages(self) -> list[str]:
        return [self.get("rawheading", self["heading"])]


def visit_leaflet_passage(self, node: leaflet_passage) -> None:
    self.body.append(self.starttag(node, "div", CLASS="leaflet-passage"))


def depart_leaflet_passage(self, node: leaflet_passage) -> None:
    self.body.append("</div>\n")


class LeafletDirective(SphinxDirective):
    """``{leaflet} Heading on the leaflet``: wraps content meant for print."""

    has_content = True
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"box": lambda value: directives.choice(value, BOXES)}

    def run(self) -> list[nodes.Node]:
        heading = self.arguments[0].strip()
        if not self.content or not "".join(self.content).strip():
            raise self.error(f'leaflet passage "{heading}" is empty')
        node = leaflet_passage(heading=heading, box=self.options.get("box", ""))
        node.document = self.state.document
        self.set_source_info(node)
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def section_depth(node: nodes.Node | None) -> int:
    """How many sections hold ``node``: 1 directly under the page title."""
    depth = 0
    while node is not None:
        depth += isinstance(node, nodes.section)
        node = node.parent
    return depth


class KeyPointsDirective(SphinxDirective):
    """``{key-points}``: the short summary box that opens every page."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        if not self.content or not "".join(self.content).strip():
            raise self.error("key-points box is empty")
        box = nodes.admonition(classes=["key-points", "tip"])
        self.set_source_info(box)
        # A heading, not an admonition title (a <p>), so that moving by
        # headings reaches it; its level is set once the page is read.
        box += nodes.rubric(_("Key points"), _("Key points"), classes=["admonition-title", "key-points-heading"])
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class LeafletDownloadsRole(SphinxRole):
    """``{leaflet-downloads}`current```: links to the printable PDFs of the
    language the book is built in (or of the language code given instead);
    ``{leaflet-downloads}`current fillable```: to their fillable editions (to
    fill in on a computer)."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        language, _space, edition = self.text.strip().partition(" ")
        if language == "current":
            language = self.config.language or "en"
        if edition not in ("", "fillable"):
            msg = self.inliner.reporter.error(f'leaflet-downloads: unknown edition "{edition}" (use "fillable" or nothing)',
                                              line=self.lineno)
            return [], [msg]
        fillable = edition == "fillable"
        to_root = "../" * self.env.docname.count("/")
        # The fillable list follows words that say what it is for: its links can be short.
        labels = {
            ("a4", False): _("A4 (PDF)") if fillable else _("A4 leaflet (PDF)"),
            ("letter", False): _("US Letter (PDF)") if fillable else _("US Letter leaflet (PDF)"),
            ("a4", True): _("Large-print A4 (PDF)") if fillable else _("Large-print A4 leaflet (PDF)"),
            ("letter", True): _("Large-print US Letter (PDF)") if fillable else _("Large-print US Letter leaflet (PDF)"),
        }
        result: list[nodes.Node] = []
        for (paper, large), label in labels.items():
            if large and not self.config.leaflet_link_large_print:
                continue
            if result:
                result.append(nodes.Text(" · "))
            uri = f"{to_root}leaflet/{leaflet_filename(language, paper, large, fillable)}"
            result.append(nodes.reference("", label, refuri=uri, internal=False))
        return result, []


def level_key_points_headings(app: Sphinx, doctree: nodes.document) -> None:
    """Each "Key points" heading one level below the section that holds its box."""
    for heading in doctree.findall(nodes.rubric):
        if "key-points-heading" in heading["classes"]:
            heading["heading-level"] = min(6, 1 + section_depth(heading))


def collect_passages(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not hasattr(env, "leaflet_passages"):
        env.leaflet_passages = {}
    passages = [
        {"heading": node["heading"], "box": node["box"], "node": node.deepcopy()}
        for node in doctree.findall(leaflet_passage)
    ]
    if passages:
        env.leaflet_passages[env.docname] = passages


def purge_passages(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "leaflet_passages", {}).pop(docname, None)


def merge_passages(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    if not hasattr(env, "leaflet_passages"):
        env.leaflet_passages = {}
    for docname, passages in getattr(other, "leaflet_passages", {}).items():
        if docname in docnames:
            env.leaflet_passages[docname] = passages


def reading_order(toctree_includes: Mapping[str, Sequence[str]], root: str) -> list[str]:
    """Documents in the order a reader meets them through the toctrees from ``root``."""
    order: list[str] = []

    def walk(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in toctree_includes.get(docname, []):
            walk(child)

    walk(root)
    return order


def as_print_text(node: nodes.Element, env: BuildEnvironment) -> nodes.Element:
    """A copy fit for paper: triage cards filled in, citation marks dropped, links
    turned into plain text."""
    node = node.deepcopy()
    for placeholder in list(node.findall(get_help)):
        placeholder.replace_self(cards_for(env, placeholder))
    for heading in node.findall(triage_heading):
        heading["heading_level"] = 3  # under the passage's <h2>
    for xref in list(node.findall(addnodes.pending_xref)):
        parent = xref.parent
        if xref.get("refdomain") == "cite":
            index = parent.index(xref)
            if index > 0 and isinstance(parent[index - 1], nodes.Text):
                parent[index - 1] = nodes.Text(parent[index - 1].astext().rstrip())
            parent.remove(xref)
        else:
            parent.replace(xref, nodes.Text(xref.astext()))
    # Plain text rather than <span>s: WeasyPrint sometimes breaks a line too
    # early before an inline box.
    for ref in list(node.findall(nodes.reference)):
        ref.parent.replace(ref, nodes.Text(ref.astext()))
    return node


@dataclass
class PrintedPassage:
    """One passage of the leaflet as it is printed, and where its page has it."""

    docname: str
    heading: str
    box: bool
    line: int | None
    node: nodes.Element


def print_passages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Work out the leaflet as printed, once all pages are read (env-updated).

    The content checks (readability, safety) judge this list and the hand-over
    is rendered from it, so what is checked is what is printed. Whatever page
    a passage comes from, patients read it: maintainer pages are not left out.
    """
    stored = getattr(env, "leaflet_passages", {})
    env.leaflet_printed = [
        PrintedPassage(docname, passage["heading"], passage["box"], passage["node"].line,
                       as_print_text(passage["node"], env))
        for docname in reading_order(env.toctree_includes, env.config.root_doc)
        for passage in stored.get(docname, [])
    ]
    return []


def printed_leaflet(env: BuildEnvironment) -> list[PrintedPassage]:
    return getattr(env, "leaflet_printed", [])


def write_leaflet_content(app: Sphinx, exception: Exception | None) -> None:
    if exception or app.builder.format != "html":
        return
    env = app.env
    language = app.config.language or "en"
    passages = [
        {"docname": passage.docname, "heading": passage.heading, "box": passage.box,
         "html": app.builder.render_partial(nodes.container("", *passage.node.children))["fragment"]}
        for passage in printed_leaflet(env)
    ]
    if not passages:
        logger.warning("no {leaflet} passages found: the leaflet would be empty", type="leaflet")
    metadata = app.config.book_metadata
    content = {
        "format": HANDOVER_FORMAT,
        "sources": sources_fingerprint(app.srcdir),
        "language": language,
        # Title, subtitle and publisher are printed words too: translate them like the labels.
        "book": {key: _(value) if key in ("title", "subtitle", "publisher") else value
                 for key, value in metadata["book"].items()},
        "review": {
            **{key: {"iso": metadata["review"][key].isoformat(),
                     "text": format_date(metadata["review"][key], language)}
               for key in ("last_reviewed", "next_review")},
            "clinical": leaflet_review_status(metadata, language),
        },
        "labels": leaflet_labels(),
        "passages": passages,
    }
    # Beside the output folder: calcinosis_guide.build builds into a staging
    # folder, so a failed build leaves the last good hand-over in place.
    target = leaflet_content_path(Path(app.outdir).parent, language)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(target)


def leaflet_labels() -> dict[str, str]:
    """Every fixed string printed on the leaflet, in the build's language."""
    return {
        "last_reviewed": _("Checked against sources"),
        "next_review": _("Next check due"),
        "page_of": _("Page {page} of {pages}"),
        "full_book": _("The full guide online, with sources:"),
        "qr_alt": _("QR code that opens the online guide"),
        "publisher": _("Published by"),
        "licence": _("Licence"),
        "edition": _("Edition"),
        "large_print": _("Large print"),
        "your_care_team": _("Your care team"),
        "team_name": _("Name"),
        "team_phone": _("Phone"),
        "team_hours": _("Opening hours"),
        # A clinic's own out-of-hours line goes after this label: it adds to the
        # triage scale on the leaflet, whose Emergency card always stays.
        "when_closed": _("When the team is closed"),
        "for_next_visit": _("For your next visit"),
        "next_appointment": _("Next appointment"),
        "questions_to_ask": _("Questions to ask"),
        # The fillable edition's form fields (calcinosis_guide.render.FORM_FIELDS):
        # each label is also the field's accessible name. No field asks for a dose.
        "team_department": _("Department"),
        "team_address": _("Address"),
        "team_email": _("Email"),
        "team_website": _("Website"),
        "latest_results": _("Your latest results"),
        "calcium": _("Calcium"),
        "phosphate": _("Phosphate"),
        "pth": _("PTH"),
        "results_date": _("Date of these results"),
        # The results boxes give no range: what a number means is the team's to say.
        "results_meaning": _("Ask your team what these numbers mean for you."),
        "notes_from_team": _("Notes from your care team"),
        "agreed": _("What we agreed"),
        "agreed_dietitian": _("See the renal dietitian"),
        "agreed_fluid_limit": _("Keep to your fluid limit"),
        "agreed_medicines_list": _("Bring your medicines list"),
        "see_when_to_get_help": _("Signs that need help fast are under \u201cWhen to get help now\u201d."),
        "not_approved": _("This leaflet has not been approved for local use."),
        "approved_by": _("Approved for local use by {who} on {date} (ref. {reference})."),
        # Printed at the top of a page or column where a triage card runs on from the last
        # one, so its level is never out of sight; {level} is the card's heading ("Today").
        "continued": _("{level} (continued)"),
    }


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("calcinosis_guide.book")  # book_metadata and the labels' catalog
    app.add_config_value("leaflet_link_large_print", False, "env", types=[bool])
    transparent = (lambda self, node: None, lambda self, node: None)
    app.add_node(
        leaflet_passage,
        html=(visit_leaflet_passage, depart_leaflet_passage),
        latex=transparent, text=transparent, man=transparent, texinfo=transparent,
    )
    app.add_directive("leaflet", LeafletDirective)
    app.add_directive("key-points", KeyPointsDirective)
    app.add_role("leaflet-downloads", LeafletDownloadsRole())
    app.connect("doctree-read", level_key_points_headings)
    app.connect("doctree-read", collect_passages)
    app.connect("env-purge-doc", purge_passages)
    app.connect("env-merge-info", merge_passages)
    # Before the checks that read the printed leaflet (priority 500, the default).
    app.connect("env-updated", print_passages, priority=400)
    app.connect("build-finished", write_leaflet_content)
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
