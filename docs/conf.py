"""Sphinx configuration for the metastatic calcinosis cutis book."""

import sys
from pathlib import Path

DOCS = Path(__file__).parent
sys.path.insert(0, str(DOCS / "_ext"))

from bookmeta import load_book_metadata  # noqa: E402

book_metadata = load_book_metadata(DOCS / "book.toml")
BOOK = book_metadata["book"]

project = BOOK["title"]
author = BOOK["publisher"]
copyright = f"{book_metadata['review']['last_reviewed'].year}, {BOOK['publisher']}. Text: {BOOK['licence']}"
language = "en"
html_baseurl = BOOK["base_url"]

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "bookmeta",
    "leaflet",
]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/README.md"]
root_doc = "index"
locale_dirs = ["locales/"]
gettext_compact = False

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "label"

html_theme = "sphinx_book_theme"
html_title = BOOK["title"]
html_static_path = ["_static"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
}

leaflet_large_print = True
