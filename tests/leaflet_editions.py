"""The leaflet editions the PDF tests check, each rendered once per test session.

The default editions (and their fillable editions) come from the session's book
(conftest's ``book``); the clinic editions are rendered here, once for all the
pytest-xdist workers (conftest's ``handout`` and ``pdf_editions``): one batch of
the example clinic (SVG logo, with email and website) and a clinic at the longest
allowed values on both papers, standard and large print, and a clinic with a PNG logo.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT, run_leaflet

EXAMPLE_CLINIC = ROOT / "scripts" / "example-clinic" / "clinic.toml"
DEFAULT = {
    "a4": "calcinosis-leaflet-en-a4.pdf",
    "letter": "calcinosis-leaflet-en-letter.pdf",
    "a4-large-print": "calcinosis-leaflet-en-a4-large-print.pdf",
    "letter-large-print": "calcinosis-leaflet-en-letter-large-print.pdf",
    "a4-fillable": "calcinosis-leaflet-en-a4-fillable.pdf",
    "letter-fillable": "calcinosis-leaflet-en-letter-fillable.pdf",
    "a4-large-print-fillable": "calcinosis-leaflet-en-a4-large-print-fillable.pdf",
    "letter-large-print-fillable": "calcinosis-leaflet-en-letter-large-print-fillable.pdf",
}
PNG_CLINIC = ('name = "Test Clinic"\nphone = "01234 567890"\nhours = "9 to 5"\nurgent_help = "Call 111."\n'
              'email = "team@example.org"\nwebsite = "https://www.example.org/renal"\n'
              'logo = "logo.png"\nlogo_alt = "Test Clinic logo"\n')


def png(width: int, height: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x20\x40\x90" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def render_png_clinic(book: Path, folder: Path) -> None:
    """A clinic with a PNG logo, on A4, into ``folder``."""
    png_clinic = folder / "png-clinic" / "clinic.toml"
    png_clinic.parent.mkdir()
    (png_clinic.parent / "logo.png").write_bytes(png(60, 30))
    png_clinic.write_text(PNG_CLINIC, encoding="utf-8")
    result = run_leaflet("--build-dir", book, "--clinic", png_clinic, "--paper", "a4",
                         "--output", folder / "clinic-png-a4.pdf")
    assert result.returncode == 0, result.stderr


def editions(book: Path, handout: dict, png_folder: Path) -> dict[str, Path]:
    """Name -> PDF of every edition the PDF/UA tests check: the four defaults, their fillable
    editions, the example clinic's (SVG logo, with email and website) on A4 and as Letter
    large print from the hand-out batch, and the PNG logo clinic's from ``render_png_clinic``."""
    found = {name: book / "leaflet" / filename for name, filename in DEFAULT.items()}
    found["clinic-svg-a4"] = handout["clinic-a4"].pdf
    found["clinic-svg-letter-large-print"] = handout["clinic-letter-large-print"].pdf
    found["clinic-png-a4"] = png_folder / "clinic-png-a4.pdf"
    return found


# -- every edition a clinic could hand out, for the page-break rules ---------------------------------

def widest_text(length: int) -> str:
    """Capital letters in words: about the widest text a clinic could type."""
    return ("WIDE MMMM " * 40)[:length].strip().ljust(length, "M")


def longest_clinic_file(folder: Path) -> Path:
    """A clinic file with every field at its longest allowed value: the address ends in a
    postcode and the website has a hyphen, the two things a line must not split."""
    from calcinosis_guide.clinic import APPROVAL_FIELDS, FIELDS

    lines = [f'{name} = "{widest_text(spec.max_length)}"' for name, spec in FIELDS.items()
             if spec.kind == "text" and name not in ("logo", "logo_alt", "address")]
    website = "-unit.example.org"
    lines += [f'address = "{widest_text(FIELDS["address"].max_length - 8)} SE1 0XX"',
              f'phone = "{"0" * FIELDS["phone"].max_length}"',
              f'email = "{"m" * (FIELDS["email"].max_length - 12)}@example.org"',
              f'website = "https://{"w" * (FIELDS["website"].max_length - 8 - len(website))}{website}"',
              "[approval]", f'approved_by = "{widest_text(APPROVAL_FIELDS["approved_by"].max_length)}"',
              "date = 2026-01-01", f'reference = "{"R" * APPROVAL_FIELDS["reference"].max_length}"']
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "clinic.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Edition:
    pdf: Path
    large_print: bool
    clinic: Path | None  # the clinic file it was made with
    book: Path  # the build folder whose hand-over it was made from

    def addresses(self) -> list[str]:
        """The web address of the book, and the clinic's web and email addresses and postcode:
        what a reader copies by hand, so each must stay on one line."""
        import json
        import tomllib

        from calcinosis_guide.render import POSTCODE, short_address

        handover = self.book / "leaflet-content" / "en.json"
        found = [short_address(json.loads(handover.read_text(encoding="utf-8"))["book"]["base_url"])]
        if self.clinic is not None:
            clinic = tomllib.loads(self.clinic.read_text(encoding="utf-8"))
            found += [clinic[key] for key in ("email", "website") if key in clinic]
            found += [" ".join(g for g in match.groups() if g) for match in POSTCODE.finditer(clinic.get("address", ""))]
        return found


def render_handout_batch(book: Path, folder: Path) -> None:
    """The example clinic's and a clinic's at the longest allowed values, each on A4 and
    Letter, standard and large print, into ``folder``: one batch run, the way a health
    system makes them."""
    import shutil

    clinics = folder / "clinics"
    clinics.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE_CLINIC, clinics / "clinic.toml")
    shutil.copy(EXAMPLE_CLINIC.parent / "logo.svg", clinics / "logo.svg")
    longest_clinic_file(folder / "longest").replace(clinics / "longest.toml")
    result = run_leaflet("--build-dir", book, "--clinics", clinics, "--paper", "a4", "--paper", "letter",
                         "--edition", "standard", "--edition", "large-print", "--jobs", "1",
                         "--output", folder / "out")
    assert result.returncode == 0, result.stderr


def handout_editions(book: Path, folder: Path) -> dict[str, Edition]:
    """Name -> every edition a clinic hands out: the eight defaults (fillable ones too), and
    the clinic editions ``render_handout_batch`` made in ``folder``."""
    found = {name: Edition(book / "leaflet" / filename, "large-print" in name, None, book)
             for name, filename in DEFAULT.items()}
    clinics = folder / "clinics"
    for stem in ("clinic", "longest"):
        for paper in ("a4", "letter"):
            for large in (False, True):
                name = f"{stem}-{paper}{'-large-print' if large else ''}"
                output = folder / "out" / f"{stem}-calcinosis-leaflet-en-{paper}{'-large-print' if large else ''}.pdf"
                assert output.exists(), output
                found[name] = Edition(output, large, clinics / f"{stem}.toml", book)
    return found
