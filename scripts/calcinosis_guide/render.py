"""Lay out the printed leaflet as a PDF with WeasyPrint.

The text comes from the hand-over that the book build writes (the
``{leaflet}`` passages of the pages, in reading order, with the book's
metadata and the translated labels: see ``calcinosis_guide.leaflet``); this
module only turns it into HTML with ``printed/leaflet.html`` and into PDF
with ``printed/leaflet.css``. It reads no other file and never goes online.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from calcinosis_guide import pdf_structure
from calcinosis_guide.clinic import FIELDS as CLINIC_FIELDS
from calcinosis_guide.clinic import clinic_in
from calcinosis_guide.outputs import HANDOVER_FORMAT, PAPERS, leaflet_filename

# The leaflet's template, stylesheet and fonts: the only files rendering may read.
LEAFLET_DIR = Path(__file__).resolve().parent / "printed"

STANDARD_PAGES = 2
LARGE_PRINT_MAX_PAGES = 4
TEMP_SUFFIX = ".leaflet-tmp"
# Marks this run's temporary files (batch workers inherit it), so an
# interrupted run removes only its own.
RUN_ID = os.environ.get("LEAFLET_RUN_ID") or str(os.getpid())


# The editions `make` builds and publishes with the book: (paper, large print).
DEFAULT_EDITIONS = tuple((paper, large) for large in (False, True) for paper in PAPERS)
# Each of them is published a second time as a fillable PDF form (the same
# pages, with the write-in lines as form fields).
FILLABLE_EDITIONS = DEFAULT_EDITIONS


@dataclass(frozen=True)
class FormField:
    """One field of the fillable edition.

    ``name`` is the PDF field's name (/T): it is what a program filling the
    form looks for, so it never changes once published. The label, from the
    hand-over's labels, is printed beside the field and is its accessible
    name (/TU).
    """

    name: str
    label: str
    kind: str = "text"  # text | notes (several lines) | tick (a check box)
    max_length: int | None = None


def _care_team_field(name: str, label: str) -> FormField:
    # The clinic file's own field names and limits: a clinic's details fill the same slots.
    return FormField(name, label, max_length=CLINIC_FIELDS[name].max_length)


CARE_TEAM_FORM = (
    _care_team_field("name", "team_name"),
    _care_team_field("department", "team_department"),
    _care_team_field("phone", "team_phone"),
    _care_team_field("hours", "team_hours"),
    _care_team_field("address", "team_address"),
    _care_team_field("email", "team_email"),
    _care_team_field("website", "team_website"),
    _care_team_field("urgent_help", "when_closed"),
)
# No field asks for a dose: doses belong to the prescription, not to a leaflet.
NEXT_VISIT_FORM = (
    FormField("next_appointment", "next_appointment", max_length=40),
    FormField("calcium", "calcium", max_length=16),
    FormField("phosphate", "phosphate", max_length=16),
    FormField("pth", "pth", max_length=16),
    FormField("results_date", "results_date", max_length=16),
    FormField("notes", "notes_from_team", "notes", max_length=400),
    FormField("agreed_dietitian", "agreed_dietitian", "tick"),
    FormField("agreed_fluid_limit", "agreed_fluid_limit", "tick"),
    FormField("agreed_medicines_list", "agreed_medicines_list", "tick"),
)
FORM_FIELDS = {field.name: field for field in CARE_TEAM_FORM + NEXT_VISIT_FORM}


class InputError(Exception):
    """Bad input from the user: reported on one line, exit code 2."""


def read_handover(path: Path) -> dict:
    """The passages and metadata the book build handed over, in a layout this renderer knows."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found; build the book first (make)") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read ({exc}); build the book again (make)") from None
    if not isinstance(content, dict) or content.get("format") != HANDOVER_FORMAT:
        found = content.get("format") if isinstance(content, dict) else None
        raise InputError(f"{path}: hand-over format {found!r}, this renderer reads {HANDOVER_FORMAT}; "
                         "build the book again (make)")
    return content


def inputs_key(content: dict) -> str:
    """A fingerprint of everything a generic leaflet is made from: the hand-over,
    the template, stylesheet and fonts, and this module. Equal keys, equal PDFs."""
    # Not the sources' fingerprint: a page edit outside the passages changes no leaflet.
    printed = {key: value for key, value in content.items() if key != "sources"}
    digest = hashlib.sha256(json.dumps(printed, sort_keys=True).encode("utf-8"))
    for path in sorted(p for p in LEAFLET_DIR.rglob("*") if p.is_file()) + [Path(__file__), Path(pdf_structure.__file__)]:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


WARM_UP_HTML = ('<html lang="en"><body><main><h2>Warm</h2>'
                '<p><strong>Warm</strong> <em>up</em>.</p></main></body></html>')


