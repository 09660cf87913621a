"""The fillable edition: its form fields, empty and filled, as a printer and a viewer show them.

The fields are filled here the way a program would (pikepdf sets each
field's value; WeasyPrint has set /NeedAppearances, so the viewer draws the
values): poppler (pdftoppm, pdftotext) and PDFium (pypdfium2, the PDF engine
of Chromium's viewer) then render the pages, and the values are read back
from the text layer and the ink inside each field. veraPDF's PDF/UA-1 check
of these editions is in test_pdfua.py, their structure in test_pdf_structure.py.
A third engine, MuPDF (pymupdf: SumatraPDF, zathura, Okular's MuPDF back end),
draws the same filled form.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest

from calcinosis_guide.render import FORM_FIELDS
from calcinosis_guide.outputs import leaflet_filename

EDITIONS = [(paper, large) for large in (False, True) for paper in ("a4", "letter")]
# Typed by a French-speaking team: accents and an en dash must print.
VALUES = {
    "name": "Unité rénale Sainte-Hélène", "department": "Néphrologie", "phone": "01632 960 123",
    "hours": "Lun–ven 8h30", "urgent_help": "Call 111, or the ward on 01632 960 999",
    "address": "Hôpital Sainte-Hélène, 12 rue de l’Église", "email": "unite.renale@example.org",
    "website": "https://www.example.org/unite-renale",
    "next_appointment": "Tuesday 3 March, 10:30", "calcium": "2.45 mmol/L", "phosphate": "1.9 mmol/L",
    "pth": "38 pmol/L", "results_date": "12 Feb 2026", "notes": "Ask Zoë about the diet sheet.",
}
TICKED = "agreed_fluid_limit"
DPI = 100
needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")


def fillable(book: Path, paper: str, large: bool) -> Path:
    return book / "leaflet" / leaflet_filename("en", paper, large, fillable=True)


def labels(book: Path) -> dict[str, str]:
    return json.loads((book / "leaflet-content" / "en.json").read_text(encoding="utf-8"))["labels"]


def form_fields(path: Path) -> dict[str, dict]:
    """Each field by name: its page, rectangle, accessible name, type and default appearance."""
    with pikepdf.open(path) as pdf:
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        return {str(field.T): {"page": pages[field.P.objgen], "rect": [float(x) for x in field.Rect],
                               "tu": str(field.get("/TU", "")), "type": str(field.FT),
                               "da": str(field.get("/DA", "")), "max_length": field.get("/MaxLen")}
                for field in pdf.Root.AcroForm.Fields}


def form_problems(path: Path, printed_labels: dict[str, str]) -> list[str]:
    """What is wrong with an edition's fields: names, accessible names, a field asking for a dose."""
    found = form_fields(path)
    problems = [f"missing field {name}" for name in FORM_FIELDS if name not in found]
    problems += [f"unexpected field {name}" for name in found if name not in FORM_FIELDS]
    for name, field in found.items():
        if name in FORM_FIELDS and field["tu"] != printed_labels[FORM_FIELDS[name].label]:
            problems.append(f"{name}: accessible name {field['tu']!r} is not its label")
        if re.search(r"\bdos(e|age)|\bmg\b", f"{name} {field['tu']}", re.I):
            problems.append(f"{name}: asks for a dose")
    return problems


def fill(source: Path, target: Path) -> Path:
    with pikepdf.open(source) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.T) in VALUES:
                field.V = pikepdf.String(VALUES[str(field.T)])
            elif str(field.T) == TICKED:
                field.V = field.AS = pikepdf.Name.on
        pdf.save(target)
    return target


@functools.lru_cache(maxsize=None)
def poppler_page(path: Path, page: int):
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "page"
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", "-f", str(page + 1), "-l", str(page + 1),
                        str(path), str(prefix)], check=True, capture_output=True)
        return Image.open(f"{prefix}.png").convert("L")


@functools.lru_cache(maxsize=None)
def pdfium_page(path: Path, page: int):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    document.init_forms()  # as Chromium's viewer does: the fields are drawn
    return document[page].render(scale=DPI / 72, may_draw_forms=True).to_pil().convert("L")


