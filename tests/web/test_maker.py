"""The leaflet maker page (clinic-leaflet.html): a clinic makes its leaflet in the browser, and nothing leaves it.

tests/web/maker_checks.mjs types a realistic UK and a realistic US clinic
(accents included) into the page in Chromium, downloads the PDF and
clinic.toml, and types bad values too. Here: no request went to another
host or carried a typed value; the PDF has the leaflet's pages, the values in
its text layer, passes veraPDF's PDF/UA-1 check, and its clinic fields are
read-only when locked; clinic.toml is a clinic file the batch tool accepts
with the same values; a bad value shows its error tied to its field, and
no download is offered.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pikepdf
import pytest

from calcinosis_guide import clinic, verapdf
from calcinosis_guide.audit import serve
from web.walk import chromium
from web.webpages import ROOT

pytestmark = pytest.mark.browser

UK = {"name": "St Helier Renal Unit", "department": "Kidney care", "phone": "020 8296 2000 ext 4521",
      "hours": "Monday to Friday, 8am to 6pm", "email": "renal.unit@example.org",
      "address": "St Helier Hospital, Wrythe Lane, Carshalton SM5 1AA", "website": "https://www.example.org/renal",
      "urgent_help": "Call NHS 111, or the renal ward on 020 8296 2001"}
US = {"name": "Centro Regional de Diálisis y Nefrología San José", "department": "Nefrología",
      "phone": "(555) 123-4567 ext 123", "hours": "Lunes a viernes, 7:00–17:00",
      "address": "1200 Alameda Street, San José, CA 95126", "email": "nefrologia@example.org",
      "website": "https://www.example.org/nefrología",
      "urgent_help": "Call (555) 123-9876 after hours; in an emergency call 911"}
SVG_LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
            '<rect width="120" height="40" rx="6" fill="#00594f"/><circle cx="20" cy="20" r="12" fill="#fff"/></svg>')
CARE_TEAM = ("name", "department", "phone", "hours", "address", "email", "website", "urgent_help")
# Printed bold, as the command line prints them (leaflet.css: .clinic-name, .clinic-phone).
BOLD = ("name", "phone")


def png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 89, 79)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def maker(book, tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("maker")
    (work / "logo.svg").write_text(SVG_LOGO, encoding="utf-8")
    (work / "logo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 200)
    # A real PNG, a little over 2 MB: noise does not compress.
    import os

    from PIL import Image

    Image.frombytes("RGB", (900, 900), os.urandom(900 * 900 * 3)).save(work / "huge.png")
    assert (work / "huge.png").stat().st_size > clinic.MAX_LOGO_BYTES
    cases = [
        {"name": "uk", "values": UK, "paper": "a4", "edition": "standard", "lock": True,
         "pdf": str(work / "uk.pdf"), "toml": str(work / "uk.toml")},
        {"name": "us", "values": {**US, "logo_alt": "Centro Regional logo"}, "logo": str(work / "logo.svg"),
         "paper": "letter", "edition": "standard", "lock": False, "pdf": str(work / "us.pdf"), "toml": str(work / "us.toml")},
        {"name": "uk-large", "values": UK, "paper": "a4", "edition": "large", "lock": True,
         "pdf": str(work / "uk-large.pdf"), "toml": str(work / "uk-large.toml")},
        {"name": "too-long", "values": {**UK, "name": "St Helier " * 7}, "paper": "a4", "edition": "standard", "lock": True},
        {"name": "bad-website", "values": {**UK, "website": "www.example.org"}, "paper": "a4", "edition": "standard",
         "lock": True, "viewport": {"width": 320, "height": 640}, "theme": "dark"},
        {"name": "jpeg", "values": {**UK, "logo_alt": "Logo"}, "logo": str(work / "logo.jpg"), "paper": "a4",
         "edition": "standard", "lock": True},
        {"name": "huge-logo", "values": {**UK, "logo_alt": "Logo"}, "logo": str(work / "huge.png"), "paper": "a4",
         "edition": "standard", "lock": True},
    ]
    config = {"chrome": chromium(), "cases": cases, "out": str(work / "results.json")}
    with serve(book / "html") as base:
        config["base"] = base
        (work / "config.json").write_text(json.dumps(config), encoding="utf-8")
        result = subprocess.run(["node", str(Path(__file__).with_name("maker_checks.mjs")), str(work / "config.json")],
                                cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    results = {item["name"]: item for item in json.loads((work / "results.json").read_text())}
    return {"base": base, "work": work, "results": results, "cases": {case["name"]: case for case in cases}, "book": book}


def typed(values: dict) -> list[str]:
    return [value for value in values.values() if len(value) >= 4]


def test_nothing_leaves_the_browser_and_nothing_typed_is_sent(maker):
    origin = urllib.parse.urlsplit(maker["base"])
    for name, result in maker["results"].items():
        assert result["requests"], name
        assert not result["errors"], (name, result["errors"])
        for request in result["requests"]:
            url = urllib.parse.urlsplit(request["url"])
            if url.scheme in ("blob", "data"):
                continue
            assert (url.hostname, url.port) == (origin.hostname, origin.port), f"{name}: {request['url']}"
            assert request["method"] == "GET", request
            sent = urllib.parse.unquote_plus(request["url"]) + request["body"]
            for value in typed(maker["cases"][name]["values"]):
                assert value not in sent, f"{name}: {value!r} sent in {request['url']}"


def test_pdf_lib_loads_only_when_the_pdf_is_asked_for(maker):
    for result in maker["results"].values():
        assert not any("pdf-lib" in url or "fontkit" in url for url in result["scriptsBeforeSubmit"])
    urls = [request["url"] for request in maker["results"]["uk"]["requests"]]
    assert any(url.endswith("pdf-lib.min.js") for url in urls) and any(url.endswith("fontkit.umd.min.js") for url in urls)
    # A bad value never gets that far.
    assert not any("pdf-lib" in request["url"] for request in maker["results"]["too-long"]["requests"])


@pytest.mark.parametrize(("case", "pages"), [("uk", 2), ("us", 2), ("uk-large", 4)])
def test_the_pdf_has_the_leaflets_pages_and_the_typed_values(maker, case, pages):
    path = Path(maker["cases"][case]["pdf"])
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == pages
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                              check=True).stdout)
    for name in CARE_TEAM:
        value = maker["cases"][case]["values"][name]
        assert value in text, f"{name}: {value!r} not in the PDF's text"
    paper = maker["cases"][case]["paper"]
    assert maker["results"][case]["pdfName"].startswith(f"calcinosis-leaflet-en-{paper}")


@pytest.mark.parametrize("case", ["uk", "us", "uk-large"])
def test_every_typed_value_prints_in_ink_inside_its_field(maker, case):
    """As a printer shows it (poppler): a value laid out outside its box would be in the text layer only."""
    from test_fillable import dark_share, form_fields, page_height, poppler_page

    path = Path(maker["cases"][case]["pdf"])
    for name, field in form_fields(path).items():
        if name in CARE_TEAM:
            ink = dark_share(poppler_page(path, field["page"]), field["rect"], page_height(path, field["page"]), (0.1, 0.75))
            assert ink > 0.02, f"{case}: {name} prints no ink in its box ({ink:.3f})"


def appearance_fonts(path: Path) -> dict[str, list[str]]:
    """Each filled text field's fonts: those its appearance stream draws with."""
    with pikepdf.open(path) as pdf:
        return {str(field.T): [str(font.BaseFont) for font in field.AP.N.Resources.Font.values()]
                for field in pdf.Root.AcroForm.Fields if "/AP" in field and "/Resources" in field.AP.N}