def _warm_up_weasyprint() -> None:
    """Import WeasyPrint, parse the stylesheet and lay out a line in the
    leaflet's fonts: a second or so that the first real leaflet would
    otherwise pay after the book is built."""
    import io

    import weasyprint

    fonts, stylesheet = leaflet_stylesheet()
    document = weasyprint.HTML(string=WARM_UP_HTML, base_url=str(LEAFLET_DIR) + "/",
                               url_fetcher=project_only_fetcher()).render(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1")
    document.write_pdf(io.BytesIO(), pdf_variant="pdf/ua-1")


def warm_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """Worker processes that warm WeasyPrint up now, while the caller does other work."""
    workers = workers or min(len(DEFAULT_EDITIONS), os.cpu_count() or 1)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_warm_up_weasyprint)
    for _ in range(workers):
        pool.submit(int)
    return pool


def published_editions() -> list[tuple[str, bool, bool]]:
    """(paper, large print, fillable) of every leaflet `make` builds and publishes with the book."""
    return ([(paper, large, False) for paper, large in DEFAULT_EDITIONS]
            + [(paper, large, True) for paper, large in FILLABLE_EDITIONS])


def render_default_editions(content: dict, folder: Path, pool: ProcessPoolExecutor) -> list[Path]:
    """The generic leaflets of every published edition, rendered in parallel into ``folder``."""
    language = content["language"]
    outputs = {edition: folder / leaflet_filename(language, *edition) for edition in published_editions()}
    jobs = [pool.submit(render_pdf, content, paper, large, None, output, fillable=fillable)
            for (paper, large, fillable), output in outputs.items()]
    for job in jobs:
        job.result()  # the first InputError (say, a leaflet too long) reaches the caller
    return list(outputs.values())


@functools.lru_cache(maxsize=4)
def qr_data_uri(url: str) -> str:
    import segno

    # Medium error correction survives a smudge; border=4 is the quiet zone the QR standard asks for.
    return segno.make(url, error="m").svg_data_uri(border=4, omitsize=True, dark="#000", light="#fff")


def short_address(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


# A UK postcode (SE1 7EH) or a US state and ZIP code (NY 10001): one unit a reader copies.
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9][A-Z]{2})\b|\b([A-Z]{2}) ([0-9]{5}(?:-[0-9]{4})?)\b")


def keep_postcode(address: str) -> str:
    """The address with a no-break space inside its postcode, so no line splits it."""
    return POSTCODE.sub(lambda m: "\u00a0".join(g for g in m.groups() if g), address)


def reading_order_for(passages: list[dict], large_print: bool) -> list[dict]:
    """Large print puts less text on a page, so the passages with the triage cards
    come first: every edition has its warning signs on page 1."""
    if not large_print:
        return passages

    def urgent(passage: dict) -> bool:
        return passage["box"] == "urgent" or 'class="triage ' in passage["html"]

    return [p for p in passages if urgent(p)] + [p for p in passages if not urgent(p)]