def band(image, rect: list[float], page_height: float, rows: tuple[float, float]):
    """The pixels of ``rect`` (PDF points) between two fractions of its height from the top."""
    x0, y0, x1, y1 = rect
    left, right = sorted((x0, x1))
    bottom, top = sorted((y0, y1))
    height = top - bottom
    return image.crop([round(v * DPI / 72) for v in (left + 1, page_height - top + rows[0] * height,
                                                     right - 1, page_height - top + rows[1] * height)])


def dark_share(image, rect: list[float], page_height: float, rows: tuple[float, float]) -> float:
    """The share of dark pixels in that band: ink inside a field."""
    pixels = list(band(image, rect, page_height, rows).get_flattened_data())
    return sum(1 for p in pixels if p < 128) / max(len(pixels), 1)


def longest_dark_row(image, rect: list[float], page_height: float, rows: tuple[float, float]) -> float:
    """The share of the band's width that its darkest pixel row covers: a line drawn across it."""
    crop = band(image, rect, page_height, rows)
    return max((sum(1 for x in range(crop.width) if crop.getpixel((x, y)) < 200) / crop.width
                for y in range(crop.height)), default=0)


def page_height(path: Path, page: int) -> float:
    with pikepdf.open(path) as pdf:
        return float(pdf.pages[page].mediabox[3])


@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_every_field_is_named_from_the_one_definition_and_read_by_its_label(book, paper, large):
    assert form_problems(fillable(book, paper, large), labels(book)) == []


def test_the_notes_field_is_notes_from_your_care_team_and_the_team_fields_take_the_clinic_limits(book):
    from calcinosis_guide.clinic import FIELDS

    found = form_fields(fillable(book, "a4", False))
    assert found["notes"]["tu"] == "Notes from your care team"
    for name in ("name", "department", "phone", "hours", "address", "email", "website", "urgent_help"):
        assert int(found[name]["max_length"]) == FIELDS[name].max_length
    assert {found[name]["type"] for name in found if FORM_FIELDS[name].kind == "tick"} == {"/Btn"}


def test_the_field_check_finds_a_renamed_field_a_wrong_accessible_name_and_a_dose(book, tmp_path):
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(fillable(book, "a4", False)) as pdf:
        by_name = {str(field.T): field for field in pdf.Root.AcroForm.Fields}
        by_name["phone"].T = pikepdf.String("telephone")
        by_name["calcium"].TU = pikepdf.String("Field 7")
        by_name["pth"].TU = pikepdf.String("Your dose")
        pdf.save(broken)
    assert form_problems(broken, labels(book)) == [
        "missing field phone", "unexpected field telephone",
        "calcium: accessible name 'Field 7' is not its label",
        "pth: accessible name 'Your dose' is not its label", "pth: asks for a dose"]


@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_the_fillable_edition_has_the_pages_of_the_printed_one(book, paper, large):
    with pikepdf.open(fillable(book, paper, large)) as form, \
            pikepdf.open(book / "leaflet" / leaflet_filename("en", paper, large)) as printed:
        assert len(form.pages) == len(printed.pages) == (4 if large else 2)


@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_typed_text_is_in_the_leaflets_font_embedded_whole_so_any_accent_prints(book, paper, large):
    """WeasyPrint names the form font in each text field's /DA and puts it,
    not a subset, in the AcroForm's /DR: every character a clinic may print."""
    import io

    from fontTools.ttLib import TTFont

    from calcinosis_guide.clinic import printable_characters

    path = fillable(book, paper, large)
    with pikepdf.open(path) as pdf:
        fonts = pdf.Root.AcroForm.DR.Font
        for name, field in form_fields(path).items():
            if field["type"] != "/Tx":
                continue
            font_name, size = re.search(r"/(\S+) ([\d.]+) Tf", field["da"]).groups()
            assert float(size) == (16.5 if large else 12), name
            font = fonts["/" + font_name]
            assert str(font.BaseFont).endswith("+Atkinson-Hyperlegible"), font.BaseFont
            embedded = TTFont(io.BytesIO(font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()))
            assert printable_characters() <= set(embedded.getBestCmap())
            assert {"é", "ë", "–"} <= {chr(code) for code in embedded.getBestCmap()}


