"""Print quality and accessibility of the leaflet PDFs (standards L1-L9, P1-P4)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import run_leaflet

MM = 72 / 25.4
FOOTER_TOP_FROM_BOTTOM = 31 * MM  # the footer sits in the bottom margin


def body_chars(path: Path, footer_top: float = FOOTER_TOP_FROM_BOTTOM):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                if char["text"].strip() and char["bottom"] < page.height - footer_top:
                    yield page, char


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_body_text_is_at_least_12_point(leaflets, paper):
    sizes = [round(char["size"], 1) for _, char in body_chars(leaflets[paper])]
    assert min(sizes) >= 12
    assert max(set(sizes), key=sizes.count) >= 13  # the running text itself


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_large_print_edition_is_16_point_everywhere_and_at_most_4_pages(large_print, paper):
    sizes = [char["size"] for _, char in body_chars(large_print[paper], footer_top=0)]  # the footer too
    assert round(min(sizes), 2) >= 16
    with pdfplumber.open(large_print[paper]) as pdf:
        assert 2 <= len(pdf.pages) <= 4


def test_every_language_and_edition_keeps_its_text_off_the_printers_12mm_clip(book):
    """make test builds each translation's leaflets into the same folder first (make translations);
    a longer language's footer line that wraps must not push the footer into the clip."""
    editions = sorted((book / "leaflet").glob("calcinosis-leaflet-*.pdf"))
    assert len({p.name.split("-")[2] for p in editions}) >= 1 and len(editions) >= 8
    for path in editions:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                lowest = max(c["bottom"] for c in page.chars if c["text"].strip())
                assert lowest <= page.height - 12 * MM, (
                    f"{path.name} page {page.page_number}: text {(page.height - lowest) / MM:.1f} mm from the edge")


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_lines_are_spaced_at_least_1_4_and_text_keeps_12mm_margins(leaflets, paper):
    with pdfplumber.open(leaflets[paper]) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] >= 12 * MM and char["x1"] <= page.width - 12 * MM
                assert char["top"] >= 12 * MM and char["bottom"] <= page.height - 12 * MM
            for left, right in ((0, page.width / 2), (page.width / 2, page.width)):
                column = page.crop((left, 0, right, page.height - FOOTER_TOP_FROM_BOTTOM))
                lines = [line for line in column.extract_text_lines()
                         if line["chars"] and all(12.5 < c["size"] < 14 for c in line["chars"])]
                gaps = [b["bottom"] - a["bottom"] for a, b in zip(lines, lines[1:])
                        if 0 < b["bottom"] - a["bottom"] < 2 * 13]
                if gaps:
                    assert min(gaps) >= 1.39 * 13, min(gaps)