@functools.lru_cache(maxsize=1)
def leaflet_stylesheet():
    """The stylesheet, parsed once per process, and the font configuration its
    @font-face rules load into. A fresh pair for each leaflet cost a sixth of
    its time, and each font configuration stayed in memory (a batch grew by
    0.3 MiB a leaflet); shared, a worker's memory stays flat."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, CSS(filename=str(LEAFLET_DIR / "leaflet.css"), font_config=fonts,
                      url_fetcher=project_only_fetcher())


@functools.lru_cache(maxsize=1)
def template_environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(LEAFLET_DIR),
        autoescape=True,  # clinic text is always shown as text, never as markup
        undefined=jinja2.StrictUndefined,
    )
    env.filters["keep_postcode"] = keep_postcode
    return env


# A triage card that runs on over a page or column turn shows its level again
# at the top of the continuation ("Today (continued)"): a list item of this
# class, which leaflet.css styles like the card's heading and
# calcinosis_guide.pdf_structure makes a pagination artifact (the card reads
# once, whole, in the tagged structure).
CONTINUED_CLASS = "card-continued"
CONTINUED_ARTIFACT = "continued"


def label_continuations(passages: list[dict], continued: frozenset, label: str) -> list[dict]:
    """``passages`` with a "continued" line before each card item in ``continued``:
    (card, item) pairs, counting the cards in reading order and the items in each card from 0."""
    if not continued:
        return passages
    from bs4 import BeautifulSoup

    labelled, card_number = [], 0
    for passage in passages:
        if 'class="triage ' not in passage["html"]:
            labelled.append(passage)
            continue
        soup = BeautifulSoup(passage["html"], "html.parser")
        for card in soup.select(".triage"):
            level = card.select_one(".triage-heading").get_text(" ", strip=True)
            for item_number, item in enumerate(card.find_all("li")):
                if (card_number, item_number) in continued:
                    line = soup.new_tag("li", attrs={"class": CONTINUED_CLASS, "data-pdf-artifact": CONTINUED_ARTIFACT})
                    line.append(soup.new_tag("span"))
                    line.span.string = label.format(level=level)
                    item.insert_before(line)
            card_number += 1
        labelled.append({**passage, "html": str(soup)})
    return labelled


def card_continuations(document) -> tuple[frozenset, frozenset]:
    """Where the triage cards turn in ``document``: (starts, labelled). ``starts`` holds the
    (card, item) of each item that opens a continuation of its card, on a later page or in a
    later column (the first item of each fragment after the card's first); ``labelled``
    those of them with their "continued" line just before them, at the top of that fragment.
    Cards and items are counted as in ``label_continuations``."""
    cards: dict[int, int] = {}        # id(card element) -> its number in reading order
    fragments: dict[int, int] = {}    # id(card element) -> its fragments laid out so far
    starts, labelled = set(), set()

    def classes(element) -> list[str]:
        return (element.get("class") or "").split()

    def item_boxes(box):
        if box.element_tag == "li":
            yield box
            return
        for child in getattr(box, "children", ()):
            yield from item_boxes(child)

    def walk(box):
        element = box.element
        if box.element_tag == "div" and "triage" in classes(element):
            key = id(element)
            cards.setdefault(key, len(cards))
            fragments[key] = fragments.get(key, 0) + 1
            if fragments[key] > 1:
                boxes = list(item_boxes(box))
                own = [b for b in boxes if CONTINUED_CLASS not in classes(b.element)]
                if own:
                    items = [e for e in element.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "li"
                             and CONTINUED_CLASS not in classes(e)]
                    start = (cards[key], items.index(own[0].element))
                    starts.add(start)
                    if boxes[0] is not own[0] and len(boxes) > 1 and boxes[1] is own[0]:
                        labelled.add(start)
            return
        for child in getattr(box, "children", ()):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return frozenset(starts), frozenset(labelled)


def render_html(content: dict, paper: str, large_print: bool, clinic: dict | None, fillable: bool = False,
                link_stylesheet: bool = True, continued: frozenset = frozenset()) -> str:
    """The leaflet as HTML. Without ``link_stylesheet`` it leaves out the link to
    leaflet.css, for a renderer that brings the parsed stylesheet itself;
    ``continued`` names the card items to print a "continued" line before."""
    env = template_environment()
    labels = content["labels"]
    clinic = clinic_in(clinic, content["language"])
    before, _, rest = labels["page_of"].partition("{page}")
    middle, _, after = rest.partition("{pages}")
    if clinic and clinic.get("approval"):
        approval = clinic["approval"]
        approval_line = labels["approved_by"].format(
            who=approval["approved_by"], date=approval["date"], reference=approval["reference"])
    else:
        approval_line = labels["not_approved"]
    return env.get_template("leaflet.html").render(
        language=content["language"],
        book=content["book"],
        review=content["review"],
        labels=labels,
        passages=label_continuations(reading_order_for(content["passages"], large_print), continued,
                                     labels["continued"]),
        edition=content["review"]["last_reviewed"]["iso"],
        page_of=(before, middle, after),
        approval_line=approval_line,
        paper=paper,
        large_print=large_print,
        link_stylesheet=link_stylesheet,
        clinic=clinic,
        fillable=fillable,
        form=FORM_FIELDS,
        qr_uri=qr_data_uri(content["book"]["base_url"]),
        short_url=short_address(content["book"]["base_url"]),
    )


def project_only_fetcher():
    """A URL fetcher that reads only the leaflet's own files and data: URIs.

    Clinic logos arrive as data: URIs after they are checked, so nothing a
    clinic file says can make the renderer read another file or go online.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                from urllib.parse import unquote, urlparse

                parts = urlparse(url)
                path = Path(unquote(parts.path)).resolve()
                if parts.netloc not in ("", "localhost") or not path.is_relative_to(LEAFLET_DIR):
                    raise FatalURLFetchingError(f"refused to read {url}: outside {LEAFLET_DIR}")
            elif not url.startswith("data:"):
                raise FatalURLFetchingError(f"refused to fetch {url}: rendering never goes online")
            return super().fetch(url, headers)

    return ProjectOnlyFetcher()


@contextlib.contextmanager
def weasyprint_errors():
    """Collect the errors WeasyPrint logs while it lays out a document."""
    import logging

    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage().splitlines()[0])

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield errors
    finally:
        logger.removeHandler(handler)


def longest_passages(passages: list[dict], count: int = 3) -> str:
    def words(passage: dict) -> int:
        return len(re.sub(r"<[^>]+>", " ", passage["html"]).split())

    ranked = sorted(passages, key=words, reverse=True)[:count]
    return "longest: " + ", ".join(f'"{p["heading"]}" in {p["docname"]}.md ({words(p)} words)' for p in ranked)


