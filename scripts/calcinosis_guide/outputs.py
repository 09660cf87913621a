"""Where every output of the build lands, and what it is called.

The book extension links to the leaflets, the leaflet extension writes the
hand-over for the renderer, the renderer writes the PDFs and the build
swaps folders into place: all of them take their names from here, so no
two modules can disagree about a path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PAPERS = ("a4", "letter")
# The folder of _static where the maker page's third-party libraries (pdf-lib,
# fontkit) and their font are copied; they never touch a page's classes.
MAKER_LIBRARIES = "maker"


def leaflet_filename(language: str, paper: str, large_print: bool = False, fillable: bool = False) -> str:
    """The file name every leaflet PDF is published under."""
    edition = ("-large-print" if large_print else "") + ("-fillable" if fillable else "")
    return f"calcinosis-leaflet-{language}-{paper}{edition}.pdf"


def html_dir(build_dir: Path, language: str) -> Path:
    """The built web book of one language."""
    return Path(build_dir) / ("html" if language == "en" else f"html-{language}")


# The layout of the hand-over file (the leaflet extension writes it, the
# renderer reads it and refuses any other). Here, not in the extension, so a
# clinic's render never imports Sphinx.
# 2: the "continued" label, printed where a triage card runs on over a turn.
HANDOVER_FORMAT = 2


def leaflet_content_path(build_dir: str | Path, language: str) -> Path:
    """The leaflet passages collected by the book build, for the renderer."""
    return Path(build_dir) / "leaflet-content" / f"{language}.json"


def sources_fingerprint(source: str | Path) -> str:
    """A fingerprint of what a book build reads: every file of the source folder
    and of this package. The hand-over records it, so the leaflet command can
    tell, by content rather than by clock, whether the pages changed since."""
    source = Path(source)
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in (source, package):
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if path.is_file() and not any(p.startswith((".", "_build", "__pycache__")) for p in parts):
                digest.update("/".join(parts).encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()
