"""The printed leaflet: two pages, the right paper, real text, embedded fonts."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import run_leaflet

PAPER_POINTS = {"a4": (595, 842), "letter": (612, 792)}


def pdf_text(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_standard_leaflet_is_one_sheet_two_sides(leaflets, paper):
    reader = PdfReader(leaflets[paper])
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == PAPER_POINTS[paper]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_leaflet_text_is_extractable_and_carries_the_essentials(leaflets, paper):
    text = re.sub(r"\s+", " ", pdf_text(leaflets[paper]))
    for needed in ("Metastatic calcinosis cutis", "When to get help now", "Checked against sources",
                   "Next check due", "not yet reviewed by an independent clinician", "calcinosis-cutis-guide.readthedocs.io"):
        assert needed in text, needed
    assert "Page 1 of 2" in text and "Page 2 of 2" in text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_every_font_in_the_leaflet_is_embedded(leaflets, paper):
    fonts = 0
    for page in PdfReader(leaflets[paper]).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            assert "Atkinson" in font["/BaseFont"]
            fonts += 1
    assert fonts > 0


def test_help_describes_the_options():
    result = run_leaflet("--help")
    assert result.returncode == 0
    for option in ("--paper", "--clinic", "--output", "--language"):
        assert option in result.stdout


def test_unknown_paper_is_a_one_line_error_with_exit_2(tmp_path):
    result = run_leaflet("--paper", "a5", "--build-dir", tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "a5" in result.stderr and "--paper" in result.stderr
    assert not any(tmp_path.iterdir())
