"""Sphinx configuration for the metastatic calcinosis cutis book.

Settings only. What the book does beyond Sphinx and its theme is in the
extensions of the calcinosis_guide package (scripts/calcinosis_guide/): each
module's docstring and setup() say what it adds.
"""

from pathlib import Path
from urllib.parse import urlsplit

from calcinosis_guide.book import load_book_metadata

book_metadata = load_book_metadata(Path(__file__).with_name("book.toml"))
BOOK = book_metadata["book"]

project = BOOK["title"]
author = BOOK["publisher"]
copyright = f"{book_metadata['review']['last_reviewed'].year}, {BOOK['publisher']}. Text: {BOOK['licence']}"
language = "en"
html_baseurl = BOOK["base_url"]

extensions = [
    "myst_parser",
    "sphinxcontrib.bibtex",
    "calcinosis_guide.pybtex_plugins",
    "calcinosis_guide.incremental",
    "calcinosis_guide.book",
    "calcinosis_guide.leaflet",
    "calcinosis_guide.triage",
    "calcinosis_guide.mystlint",
    "calcinosis_guide.checks",
    # Page descriptions, schema.org data, robots.txt, the 404 page's links, a
    # complete sitemap; it loads the three extensions after it.
    "calcinosis_guide.webpage",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "notfound.extension",
    # The theme's slots filled with the book's components; unused theme files dropped.
    "calcinosis_guide.theme",
    # The leaflet maker page: its form, script and schema (clinic-leaflet.md).
    "calcinosis_guide.maker",
    # A service worker that keeps the book readable offline after a first visit.
    "calcinosis_guide.offline",
    # Tables as cards on a phone, read as tables by screen readers; no empty toctree boxes.
    "calcinosis_guide.structure",
    # Each language's own address, hreflang alternates and the language switcher.
    "calcinosis_guide.languages",
]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/README.md"]
root_doc = "index"
# The catalogs are docs/locales/<lang>/LC_MESSAGES/*.po; calcinosis_guide.catalogs
# compiles the build's language into the build folder and sets locale_dirs to
# it, so nothing is compiled into docs/ (README.md, "Translating").
locale_dirs = []
gettext_compact = False

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "label"
# No title tooltips on citations: touch and keyboard users never see them,
# they repeat the whole reference in every page's first view, and formatting
# each entry twice costs half a second on every rebuild.
bibtex_tooltips = False

templates_path = ["_templates"]

html_theme = "sphinx_book_theme"
html_title = BOOK["title"]
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_js_files = [("book.js", {"defer": ""})]
html_favicon = "_static/favicon.svg"
# The glossary is the book's index; Sphinx's generated index would only
# repeat it on a page without review dates or navigation text.
html_use_index = False
html_domain_indices = False
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
# The theme's slots, filled with the book's components (docs/_templates/book-*.html).
html_theme_options = {
    "show_toc_level": 2,
    "toc_title": "On this page",
    "home_page_in_toc": True,
    "back_to_top_button": False,
    # No top bar (layout.html): its buttons would repeat the ones above each page.
    "navbar_persistent": [],
    # The bar above each page: Menu; Search, Dark mode and On this page, in
    # the order they show (the keyboard follows this order).
    "article_header_start": ["book-menu-button.html"],
    "article_header_end": ["book-search-button.html", "book-dark-mode-button.html",
                           "book-page-toc-button.html"],
    # The right-hand column: the sections of this page.
    "secondary_sidebar_items": ["book-page-toc.html"],
    # Previous and next page, under the text.
    "show_prev_next": False,
    "article_footer_items": ["book-prev-next.html"],
    # The footer under every page: publisher, review dates, leaflet, feedback.
    "footer_content_items": ["book-language-switcher.html", "book-footer.html"],
}
# The left column: title and search (in a <header>), then the contents.
html_sidebars = {"**": ["book-sidebar-title.html", "book-sidebar-nav.html"]}
# What the components show under every page.
html_context = {
    "book": BOOK,
    # Follow the reader's system setting until they choose light or dark.
    "default_mode": "auto",
}

# sitemap.xml (sphinx-sitemap): page addresses under html_baseurl.
sitemap_url_scheme = "{link}"
sitemap_excludes = ["search.html", "404.html", "genindex.html"]

# OpenGraph (sphinxext-opengraph); its og:description and <meta name="description">
# are the page's summary from calcinosis_guide.webpage.
ogp_site_url = html_baseurl
ogp_site_name = BOOK["title"]
ogp_type = "article"
ogp_description_length = 160
ogp_social_cards = {"enable": False}
ogp_enable_meta_description = True

# schema.org MedicalWebPage data and descriptions (calcinosis_guide.webpage).
webpage_condition = "Metastatic calcinosis cutis"
webpage_audience = "Patient"
webpage_description_length = ogp_description_length  # one limit for both descriptions
webpage_search_description = f"Search the pages of {BOOK['title']}: {BOOK['subtitle']}."

# The 404 page (sphinx-notfound-page, from docs/404.md): hosts send it for a
# missing address at any depth, so its links start at the book's path on the
# host. A copy hosted elsewhere passes its own: -D notfound_urls_prefix=/path/
notfound_urls_prefix = urlsplit(html_baseurl).path

# {leaflet-downloads} links the large-print editions beside the standard
# ones (make builds and publishes them either way).
leaflet_link_large_print = True

# After a first visit the book keeps working offline (calcinosis_guide.offline).
calcinosis_offline = True

# Content checks
# calcinosis_guide.checks (docs/maintainers/standards.md). These are the
# defaults, written out so that renaming a page shows where to follow.
calcinosis_maintainer_pages = ["maintainers/*"]  # every other page is a patient page
calcinosis_clinical_pages = ["what-it-is", "causes", "symptoms", "tests", "treatment", "medicines"]
calcinosis_glossary_page = "glossary"
calcinosis_help_page = "symptoms"
calcinosis_help_heading = "When to get help now"
# Pages where urgency wording outside a triage card makes no second scale: the
# maintainers' pages describe the scale, the reference list quotes titles, and
# the 404 page only points to When to get help now.
calcinosis_triage_exempt_pages = ["maintainers/*", "references", "404"]
# Entries whose missing details the fact base and every record we could find
# lack (docs/references.bib notes each); the build fails on any other
# incomplete entry, and on an entry here that is complete now.
calcinosis_bibliography_gaps = {
    "ref09": "book chapter seen only in copies; edition, year and identifier not found",
    "ref14": "PubMed record 7488286 seen without its authors",
    "ref18": "KDIGO 2017 guideline seen only in copies and an index record; DOI not seen",
    "ref22": "article seen only in a copy of the journal's site; year and identifiers not found",
    "ref28": "article page seen without its title",
    "ref29": "journal page seen without its authors",
    "ref30": "PMC page stored without its title, authors and year",
    "ref43": "PubMed and journal pages seen without their authors",
    "ref44": "abstract seen only on an aggregator; authors, journal, year and identifiers not found",
    "ref63": "PubMed record seen without its authors",
    "ref72": "article seen only in copies; DOI and PMID not found",
    "ref81": "PMC page stored without its title, authors and year",
    "ref86": "PMC page stored without its title, authors and year",
    "ref91": "systematic review seen in a copy and index records; DOI and PMID not seen",
    "ref129": "PubMed mirror record seen without its authors",
    "ref38": "textbook chapter seen on its publisher's page without its authors",
    "ref109": "patient leaflet seen only in a copy on another site; its own address not found",
    "ref122": "patient leaflet seen only in a copy on another site; its own address not found",
    "ref128": "article seen on PubMed Central; journal and year not found",
}