@needs_poppler
@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_the_empty_form_prints_its_write_in_lines_and_boxes_and_nothing_in_them(book, paper, large, tmp_path):
    path = fillable(book, paper, large)
    fields = form_fields(path)
    for name, field in fields.items():
        image = poppler_page(path, field["page"])
        height = page_height(path, field["page"])
        if FORM_FIELDS[name].kind == "text":
            assert longest_dark_row(image, field["rect"], height, (0.8, 1.15)) > 0.95, f"{name}: no line to write on"
        else:  # a box drawn around the space
            assert longest_dark_row(image, field["rect"], height, (-0.4, 0.1)) > 0.95, f"{name}: no box drawn"
        assert dark_share(image, field["rect"], height, (0.2, 0.75)) == 0, f"{name}: not empty"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert not any(value in text for value in VALUES.values())


@needs_poppler
@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_typed_values_print_in_the_text_layer_and_in_ink_inside_their_fields(book, paper, large, tmp_path):
    path = fill(fillable(book, paper, large), tmp_path / "filled.pdf")
    with pikepdf.open(path) as pdf:
        assert pdf.Root.AcroForm.NeedAppearances  # the viewer draws what was typed
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", " ", text)
    for name, value in VALUES.items():
        assert value in flat, f"{name}: {value!r} not printed"
    fields = form_fields(path)
    for name in VALUES:
        field = fields[name]
        image = poppler_page(path, field["page"])
        assert dark_share(image, field["rect"], page_height(path, field["page"]), (0.2, 0.75)) > 0.02, name


@needs_poppler
@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_a_ticked_box_prints_its_tick_and_the_others_stay_empty(book, paper, large, tmp_path):
    """poppler draws the fields itself (/NeedAppearances): a tick box needs its /DA to print."""
    path = fill(fillable(book, paper, large), tmp_path / "filled.pdf")
    fields = form_fields(path)
    for name, field in fields.items():
        if FORM_FIELDS[name].kind != "tick":
            continue
        assert field["da"].startswith("/ZaDb"), f"{name}: no default appearance"
        ink = dark_share(poppler_page(path, field["page"]), field["rect"], page_height(path, field["page"]), (0.25, 0.75))
        if name == TICKED:
            assert ink > 0.1, f"{name}: ticked, but no tick printed ({ink:.3f})"
        else:
            assert ink == 0, f"{name}: not ticked, but ink printed ({ink:.3f})"


@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_chromiums_pdf_engine_draws_the_typed_values_and_the_tick(book, paper, large, tmp_path):
    """PDFium (pypdfium2) is the engine of Chromium's PDF viewer."""
    empty = fillable(book, paper, large)
    path = fill(empty, tmp_path / "filled.pdf")
    fields = form_fields(path)
    for name, field in fields.items():
        height = page_height(path, field["page"])
        before = dark_share(pdfium_page(empty, field["page"]), field["rect"], height, (0.2, 0.75))
        after = dark_share(pdfium_page(path, field["page"]), field["rect"], height, (0.2, 0.75))
        if name in VALUES or name == TICKED:
            assert after > before + 0.02, f"{name}: nothing drawn ({before:.3f} -> {after:.3f})"
        else:
            assert after == before, f"{name}: drawn though left empty"


# Long, realistic clinic text: a value of any field's full length is cut from it.
LONG_CLINIC_TEXT = ("Centro Regional de Diálisis y Nefrología San José, Hospital Universitario, planta 2, "
                    "llame al (555) 123-4567 ext 123 o al 911 si es urgente, de lunes a viernes")


def font_height() -> float:
    """The regular font's height (ascent - descent) as a share of its size."""
    from fontTools.ttLib import TTFont

    from calcinosis_guide.clinic import FONT_FILES

    font = TTFont(next(path for path in FONT_FILES if path.name.endswith("400Regular.ttf")))
    return (font["hhea"].ascent - font["hhea"].descent) / font["head"].unitsPerEm