def contrast_with_white(color) -> float:
    if color is None:
        return 21.0
    values = list(color) if isinstance(color, (list, tuple)) else [color]
    if len(values) == 1:
        rgb = values * 3
    elif len(values) == 4:  # CMYK
        c, m, y, k = values
        rgb = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    else:
        rgb = values[:3]

    def channel(v):
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_all_text_is_dark_on_white(leaflets, paper):
    with pdfplumber.open(leaflets[paper]) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert contrast_with_white(char["non_stroking_color"]) >= 4.5, char
            for rect in page.rects:  # panels are white; anything darker is ink (a border), never a tint
                if rect["fill"] and rect["width"] > 40 and rect["height"] > 20:
                    contrast = contrast_with_white(rect["non_stroking_color"])
                    assert contrast < 1.05 or contrast >= 4.5, rect


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pdf_is_tagged_pdf_ua_with_language_title_and_alt_texts(leaflets, paper):
    pdf = pikepdf.open(leaflets[paper])
    root = pdf.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "en"
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert "calcinosis" in str(pdf.docinfo["/Title"]).lower()
    assert 'pdfuaid:part="1"' in str(pdf.open_metadata())
    structure = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                structure.append((str(node.S), str(node.get("/Alt", ""))))
            kids = node.get("/K")
            if kids is not None:
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                    walk(kid)

    walk(root.StructTreeRoot)
    headings = [int(tag[2]) for tag, _ in structure if tag in ("/H1", "/H2", "/H3", "/H4")]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:]))
    figures = [alt for tag, alt in structure if tag == "/Figure"]
    assert figures and all(figures)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_fonts_are_embedded_subsets_of_the_shipped_font(leaflets, paper):
    pdf = pikepdf.open(leaflets[paper])
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            name = str(font.BaseFont)
            assert "+" in name and "Atkinson" in name, name  # ABCDEF+Name marks a subset


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"), reason="needs zbar-tools and poppler-utils")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_qr_code_opens_the_book_and_is_at_least_20mm(leaflets, paper, tmp_path):
    base_url = json.loads((leaflets[paper].parent.parent / "leaflet-content" / "en.json").read_text())["book"]["base_url"]
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "2", "-l", "2", leaflets[paper], tmp_path / "p"], check=True)
    png = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", png], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == base_url
    import segno

    modules = segno.make(base_url, error="m").symbol_size(border=0)[0]
    with pdfplumber.open(leaflets[paper]) as pdf:
        page = pdf.pages[1]
        squares = [r for r in page.rects if r["fill"] and abs(r["width"] - r["height"]) < 0.5
                   and contrast_with_white(r["non_stroking_color"]) < 1.05 and r["width"] > 10 * MM]
        assert len(squares) == 1, squares
        area = squares[0]
        inside = [e for e in page.lines + page.rects + page.curves
                  if e is not area and e["x0"] >= area["x0"] - 0.1 and e["x1"] <= area["x1"] + 0.1
                  and e["top"] >= area["top"] - 0.1 and e["bottom"] <= area["bottom"] + 0.1]
        symbol = max(e["x1"] for e in inside) - min(e["x0"] for e in inside)
        quiet_zone = min(e["x0"] for e in inside) - area["x0"]
    assert symbol >= 20 * MM
    assert quiet_zone >= 4 * symbol / modules - 0.5


def test_two_builds_give_identical_bytes(book, leaflets, tmp_path):
    again = tmp_path / "again.pdf"
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--output", again)
    assert result.returncode == 0, result.stderr
    assert again.read_bytes() == leaflets["a4"].read_bytes()


HEADING_SIZE = 16
TITLE_SIZE = 20  # the leaflet's title is larger than any heading


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_no_heading_is_left_at_the_foot_of_a_column_and_the_urgent_box_is_whole(leaflets, paper):
    with pdfplumber.open(leaflets[paper]) as pdf:
        pages_with_box = set()
        for number, page in enumerate(pdf.pages):
            for line in page.extract_text_lines():
                heading = line["chars"] and min(c["size"] for c in line["chars"]) >= HEADING_SIZE - 0.5
                if (heading and "When to get help now" in line["text"]) or "Call 999" in line["text"]:
                    pages_with_box.add(number)
            for left, right in ((0, page.width / 2), (page.width / 2, page.width)):
                column = page.crop((left, 0, right, page.height - FOOTER_TOP_FROM_BOTTOM))
                lines = [line for line in column.extract_text_lines() if line["chars"]]
                if lines:
                    last = max(lines, key=lambda line: line["bottom"])
                    assert max(c["size"] for c in last["chars"]) < HEADING_SIZE - 0.5, last["text"]
        assert len(pages_with_box) == 1  # the box's heading and its last line share a page


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_footer_on_every_page_names_title_edition_dates_publisher_licence_and_page(leaflets, paper):
    content = json.loads((leaflets[paper].parent.parent / "leaflet-content" / "en.json").read_text())
    with pdfplumber.open(leaflets[paper]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            footer = page.crop((0, page.height - FOOTER_TOP_FROM_BOTTOM, page.width, page.height))
            text = re.sub(r"\s+", " ", footer.extract_text())
            for needed in (content["book"]["title"], f"Edition {content['review']['last_reviewed']['iso']}",
                           content["review"]["last_reviewed"]["text"], content["review"]["next_review"]["text"],
                           content["book"]["publisher"], content["book"]["licence"],
                           f"Page {number} of {len(pdf.pages)}"):
                assert needed in text, needed


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_footer_text_is_at_least_9_point(leaflets, paper):
    with pdfplumber.open(leaflets[paper]) as pdf:
        for page in pdf.pages:
            footer = [c for c in page.chars if c["text"].strip() and c["top"] > page.height - FOOTER_TOP_FROM_BOTTOM]
            assert footer and round(min(c["size"] for c in footer), 2) >= 9


def test_every_edition_has_its_warning_signs_on_page_1(leaflets, large_print):
    for path in [*leaflets.values(), *large_print.values()]:
        with pdfplumber.open(path) as pdf:
            first = pdf.pages[0].extract_text()
            assert "When to get help now" in first and "Emergency" in first and "Call 999" in first, path.name


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("\u00a0", " "))