@pytest.mark.parametrize("case", ["uk", "us", "uk-large"])
def test_the_clinics_name_and_phone_are_bold_as_the_command_line_prints_them(maker, case, tmp_path):
    """Both paths: the browser's PDF draws the name and phone in the bold face (their
    appearance streams), the command line's prints them bold (pdfplumber's font names)."""
    import pdfplumber

    fonts = appearance_fonts(Path(maker["cases"][case]["pdf"]))
    for name in CARE_TEAM:
        if not maker["cases"][case]["values"].get(name):
            continue
        bold = [font for font in fonts[name] if "Bold" in font]
        assert bool(bold) == (name in BOLD), (case, name, fonts[name])
        if name in BOLD:
            assert fonts[name] == bold, (case, name, fonts[name])  # drawn in the bold face only

    toml = tmp_path / "clinic.toml"
    toml.write_text(Path(maker["cases"][case.replace("-large", "")]["toml"]).read_text(encoding="utf-8")
                    .replace('logo = "logo.svg"\n', ""), encoding="utf-8")
    output = tmp_path / "cli.pdf"
    paper, large = maker["cases"][case]["paper"], maker["cases"][case]["edition"] == "large"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_leaflet.py"), "--build-dir", str(maker["book"]),
                    "--clinic", str(toml), "--paper", paper, "--output", str(output)] + (["--large-print"] if large else []),
                   check=True, capture_output=True)
    with pdfplumber.open(output) as pdf:
        chars = [char for page in pdf.pages for char in page.chars]
    text = "".join(char["text"] for char in chars)
    for name in ("name", "phone", "hours"):
        value = maker["cases"][case]["values"][name]
        start = text.find(value)
        assert start >= 0, (name, value)
        faces = {chars[start + offset]["fontname"] for offset in range(len(value)) if value[offset] != " "}
        assert all(("Bold" in face) == (name in BOLD) for face in faces), (name, faces)