def wrapped_lines(text: str, width: float, size: float) -> int:
    """How many lines ``text`` takes at ``size`` in a box ``width`` wide, broken at spaces (as viewers do)."""
    from fontTools.ttLib import TTFont

    from calcinosis_guide.clinic import FONT_FILES

    font = TTFont(next(path for path in FONT_FILES if path.name.endswith("400Regular.ttf")))
    cmap, metrics, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm

    def measure(words: str) -> float:
        return sum(metrics[cmap[ord(char)]][0] for char in words) * size / units

    lines, line = 1, ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= width or not line:
            line = candidate
        else:
            lines, line = lines + 1, word
    return lines if measure(line) <= width else 99


# The one exception to a clinic-file limit at 16.5 pt on one line: an address of the full
# 60 characters is wider than the page; one of this length (a full street address with a
# postcode) holds, and the maker page sets a longer one a little smaller to fit.
LARGE_PRINT_ADDRESS = 50


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_in_large_print_each_care_team_field_holds_its_clinic_file_limit(book, paper):
    """A value as long as clinic.py allows fits its field at 16.5 pt, on the lines the field has."""
    from calcinosis_guide.clinic import FIELDS

    path = fillable(book, paper, True)
    with pikepdf.open(path) as pdf:
        flags = {str(field.T): int(field.get("/Ff", 0)) for field in pdf.Root.AcroForm.Fields}
    checked = set()
    for name, field in form_fields(path).items():
        if name not in FIELDS:
            continue
        x0, y0, x1, y1 = field["rect"]
        width, height = abs(x1 - x0) - 4, abs(y1 - y0) - 4  # the viewers' padding inside the border
        # Ff bit 13: multiline. Viewers space lines 1.2 times the font's height (pdf-lib: ascent - descent).
        lines = int(height // (16.5 * font_height() * 1.2)) if flags[name] & (1 << 12) else 1
        limit = LARGE_PRINT_ADDRESS if name == "address" else FIELDS[name].max_length
        value = LONG_CLINIC_TEXT[:limit].strip()
        needed = wrapped_lines(value, width, 16.5)
        assert needed <= lines, f"{name}: {len(value)} characters need {needed} lines of {width:.0f} pt, it has {lines}"
        checked.add(name)
    assert checked == {"name", "department", "phone", "hours", "address", "email", "website", "urgent_help"}


@functools.lru_cache(maxsize=None)
def mupdf_page(path: Path, page: int):
    """The page as MuPDF draws it, fields included (it draws their values itself: /NeedAppearances)."""
    import io

    import pymupdf
    from PIL import Image

    with pymupdf.open(str(path)) as document:
        png = document[page].get_pixmap(dpi=DPI, annots=True).tobytes("png")
    return Image.open(io.BytesIO(png)).convert("L")


@pytest.mark.parametrize(("paper", "large"), EDITIONS)
def test_mupdf_shows_the_fields_and_prints_the_typed_values_and_the_tick(book, paper, large, tmp_path):
    """MuPDF lists every field with its value and draws it in ink inside the field; an empty field
    stays a clean line."""
    import pymupdf

    empty = fillable(book, paper, large)
    path = fill(empty, tmp_path / "filled.pdf")
    with pymupdf.open(str(path)) as document:
        shown = {widget.field_name: widget.field_value for page in document for widget in page.widgets()}
    assert set(shown) == set(FORM_FIELDS)
    for name, value in VALUES.items():
        assert shown[name] == value, name
    assert shown[TICKED] not in ("Off", False, "") and shown["agreed_dietitian"] in ("Off", False)
    for name, field in form_fields(path).items():
        height = page_height(path, field["page"])
        before = dark_share(mupdf_page(empty, field["page"]), field["rect"], height, (0.2, 0.75))
        after = dark_share(mupdf_page(path, field["page"]), field["rect"], height, (0.2, 0.75))
        assert before == 0, f"{name}: the empty field is not clean ({before:.3f})"
        if name in VALUES or name == TICKED:
            assert after > 0.02, f"{name}: nothing drawn ({after:.3f})"
        else:
            assert after == 0, f"{name}: drawn though left empty"