def column_text(page) -> str:
    """A two-column page's text in reading order, the left column, then the right;
    without the title, which spans both, and the footer."""
    body = page.filter(lambda obj: obj.get("size", 0) < TITLE_SIZE)
    bottom = page.height - FOOTER_TOP_FROM_BOTTOM
    return "\n".join(body.crop((left, 0, left + page.width / 2, bottom)).extract_text()
                     for left in (0, page.width / 2))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_standard_edition_prints_the_whole_urgent_passage_on_page_1(book, leaflets, paper):
    # Every card and the line after them ("if a sign fits two cards ...") are
    # read together: a card or that line turned over to page 2 is missed.
    from bs4 import BeautifulSoup

    content = json.loads((book / "leaflet-content" / "en.json").read_text(encoding="utf-8"))
    urgent = next(p for p in content["passages"] if 'class="triage ' in p["html"])
    expected = " ".join(words(BeautifulSoup(urgent["html"], "html.parser").get_text(" ")))
    with pdfplumber.open(leaflets[paper]) as pdf:
        first_page = " ".join(words(column_text(pdf.pages[0])))
    assert expected in first_page, expected[-120:]


@pytest.fixture(scope="module")
def example_clinic(handout) -> dict[str, Path]:
    """The example clinic's leaflet on both papers, standard and large print."""
    return {f"{paper}{'-large' if large else ''}": handout[f"clinic-{paper}{'-large-print' if large else ''}"].pdf
            for paper in ("a4", "letter") for large in (False, True)}


def test_clinic_phone_is_bold_and_larger_than_the_body_and_addresses_stay_whole(example_clinic):
    for name, path in example_clinic.items():
        with pdfplumber.open(path) as pdf:
            lines = [line for page in pdf.pages for line in page.extract_text_lines()]
            chars = [c for page in pdf.pages for c in page.chars if c["text"].strip()]
        body = max(set(round(c["size"], 1) for c in chars), key=[round(c["size"], 1) for c in chars].count)
        phone = next(line for line in lines if "020 7946 0000" in line["text"] and "Phone" in line["text"])
        digits = [c for c in phone["chars"] if c["text"].isdigit()]
        assert all("Bold" in c["fontname"] for c in digits), name
        assert min(c["size"] for c in digits) > body, name
        texts = [line["text"].replace("\u00a0", " ") for line in lines]
        # never broken at the hyphen of "kidney-unit", nor inside the postcode
        assert any("https://www.example.org/kidney-unit" in t for t in texts), name
        assert any("kidney.unit@example.org" in t for t in texts), name
        assert any("London SE1 0XX" in t for t in texts), name


def test_no_page_but_the_last_is_more_than_a_quarter_empty(leaflets, large_print, example_clinic):
    for path in [*leaflets.values(), *large_print.values(), *example_clinic.values()]:
        with pdfplumber.open(path) as pdf:
            footer_top = 60 * MM if "large" in path.name else FOOTER_TOP_FROM_BOTTOM
            for page in pdf.pages[:-1]:
                body = [c for c in page.chars if c["text"].strip() and c["bottom"] < page.height - footer_top]
                lowest = max(c["bottom"] for c in body)
                body_height = page.height - 12 * MM - footer_top
                assert (lowest - 12 * MM) / body_height >= 0.75, (path.name, page.page_number)
