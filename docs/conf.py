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
    "calcinosis_guide.book",
    "calcinosis_guide.leaflet",
    "calcinosis_guide.triage",
    "calcinosis_guide.mystlint",
    "calcinosis_guide.qualityreport",
    # Page descriptions, schema.org data, robots.txt, the 404 page's links, a
    # complete sitemap; it loads the three extensions after it.
    "calcinosis_guide.webpage",
    "sphinx_sitemap",
    "sphinxext.opengraph",
    "notfound.extension",
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
html_theme_options = {
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "toc_title": "On this page",
    "home_page_in_toc": True,
    "back_to_top_button": False,
    # No top bar: its buttons would repeat the ones above each page.
    "navbar_persistent": [],
    "search_bar_text": "Search this book",
    # The footer under every page: publisher, review dates, leaflet, feedback.
    "footer_content_items": ["book-footer.html"],
}
# The left column: title and search (in a <header>), then the contents.
html_sidebars = {"**": ["book-sidebar-title.html", "sbt-sidebar-nav.html"]}
# What the templates in _templates/ show under every page.
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
webpage_description_length = 160
webpage_search_description = f"Search the pages of {BOOK['title']}: {BOOK['subtitle']}."

# The 404 page (sphinx-notfound-page, from docs/404.md): hosts send it for a
# missing address at any depth, so its links start at the book's path on the
# host. A copy hosted elsewhere passes its own: -D notfound_urls_prefix=/path/
notfound_urls_prefix = urlsplit(html_baseurl).path

leaflet_large_print = True

# Until the pages are reworded to the triage scale (branch "content").
suppress_warnings = ["calcinosis.triage"]


# --- The theme: what conf.py still adjusts (moves to calcinosis_guide.theme) --

import contextlib  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402

from markupsafe import Markup  # noqa: E402

from calcinosis_guide.book import review_line  # noqa: E402
from calcinosis_guide.outputs import leaflet_filename  # noqa: E402

# Scripts the theme adds that the book does not use: Font Awesome (icons are
# inline SVG next to text labels) and Bootstrap (no tooltips or dropdowns).
_UNUSED_SCRIPTS = re.compile(r'\s*<script[^>]*/scripts/(?:bootstrap|fontawesome)\.js[^>]*></script>')


def _without_unused_scripts(markup: str) -> Markup:
    return Markup(_UNUSED_SCRIPTS.sub("", str(markup)))


# The theme's toggle for a section in the contents: an icon-font arrow and no name.
_NAV_TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">(?P<title>[^<]*)</a>)'
    r'<details(?P<open>[^>]*)><summary><span class="toctree-toggle" role="presentation">'
    r'<i class="fa-solid fa-chevron-down"></i></span></summary>'
)
_CHEVRON = ('<svg class="book-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24">'
            '<path d="M6 9l6 6 6-6"/></svg>')


def _fix_nav(html_text: str) -> Markup:
    """Name each section toggle ("Pages in: <section>") and draw its arrow in SVG."""
    def toggle(m: re.Match) -> str:
        return (f'{m[1]}<details{m["open"]}><summary><span class="toctree-toggle">{_CHEVRON}'
                f'<span class="visually-hidden">Pages in: {m["title"].strip()}</span></span></summary>')
    return Markup(_NAV_TOGGLE.sub(toggle, str(html_text)))


def _page_context(app, pagename, templatename, context, doctree) -> None:
    language = app.config.language or "en"
    context["book_fix_nav"] = _fix_nav
    context["book_without_unused_scripts"] = _without_unused_scripts
    context["book_review_line"] = review_line(app.config.book_metadata, language)
    context["book_leaflet_pdf"] = leaflet_filename(language, "a4")


# Font Awesome rules in the theme's stylesheet: one per icon, for icons the
# book never shows (about 30% of the CSS every page must load before it can
# draw anything), and the @font-face rules for its fonts.
_ICON_RULES = re.compile(r'(?:\.fa-[a-z0-9-]+,?)+\{--fa:"[^"]*"\}|@font-face\{[^}]*fa-[a-z]+-\d+\.woff2[^}]*\}')
_UNUSED_FILES = (
    "_static/scripts/fontawesome.js", "_static/scripts/fontawesome.js.map",
    "_static/scripts/fontawesome.js.LICENSE.txt",
    "_static/scripts/bootstrap.js", "_static/scripts/bootstrap.js.map",
    "_static/scripts/bootstrap.js.LICENSE.txt",
    "_static/styles/pydata-sphinx-theme.css.map",
)


def _slim_theme_assets(app, exception) -> None:
    """Drop what the book never loads from the built site, and the icon rules
    from the theme's stylesheet (the page templates load neither)."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir)
    css = static / "_static/styles/pydata-sphinx-theme.css"
    if css.exists():
        text = _ICON_RULES.sub("", css.read_text(encoding="utf-8"))
        text = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", text)
        css.write_text(text, encoding="utf-8")
    for name in _UNUSED_FILES:
        (static / name).unlink(missing_ok=True)
    shutil.rmtree(static / "_static/vendor/fontawesome", ignore_errors=True)
    with contextlib.suppress(OSError):
        (static / "_static/vendor").rmdir()  # only if now empty


def setup(app):
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _slim_theme_assets)
