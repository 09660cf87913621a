"""A layout a clinic would hand out: where the text turns a page or a column (standards L1, L6).

Measured from each PDF (tests/page_breaks.py: the tagged structure says what
each glyph belongs to, pdfplumber where it is drawn), for every edition: A4
and Letter, standard and large print, fillable, the example clinic's and a
clinic's at the longest allowed values. The second half shows that each check
fails on a leaflet broken on purpose: the same content laid out with a CSS
override that forces the bad break.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from leaflet_editions import EXAMPLE_CLINIC, Edition
from page_breaks import MM, Layout

NAMES = ["a4", "letter", "a4-large-print", "letter-large-print",
         "a4-fillable", "letter-fillable", "a4-large-print-fillable", "letter-large-print-fillable",
         *(f"{clinic}-{paper}{large}" for clinic in ("clinic", "longest")
           for paper in ("a4", "letter") for large in ("", "-large-print"))]
# The page's bottom margin (leaflet.css), where the running footer sits: its text is not the body's.
FOOTER_HEIGHT = {False: 31 * MM, True: 60 * MM}
TOP_MARGIN = 12 * MM
_layouts: dict[Path, Layout] = {}


def layout_of(edition: Edition) -> Layout:
    if edition.pdf not in _layouts:
        _layouts[edition.pdf] = Layout(edition.pdf, FOOTER_HEIGHT[edition.large_print])
    return _layouts[edition.pdf]


@pytest.fixture(scope="module")
def labels(book) -> dict[str, str]:
    return json.loads((book / "leaflet-content" / "en.json").read_text(encoding="utf-8"))["labels"]


@pytest.mark.parametrize("name", NAMES)
def test_no_paragraph_is_broken_mid_sentence(handout, name):
    layout = layout_of(handout[name])
    assert layout.turns, "no page turn found: the measurement is not reading this PDF"
    assert layout.mid_sentence_breaks() == []


@pytest.mark.parametrize("name", NAMES)
def test_no_list_leaves_one_item_alone_or_splits_an_item(handout, name):
    assert layout_of(handout[name]).list_splits() == []


@pytest.mark.parametrize("name", NAMES)
def test_every_heading_has_two_lines_of_text_after_it_in_its_page_or_column(handout, name):
    assert layout_of(handout[name]).stranded_headings() == []


@pytest.mark.parametrize("name", NAMES)
def test_web_addresses_and_postcodes_stay_on_one_line(handout, name):
    edition = handout[name]
    addresses = edition.addresses()
    assert len(addresses) == (1 if edition.clinic is None else 4), addresses
    assert layout_of(edition).broken_addresses(addresses) == []


@pytest.mark.parametrize("name", NAMES)
def test_a_triage_card_that_runs_on_shows_its_level_at_the_top_of_the_continuation(handout, labels, name):
    assert layout_of(handout[name]).unlabelled_continuations(labels["continued"]) == []


def urgent_lines(layout: Layout) -> list:
    """The lines of the passage that holds the triage cards (its cards and the line after them)."""
    card_lines = [line for line in layout.lines if layout.card_of(line) is not None]
    passage = card_lines[0].nearest("/Sect")
    return [line for line in layout.lines if line.nearest("/Sect") == passage]


@pytest.mark.parametrize("name", NAMES)
def test_the_emergency_card_is_whole_on_page_1_and_in_standard_print_every_card_too(handout, name):
    layout = layout_of(handout[name])
    cards = [layout.card_of(line) for line in layout.lines if layout.card_of(line) is not None]
    emergency = cards[0]
    assert layout.card_level(emergency) == "Emergency"
    assert {line.page for line in layout.lines if layout.card_of(line) == emergency} == {0}
    if not handout[name].large_print:
        # Every card and the line after them ("Fits two cards? ...") are read together.
        lines = urgent_lines(layout)
        assert {line.page for line in lines} == {0}, [line.text for line in lines if line.page]
        assert lines[-1].text.startswith("Fits two cards?")


@pytest.mark.parametrize("name", NAMES)
def test_two_pages_a_sheet_and_no_page_but_the_last_more_than_a_quarter_empty(handout, name):
    edition = handout[name]
    layout = layout_of(edition)
    pages = len(layout.page_sizes)
    assert pages == (4 if edition.large_print else 2)
    for number, (_, height) in enumerate(layout.page_sizes[:-1]):
        lowest = max(line.baseline for line in layout.lines if line.page == number)
        body = height - TOP_MARGIN - FOOTER_HEIGHT[edition.large_print]
        assert (lowest - TOP_MARGIN) / body >= 0.75, (name, number + 1, round((lowest - TOP_MARGIN) / body, 2))


# -- each check fails on a leaflet broken on purpose ---------------------------------------------

def broken(book: Path, folder: Path, css: str, paper: str = "a4", large_print: bool = False,
           clinic: Path | None = None, labels: dict | None = None, continued: frozenset | None = None,
           passages: list | None = None) -> Layout:
    """The leaflet laid out as the renderer does, with ``css`` after leaflet.css; no page limits.
    ``continued``: put the "continued" lines before these (card, item)s, wherever the cards turn."""
    import weasyprint

    from calcinosis_guide import pdf_structure, render
    from calcinosis_guide.clinic import load_clinic

    content = json.loads((book / "leaflet-content" / "en.json").read_text(encoding="utf-8"))
    content["labels"].update(labels or {})
    content["passages"] += passages or []
    clinic_data = load_clinic(clinic) if clinic else None
    extra = (weasyprint.CSS(string=css),)
    if continued is None:
        document, _ = render.lay_out(content, paper, large_print, clinic_data, stylesheets=extra)
    else:
        html = render.render_html(content, paper, large_print, clinic_data, link_stylesheet=False, continued=continued)
        fonts, stylesheet = render.leaflet_stylesheet()
        document = weasyprint.HTML(string=html, base_url=str(render.LEAFLET_DIR) + "/").render(
            stylesheets=[stylesheet, *extra], font_config=fonts, pdf_variant="pdf/ua-1")
    output = folder / "broken.pdf"
    document.write_pdf(output, pdf_variant="pdf/ua-1")
    pdf_structure.repair(output, document)
    return Layout(output, FOOTER_HEIGHT[large_print])


# Passages added after the leaflet's own, each with a turn forced where it breaks one rule.
BROKEN_PASSAGES = [
    ("Heading alone", '<p id="b1">Its text goes on the next page or column.</p>', "#b1"),
    ("Heading with one line", '<p>One line.</p><p id="b2">And the rest.</p>', "#b2"),
    ("List with one item before", '<p>Three of four:</p><ul><li>One</li><li id="b3">Two</li><li>Three</li>'
     '<li>Four</li></ul>', "#b3"),
    ("List with one item after", '<p>Three of four:</p><ul><li>One</li><li>Two</li><li>Three</li>'
     '<li id="b4">Four</li></ul>', "#b4"),
    ("List item split", '<p>Three items:</p><ul><li>One</li><li><p>The first part of this item,</p>'
     '<p id="b5">and its second part.</p></li><li>Three</li></ul>', "#b5"),
]
# Each line of this paragraph is taller than half a column: every line of it turns.
LONG_SENTENCE = ("This one sentence is long enough to fill more than a single line of the column, "
                 "so a turn inside it breaks it in the middle")
BROKEN_CSS = " ".join(f"{selector} {{ break-before: column !important }}" for *_, selector in BROKEN_PASSAGES) + (
    " #b6 { break-inside: auto !important; orphans: 1 !important; widows: 1 !important; line-height: 200mm !important }")


@pytest.fixture(scope="module")
def broken_rules(book, tmp_path_factory) -> Layout:
    passages = [{"docname": "broken", "heading": heading, "box": None, "html": html}
                for heading, html, _ in BROKEN_PASSAGES]
    passages.append({"docname": "broken", "heading": "Sentence over a turn", "box": None,
                     "html": f'<p id="b6">{LONG_SENTENCE}.</p>'})
    return broken(book, tmp_path_factory.mktemp("broken"), BROKEN_CSS, passages=passages)


def test_a_paragraph_broken_mid_sentence_is_found(broken_rules):
    faults = broken_rules.mid_sentence_breaks()
    assert faults and all("paragraph broken mid-sentence" in fault for fault in faults), faults
    assert all(LONG_SENTENCE.find(fault.split("...")[1].strip("'")[-20:]) >= 0 for fault in faults), faults


def test_a_list_with_one_item_alone_and_a_split_item_are_found(broken_rules):
    faults = [fault.split(" at the ")[0] for fault in broken_rules.list_splits()]
    for expected in ("list split 1 + 3 items", "list split 3 + 1 items", "list item split"):
        assert expected in faults, faults


def test_a_heading_without_two_lines_after_it_is_found(broken_rules):
    faults = [re.sub(r" on page \d+", "", fault) for fault in broken_rules.stranded_headings() if "Heading" in fault]
    assert faults == ["heading 'Heading alone' has 0 line(s) of text after it before the page or column turns",
                      "heading 'Heading with one line' has 1 line(s) of text after it before the page or column turns"]


def test_a_web_address_broken_at_its_hyphen_and_a_split_postcode_are_found(book, tmp_path):
    layout = broken(book, tmp_path, ".url { white-space: normal !important } .online { width: 40mm }"
                                    " .clinic-where p { width: 10mm; word-break: break-all !important }"
                                    " .clinic-line.keep { white-space: normal !important; word-break: break-all !important;"
                                    " width: 30mm }", clinic=EXAMPLE_CLINIC)
    faults = layout.broken_addresses(["calcinosis-cutis-guide.readthedocs.io/en/latest", "SE1 0XX",
                                      "kidney.unit@example.org"])
    for address in ("calcinosis-cutis-guide.readthedocs.io/en/latest", "SE1 0XX", "kidney.unit@example.org"):
        assert f"{address!r} is not printed whole on one line" in faults, faults
    assert any("address broken across lines" in fault and "-' / '" in fault for fault in faults), faults


def test_a_card_running_on_without_its_level_is_found(book, tmp_path, labels):
    # Large print: the Today card runs on to page 2; hidden, its "continued" line is missed.
    layout = broken(book, tmp_path, ".card-continued { visibility: hidden !important }", large_print=True)
    faults = layout.unlabelled_continuations(labels["continued"])
    assert len(faults) == 1 and "without 'Today (continued)'" in faults[0], faults
    # A stray line, where the card does not run on (before the Emergency card's third sign), is found too.
    layout = broken(book, tmp_path, "", large_print=True, continued=frozenset({(0, 2), (1, 2)}))
    faults = layout.unlabelled_continuations(labels["continued"])
    assert faults == ["page 1: 'Emergency (continued)' printed where no card runs on"], faults


def test_a_continued_line_forced_apart_from_its_card_stops_the_leaflet(book, tmp_path):
    with pytest.raises(RuntimeError, match="continued line stays apart"):
        broken(book, tmp_path, ".card-continued { break-after: page !important }", large_print=True)


def test_a_card_too_tall_for_a_column_gets_its_continued_line_where_it_turns_in_the_translated_words(book, tmp_path):
    # The standard edition keeps each card whole; one taller than a column runs on, with its
    # line: the hand-over's label, which a translation changes.
    layout = broken(book, tmp_path, ".triage-today { font-size: 20pt }", labels={"continued": "{level} (suite)"})
    turns = [turn for turn in layout.turns if layout.card_of(turn.before) is not None
             and layout.card_of(turn.before) == layout.card_of(turn.after)]
    assert len(turns) == 1 and turns[0].kind == "page"
    assert layout.unlabelled_continuations("{level} (suite)") == []
    assert [text for page, _, _, text in layout.artifact_lines()] == ["Today (suite)"]
    assert layout.unlabelled_continuations("{level} (continued)") != []