def render_pdf(content: dict, paper: str, large_print: bool, clinic: dict | None, output: Path,
               fillable: bool = False) -> int:
    """Lay out one leaflet (``fillable``: as a PDF form) and write it atomically; return its page count."""
    import logging

    # Keep WeasyPrint's layout progress (it logs every step at INFO) off the console.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    with weasyprint_errors() as errors:
        document, html = lay_out(content, paper, large_print, clinic, fillable)
    if errors:
        # WeasyPrint only logs what it could not draw (a refused or broken
        # image) and carries on; a leaflet with a hole in it is not written.
        source = f"{clinic['source']}: " if clinic else ""
        raise InputError(f"{source}{output.name}: could not draw everything: {errors[0]}")
    pages = len(document.pages)
    limit = LARGE_PRINT_MAX_PAGES if large_print else STANDARD_PAGES
    if pages > limit:
        cause = (f"with the details in {clinic['source']} " if clinic else "")
        raise InputError(
            f"{output.name}: {cause}the leaflet runs to {pages} pages, {pages - limit} more than the "
            f"{limit} allowed; shorten the {{leaflet}} passages in docs/ ({longest_passages(content['passages'])})"
        )
    if not large_print and pages < STANDARD_PAGES:
        raise InputError(
            f"{output.name}: the leaflet fills only {pages} page; the standard edition is one "
            f"sheet printed on both sides ({STANDARD_PAGES} pages)"
        )
    def write(target):
        document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=stable_identifier(html),
                           pdf_forms=fillable)
        pdf_structure.repair(target, document)  # WeasyPrint's structure faults, fixed (see there)

    with edition_timestamp(content):
        write_atomically(output, write)
    return pages


@contextlib.contextmanager
def edition_timestamp(content: dict):
    """fontTools stamps each embedded font subset with SOURCE_DATE_EPOCH (or else
    "now"). While a leaflet is written that is its edition's date, whatever the
    environment says (a packager's own SOURCE_DATE_EPOCH too): the same inputs
    give the same bytes on every machine, and each language its own date."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = edition_epoch(content)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


# Each pass that adds or moves a "continued" line can move the turns after it.
LAYOUT_PASSES = 3


def lay_out(content: dict, paper: str, large_print: bool, clinic: dict | None, fillable: bool = False,
            stylesheets: tuple = ()):
    """The leaflet laid out by WeasyPrint: (document, its HTML). Where a triage card runs
    on over a turn, it is laid out again with the card's "continued" line at the top of
    the continuation; ``stylesheets`` (parsed CSS) come after leaflet.css."""
    import weasyprint

    fonts, stylesheet = leaflet_stylesheet()
    continued: frozenset = frozenset()
    for _ in range(LAYOUT_PASSES):
        html = render_html(content, paper, large_print, clinic, fillable, link_stylesheet=False, continued=continued)
        document = weasyprint.HTML(string=html, base_url=str(LEAFLET_DIR) + "/",
                                   url_fetcher=project_only_fetcher()).render(
            stylesheets=[stylesheet, *stylesheets], font_config=fonts, pdf_variant="pdf/ua-1",
            pdf_forms=fillable)
        starts, labelled = card_continuations(document)
        if starts == continued == labelled:
            return document, html
        continued = starts
    # Only a stylesheet that forces a turn between a "continued" line and its item gets here:
    # a leaflet that hides a card's level is not written.
    raise RuntimeError(f"a triage card's continued line stays apart from its continuation after "
                       f"{LAYOUT_PASSES} layouts ({paper}{', large print' if large_print else ''})")


def edition_epoch(content: dict) -> str:
    import datetime as dt

    edition = dt.date.fromisoformat(content["review"]["last_reviewed"]["iso"])
    return str(int(dt.datetime(edition.year, edition.month, edition.day, tzinfo=dt.timezone.utc).timestamp()))


def stable_identifier(html: str) -> bytes:
    """The PDF's ID: the same inputs give the same bytes (reproducible builds)."""
    import hashlib

    return hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")


def write_atomically(output: Path, write) -> None:
    """Write to a temporary file beside ``output`` and rename it into place.

    A reader, a crash or an interrupt never sees half a PDF, and an earlier
    good file stays until the new one is complete.
    """
    if output.is_dir():
        raise InputError(f"{output}: is a folder; --output must name a PDF file")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.{RUN_ID}.", suffix=TEMP_SUFFIX,
                                        dir=output.parent)
    except OSError as exc:
        raise InputError(f"{output.parent}: cannot write here ({exc.strerror})") from None
    os.close(fd)
    try:
        write(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, output)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


