"""Clinic details on the leaflet: printed as typed, checked before rendering."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from calcinosis_guide.clinic import FIELDS, APPROVAL_FIELDS, ClinicFileError, load_clinic
from conftest import ROOT, run_leaflet

EXAMPLE = ROOT / "scripts" / "example-clinic" / "clinic.toml"
MM = 72 / 25.4


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages))


def write_clinic(folder: Path, body: str) -> Path:
    path = folder / "clinic.toml"
    path.write_text(body, encoding="utf-8")
    return path


MINIMAL = 'name = "Test Clinic"\nphone = "01234 567890"\nhours = "9 to 5"\nurgent_help = "Call 111."\n'


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height)) if width * height < 10_000 else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def clinic_leaflet_text(book: Path, clinic: Path, output: Path) -> str:
    """Render an A4 leaflet for ``clinic`` (it must succeed) and return its text."""
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--clinic", clinic, "--output", output)
    assert result.returncode == 0, result.stderr
    return pdf_text(output)


def test_example_clinic_file_is_valid_and_printed(book, tmp_path):
    output = tmp_path / "clinic.pdf"
    text = clinic_leaflet_text(book, EXAMPLE, output)
    assert "Riverside Kidney Unit" in text
    assert "020 7946 0000" in text
    assert "Approved for local use by Patient Information Group on 2026-11-20 (ref. PIL-RKU-0042)." in text
    assert len(PdfReader(output).pages) == 2


def test_without_a_clinic_the_leaflet_has_write_in_lines_and_says_it_is_not_approved(leaflets):
    text = pdf_text(leaflets["a4"])
    assert "Your care team" in text and "Name:" in text and "Phone:" in text
    assert "has not been approved for local use" in text


def test_clinic_text_that_looks_like_markup_is_printed_exactly(book, tmp_path):
    clinic = write_clinic(tmp_path, MINIMAL.replace('"Test Clinic"', '"<script>alert(1)</script> & Co"')
                          .replace('"9 to 5"', '"</style> url(x) &amp; {{ hours }}"'))
    text = clinic_leaflet_text(book, clinic, tmp_path / "out.pdf")
    assert "<script>alert(1)</script> & Co" in text
    assert "</style> url(x) &amp; {{ hours }}" in text


def widest_text(length: int) -> str:
    """Capital letters in words: about the widest text a clinic could type."""
    return ("WIDE MMMM " * 40)[:length].strip().ljust(length, "M")


@pytest.mark.parametrize(("paper", "large_print"), [("a4", False), ("letter", False), ("a4", True), ("letter", True)])
def test_longest_allowed_clinic_details_still_fit_two_pages(book, tmp_path, paper, large_print):
    lines = [f'{name} = "{widest_text(spec.max_length)}"' for name, spec in FIELDS.items()
             if spec.kind == "text" and name not in ("logo", "logo_alt")]
    lines += [f'phone = "{"0" * FIELDS["phone"].max_length}"',
              f'email = "{"m" * (FIELDS["email"].max_length - 12)}@example.org"',
              f'website = "https://{"w" * (FIELDS["website"].max_length - 20)}.example.org"',
              "[approval]", f'approved_by = "{widest_text(APPROVAL_FIELDS["approved_by"].max_length)}"',
              "date = 2026-01-01", f'reference = "{"R" * APPROVAL_FIELDS["reference"].max_length}"']
    clinic = write_clinic(tmp_path, "\n".join(lines) + "\n")
    load_clinic(clinic)  # every value is at, not over, its limit
    output = tmp_path / "long.pdf"
    result = run_leaflet("--build-dir", book, "--paper", paper, "--clinic", clinic, "--output", output,
                         *(["--large-print"] if large_print else []))
    assert result.returncode == 0, result.stderr
    import pdfplumber

    with pdfplumber.open(output) as pdf:
        assert len(pdf.pages) == 2 or large_print and len(pdf.pages) <= 4
        for page in pdf.pages:  # nothing pushed off the paper or into the printer's margin
            for char in page.chars:
                assert 12 * MM <= char["x0"] and char["x1"] <= page.width - 12 * MM
                assert 12 * MM <= char["top"] and char["bottom"] <= page.height - 12 * MM
    assert "QR code that opens the online guide" in figure_alts(output)


BAD_CLINIC_FILES = {
    "syntax error": ('name = "x\nphone = 1', "line"),
    "unknown key with suggestion": (MINIMAL + 'phnoe = "1"\n', "did you mean 'phone'"),
    "missing required key": (MINIMAL.replace('phone = "01234 567890"\n', ""), "phone: is missing"),
    "wrong type": (MINIMAL.replace('"01234 567890"', "1234567"), "phone: must be text"),
    "empty required value": (MINIMAL.replace('"Test Clinic"', '"   "'), "name: is empty"),
    "too long": (MINIMAL.replace('"Test Clinic"', '"' + "x" * (FIELDS["name"].max_length + 1) + '"'),
                 f"at most {FIELDS['name'].max_length}"),
    "control character": (MINIMAL.replace('"Test Clinic"', '"Test\\u0007Clinic"'), "control"),
    "NUL byte": (MINIMAL.replace('"Test Clinic"', '"Test\\u0000Clinic"'), "control"),
    "script the font cannot print": (MINIMAL.replace('"Test Clinic"', '"عيادة الكلى"'), "font cannot print"),
    "javascript address": (MINIMAL + 'website = "javascript:alert(1)"\n', "website"),
    "file address": (MINIMAL + 'website = "file:///etc/passwd"\n', "website"),
    "approval date as text": (MINIMAL + '[approval]\napproved_by = "A"\ndate = "soon"\nreference = "R"\n', "approval.date"),
    "logo without alt text": (MINIMAL + 'logo = "logo.png"\n', "logo_alt"),
    "missing logo": (MINIMAL + 'logo = "nope.png"\nlogo_alt = "x"\n', "not found"),
    "absolute logo path": (MINIMAL + 'logo = "/etc/hostname"\nlogo_alt = "x"\n', "relative"),
    "logo escaping the folder": (MINIMAL + 'logo = "../outside.png"\nlogo_alt = "x"\n', "outside"),
    "logo path through a file": (MINIMAL + 'logo = "logo.png/x.png"\nlogo_alt = "x"\n', "cannot be read"),
    # The commonest slips of people typing the file by hand, each with what to do.
    "text without quotes": (MINIMAL.replace('"Test Clinic"', "Test Clinic"),
                            "line 1, column 8); put text in straight double quotes"),
    "curly quotes": (MINIMAL.replace('"Test Clinic"', "\u201cTest Clinic\u201d"), "not curly quotes"),
    "windows path": (MINIMAL + 'logo = "images\\logo.png"\nlogo_alt = "x"\n', "use / between folders"),
    "windows path in a literal string": (MINIMAL + "logo = 'images\\logo.png'\nlogo_alt = 'x'\n",
                                         "logo: use / between folders"),
}


def bad_clinic(tmp_path: Path, case: str) -> tuple[Path, str]:
    body, expected = BAD_CLINIC_FILES[case]
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "logo.png").write_bytes(png(4, 4))
    (tmp_path / "outside.png").write_bytes(png(4, 4))
    return write_clinic(folder, body), expected


@pytest.mark.parametrize("case", sorted(BAD_CLINIC_FILES))
def test_bad_clinic_file_gets_one_line_error_naming_file_and_field(tmp_path, case):
    clinic, expected = bad_clinic(tmp_path, case)
    with pytest.raises(ClinicFileError) as error:
        load_clinic(clinic)
    message = str(error.value)
    assert message.startswith(f"{clinic}: ") and "\n" not in message
    assert expected in message


@pytest.mark.parametrize("case", ["syntax error", "unknown key with suggestion", "logo escaping the folder"])
def test_bad_clinic_file_on_the_command_line_exits_2_with_no_pdf(book, tmp_path, case):
    clinic, expected = bad_clinic(tmp_path, case)
    output = tmp_path / "out" / "leaflet.pdf"
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--clinic", clinic, "--output", output)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(clinic) in result.stderr
    assert expected in result.stderr
    assert not output.exists()
    assert "Traceback" not in result.stderr


def test_a_file_saved_as_latin_1_names_the_line_and_says_save_as_utf8(tmp_path):
    clinic = tmp_path / "clinic.toml"
    clinic.write_bytes(MINIMAL.replace("9 to 5", "Lundi \u00e0 vendredi").encode("latin-1"))
    with pytest.raises(ClinicFileError) as error:
        load_clinic(clinic)
    assert str(error.value) == (f"{clinic}: line 3: not UTF-8 text (byte 0xe0); save the file as UTF-8 "
                                "(in Notepad: Save as, Encoding: UTF-8)")


def test_a_byte_order_mark_from_notepad_is_accepted(tmp_path):
    clinic = tmp_path / "clinic.toml"
    clinic.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load_clinic(clinic)["name"] == "Test Clinic"


def jpeg(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


def test_a_jpeg_logo_is_accepted_and_a_damaged_one_refused(tmp_path):
    good = logo_clinic(tmp_path, "logo.jpg", jpeg(40, 20))
    assert load_clinic(good)["logo_uri"].startswith("data:image/jpeg;base64,")
    damaged = logo_clinic(tmp_path, "logo.jpg", jpeg(40, 20)[:200])
    with pytest.raises(ClinicFileError, match="not a valid JPEG image"):
        load_clinic(damaged)


def logo_clinic(folder: Path, name: str, data: bytes) -> Path:
    (folder / name).write_bytes(data)
    return write_clinic(folder, MINIMAL + f'logo = "{name}"\nlogo_alt = "Clinic logo"\n')


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">%s</svg>'
BAD_LOGOS = {
    "not an image": ("logo.png", b"GIF89a not really", "not a PNG, JPEG or SVG image; save it as PNG"),
    "over 2 MB": ("logo.png", png(4, 4) + b"\0" * (2 * 1024 * 1024), "2 MB"),
    "decompression bomb": ("logo.png", png(60_000, 60_000), "megapixels"),
    "png with a damaged body": ("logo.png", png(4, 4)[:33] + b"\0\0\0\x10IDATgarbage-garbage!\0\0\0\0",
                                "not a valid PNG image"),
    "svg with http reference": ("logo.svg", SVG % b'<use href="http://example.org/x.svg#a"/>', "outside"),
    "svg with file reference": ("logo.svg", SVG % b'<use xlink:href="file:///etc/passwd#a"/>', "outside"),
    "svg with an embedded image": ("logo.svg", SVG % b'<image href="http://example.org/x.png"/>', "<image>"),
    "svg with css url": ("logo.svg", SVG % b'<rect style="fill: url(http://example.org/p)"/>', "outside"),
    "svg with escaped css import": ("logo.svg", SVG % b'<rect style="@\\69mport \'http://x\'"/>', "escaped"),
    "svg with script": ("logo.svg", SVG % b"<script>alert(1)</script>", "<script>"),
    "svg with event handler": ("logo.svg", SVG % b'<rect onload="alert(1)"/>', "scripts"),
    "svg with text": ("logo.svg", SVG % b"<text>Hi</text>", "convert the text to outlines"),
    "svg billion laughs": ("logo.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>', "DOCTYPE"),
    "svg saved as utf-16": ("logo.svg", (SVG % b"<text>Hi</text>").decode().encode("utf-16"), "not UTF-8"),
    "svg declaring another encoding": ("logo.svg", b'<?xml version="1.0" encoding="latin-1"?>' + SVG % b"", "encoding"),
}


@pytest.mark.parametrize("case", sorted(BAD_LOGOS))
def test_bad_logo_is_refused_before_rendering(tmp_path, case):
    name, data, expected = BAD_LOGOS[case]
    clinic = logo_clinic(tmp_path, name, data)
    with pytest.raises(ClinicFileError, match=re.escape(expected)) as error:
        load_clinic(clinic)
    assert str(error.value).startswith(f"{clinic}: logo:")


def test_symlinked_logo_pointing_outside_the_folder_is_refused(tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(png(4, 4))
    (folder / "logo.png").symlink_to(tmp_path / "secret.png")
    clinic = write_clinic(folder, MINIMAL + 'logo = "logo.png"\nlogo_alt = "x"\n')
    with pytest.raises(ClinicFileError, match="outside"):
        load_clinic(clinic)


@pytest.mark.parametrize("logo", ["svg", "png"])
def test_clinic_logo_and_qr_code_carry_alt_text(book, tmp_path, logo):
    if logo == "svg":
        clinic = EXAMPLE
    else:
        clinic = logo_clinic(tmp_path, "logo.png", png(40, 20))
    output = tmp_path / "logo.pdf"
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--clinic", clinic, "--output", output)
    assert result.returncode == 0, result.stderr
    alts = figure_alts(output)
    assert ("Riverside Kidney Unit" if logo == "svg" else "Clinic logo") in alts
    assert "QR code that opens the online guide" in alts


def figure_alts(path: Path) -> list[str]:
    import pikepdf

    alts = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            if kids is not None:
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                    walk(kid)

    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return alts


@pytest.mark.parametrize("case", ["svg saved as utf-16", "png with a damaged body", "svg with escaped css import"])
def test_hostile_logo_stops_the_render_with_exit_2_and_no_pdf(book, tmp_path, case):
    name, data, expected = BAD_LOGOS[case]
    clinic = logo_clinic(tmp_path, name, data)
    output = tmp_path / "out.pdf"
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--clinic", clinic, "--output", output)
    assert result.returncode == 2, result.stderr
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not output.exists()


def test_a_clinic_file_may_hold_its_texts_in_another_language(tmp_path):
    """[es] overrides: checked with the same rules (errors name es.<field>), used only in Spanish."""
    from calcinosis_guide.clinic import ClinicFileError, clinic_in, load_clinic

    base = ('name = "Riverside Kidney Unit"\nphone = "020 7946 0000"\nhours = "Monday to Friday, 8am to 6pm"\n'
            'urgent_help = "Out of hours, call 111. In an emergency call 999."\n')
    good = tmp_path / "clinic.toml"
    good.write_text(base + '\n[es]\nhours = "De lunes a viernes, de 8 a 18 h"\n', encoding="utf-8")
    clinic = load_clinic(good)
    assert clinic_in(clinic, "es")["hours"] == "De lunes a viernes, de 8 a 18 h"
    assert clinic_in(clinic, "en")["hours"] == "Monday to Friday, 8am to 6pm"
    assert clinic_in(clinic, "es")["phone"] == "020 7946 0000"
    for table, problem in (('hours = "' + "x" * 41 + '"', "es.hours: is 41 characters"),
                           ('phone = "123"', "es.phone: unknown key"),
                           ('hours = 5', "es.hours: must be text")):
        bad = tmp_path / "bad.toml"
        bad.write_text(base + f"\n[es]\n{table}\n", encoding="utf-8")
        with pytest.raises(ClinicFileError, match=re.escape(problem)):
            load_clinic(bad)
