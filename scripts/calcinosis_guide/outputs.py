"""Where every output of the build lands, and what it is called.

The book extension links to the leaflets, the leaflet extension writes the
hand-over for the renderer, the renderer writes the PDFs and the build
swaps folders into place: all of them take their names from here, so no
two modules can disagree about a path.
"""

from __future__ import annotations

from pathlib import Path

PAPERS = ("a4", "letter")


def leaflet_filename(language: str, paper: str, large_print: bool = False) -> str:
    """The file name every leaflet PDF is published under."""
    edition = "-large-print" if large_print else ""
    return f"calcinosis-leaflet-{language}-{paper}{edition}.pdf"


def html_dir(build_dir: Path, language: str) -> Path:
    """The built web book of one language."""
    return Path(build_dir) / ("html" if language == "en" else f"html-{language}")


def leaflet_content_path(build_dir: str | Path, language: str) -> Path:
    """The leaflet passages collected by the book build, for the renderer."""
    return Path(build_dir) / "leaflet-content" / f"{language}.json"