def test_the_typed_text_is_drawn_in_the_leaflets_own_font(maker):
    with pikepdf.open(maker["cases"]["us"]["pdf"]) as pdf:
        for field in pdf.Root.AcroForm.Fields:
            if str(field.T) != "name":
                continue
            appearance = field.AP.N
            fonts = [str(font.BaseFont) for font in appearance.Resources.Font.values()]
            assert any("AtkinsonHyperlegible" in font or "Atkinson-Hyperlegible" in font for font in fonts), fonts


def test_locked_clinic_fields_are_read_only_and_the_rest_stay_free(maker):
    for case, locked in (("uk", True), ("us", False)):
        with pikepdf.open(maker["cases"][case]["pdf"]) as pdf:
            flags = {str(field.T): int(field.get("/Ff", 0)) for field in pdf.Root.AcroForm.Fields}
        for name in CARE_TEAM:
            assert bool(flags[name] & 1) == locked, (case, name)
        assert not flags["notes"] & 1 and not flags["calcium"] & 1


def test_the_downloaded_pdfs_pass_pdf_ua_1(maker, book):
    files = [Path(maker["cases"][case]["pdf"]) for case in ("uk", "us", "uk-large")]
    reports = verapdf.validate(files, book)
    for path in files:
        assert reports[path].error is None, reports[path].error
        assert reports[path].compliant, reports[path].summary()


@pytest.mark.parametrize("case", ["uk", "us"])
def test_clinic_toml_is_a_clinic_file_the_batch_tool_reads_with_the_same_values(maker, case, tmp_path):
    source = Path(maker["cases"][case]["toml"])
    values = maker["cases"][case]["values"]
    if "logo" in maker["cases"][case]:
        (tmp_path / "logo.svg").write_text(SVG_LOGO, encoding="utf-8")
    copy = tmp_path / "clinic.toml"
    copy.write_bytes(source.read_bytes())
    loaded = clinic.load_clinic(copy)
    for name, value in values.items():
        assert loaded[name] == value, name


@pytest.mark.parametrize(("case", "field", "words"), [
    ("too-long", "name", "At most 60"),
    ("bad-website", "website", "https://"),
    ("jpeg", "logo", "PNG or SVG"),
    ("huge-logo", "logo", "2 MB"),
])
def test_a_bad_value_shows_its_error_tied_to_its_field_and_no_download(maker, case, field, words):
    result = maker["results"][case]
    assert result["summary"].strip()
    assert result["downloadsHidden"]
    assert result["focused"] == f"clinic-{field}"
    fields = {item["field"]: item for item in result["fields"]}
    assert fields[field]["invalid"] == "true" and fields[field]["errorShown"] and fields[field]["describedByError"]
    assert words in fields[field]["error"], fields[field]["error"]
    assert [name for name, item in fields.items() if item["error"]] == [field]
    assert result["axe"] == [], result["axe"]
    assert not result["scrollsSideways"]


def test_the_pages_script_is_small_and_only_that_page_loads_it(book):
    html = book / "html"
    script = (html / "_static" / "clinic-leaflet.js").read_bytes()
    assert len(gzip.compress(script, 9)) < 4 * 1024
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loads = bool(re.search(r'<(script|link)\b[^>]*_static/clinic-leaflet\.(js|css)', text))
        assert loads == (page.name == "clinic-leaflet.html"), page
    for name in ("pdf-lib.LICENSE.txt", "fontkit.LICENSE.txt", "AtkinsonHyperlegible.OFL.txt"):
        assert (html / "_static" / "maker" / name).read_text(encoding="utf-8").strip()


def test_the_logo_is_set_at_the_size_the_command_line_gives_it(maker):
    """Its own size (the SVG's 120 x 40 CSS pixels, 90 x 30 pt), within 50 x 20 mm, in the top margin's corner."""
    import pdfplumber

    with pdfplumber.open(maker["cases"]["us"]["pdf"]) as pdf:
        page = pdf.pages[0]
        (logo,) = page.images
        assert round(logo["width"], 1) == 90 and round(logo["height"], 1) == 30, (logo["width"], logo["height"])
        mm = 72 / 25.4
        assert abs(logo["top"] - 12 * mm) < 0.5 and abs(page.width - 13 * mm - logo["x1"]) < 0.5
