"""Every edition the PDF/UA tests check, rendered once per test session.

The default editions (and their fillable editions) come from the session's book (conftest's ``book``); the
clinic editions are rendered here: the example clinic (SVG logo, with email
and website) on A4 and as Letter large print, and a clinic with a PNG logo.
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=None)
def editions(book: Path) -> dict[str, Path]:
    """Name -> PDF of every edition: the four defaults, their fillable editions and three clinic editions."""
    found = {name: book / "leaflet" / filename for name, filename in DEFAULT.items()}
    folder = book / "pdfua-editions"
    folder.mkdir(exist_ok=True)
    png_clinic = folder / "png-clinic" / "clinic.toml"
    png_clinic.parent.mkdir(exist_ok=True)
    (png_clinic.parent / "logo.png").write_bytes(png(60, 30))
    png_clinic.write_text(PNG_CLINIC, encoding="utf-8")
    for name, clinic, options in (("clinic-svg-a4", EXAMPLE_CLINIC, ["--paper", "a4"]),
                                  ("clinic-svg-letter-large-print", EXAMPLE_CLINIC, ["--paper", "letter", "--large-print"]),
                                  ("clinic-png-a4", png_clinic, ["--paper", "a4"])):
        output = folder / f"{name}.pdf"
        result = run_leaflet("--build-dir", book, "--clinic", clinic, *options, "--output", output)
        assert result.returncode == 0, result.stderr
        found[name] = output
    return found
