"""Sphinx configuration for the metastatic calcinosis cutis book."""

import contextlib
import io
import os
import shutil
from pathlib import Path

from calcinosis_guide.book import load_book_metadata
from calcinosis_guide.book import site_path as bookmeta_site_path

DOCS = Path(__file__).parent

# sphinxext-opengraph prints a note on import when matplotlib (only needed for
# social-card images, which the book does not make) is missing; keep the build
# output quiet by importing it once here with that note swallowed.
with contextlib.redirect_stdout(io.StringIO()):
    import sphinxext.opengraph  # noqa: E402, F401

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
    "calcinosis_guide.pybtex_plugins",
    "calcinosis_guide.incremental",
    "calcinosis_guide.book",
    "calcinosis_guide.leaflet",
    "calcinosis_guide.triage",
    "calcinosis_guide.mystlint",
    "calcinosis_guide.checks",
    "sphinx_sitemap",
    "sphinxext.opengraph",
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

# OpenGraph and <meta name="description"> on every page (sphinxext-opengraph).
ogp_site_url = html_baseurl
ogp_site_name = BOOK["title"]
ogp_type = "article"
ogp_description_length = 160
ogp_social_cards = {"enable": False}
ogp_enable_meta_description = True

leaflet_large_print = True


# --- The web book: what every page carries besides its text -----------------

import html  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402

from markupsafe import Markup  # noqa: E402

from calcinosis_guide.book import review_line  # noqa: E402
from calcinosis_guide.outputs import leaflet_filename  # noqa: E402

# Scripts the theme adds that the book does not use: Font Awesome (icons are
# inline SVG next to text labels) and Bootstrap (no tooltips or dropdowns).
_UNUSED_SCRIPTS = re.compile(r'\s*<script[^>]*/scripts/(?:bootstrap|fontawesome)\.js[^>]*></script>')


def _without_unused_scripts(markup: str) -> Markup:
    return Markup(_UNUSED_SCRIPTS.sub("", str(markup)))


def _medical_web_page(app, pagename: str, title: str) -> Markup:
    """schema.org MedicalWebPage data for one page, with the last-reviewed date."""
    metadata = app.config.book_metadata
    book = metadata["book"]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": Markup(title).striptags(),
        "url": app.config.html_baseurl + app.builder.get_target_uri(pagename),
        "inLanguage": app.config.language or "en",
        "lastReviewed": metadata["review"]["last_reviewed"].isoformat(),
        "about": {"@type": "MedicalCondition", "name": "Metastatic calcinosis cutis"},
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "publisher": {"@type": "Organization", "name": book["publisher"]},
        "license": book["licence_url"],
        "isPartOf": {"@type": "WebSite", "name": book["title"], "url": app.config.html_baseurl},
    }
    text = json.dumps(data, ensure_ascii=False, indent=None)
    # Inside <script>, "</" could end the element early: escape every "<".
    return Markup(text.replace("<", "\\u003c"))


def _description(doctree, limit: int = 160) -> str:
    """A page's summary for search results and link previews.

    The "Key points" box that opens every page says it best; failing that,
    the first paragraph of text (not the review-dates line).
    """
    from docutils import nodes

    texts: list[str] = []
    box = next((n for n in doctree.findall(nodes.admonition) if "key-points" in n["classes"]), None)
    if box is not None:
        texts = [item.astext() for item in box.findall(nodes.list_item)]
    if not texts:
        texts = [p.astext() for p in doctree.findall(nodes.paragraph)
                 if "review-dates" not in p["classes"]][:2]
    text = " ".join(" ".join(texts).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# An external link whose text is its own address.
_BARE_URL_LINK = re.compile(r'<a class="reference external" href="([^"]+)">\1</a>')


def _fix_body(body: str) -> str:
    """Small fixes to the HTML that docutils writes for a page.

    - Bibliography entries: docutils gives them the deprecated DPUB role
      ``doc-biblioentry`` inside a ``role="list"``; a list needs list items.
    - Links whose text is already the address are marked, so the print
      stylesheet does not print the address twice.
    """
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    return _BARE_URL_LINK.sub(r'<a class="reference external book-bare-url" href="\1">\1</a>', body)


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
    if "body" in context:
        context["body"] = _fix_body(context["body"])
    if doctree is not None:
        # Runs before sphinxext-opengraph, which then uses this description for
        # og:description and leaves the <meta name="description"> given here.
        description = _description(doctree)
        if description:
            context["meta"] = {**(context.get("meta") or {}), "og:description": html.escape(description)}
            context["metatags"] += f'<meta name="description" content="{html.escape(description)}" />\n'

    context["book_without_unused_scripts"] = _without_unused_scripts
    context["book_review_line"] = review_line(app.config.book_metadata, language)
    context["book_leaflet_pdf"] = leaflet_filename(language, "a4")
    if pagename == "search":
        text = f"Search the pages of {BOOK['title']}: {BOOK['subtitle']}."
        context["metatags"] = context.get("metatags", "") + f'<meta name="description" content="{html.escape(text)}" />\n'
    if doctree is not None and pagename != "404":
        context["book_jsonld"] = _medical_web_page(app, pagename, context.get("title", ""))


def _write_robots_txt(app, exception) -> None:
    """robots.txt at the site root, naming the sitemap under html_baseurl."""
    if exception is not None or app.builder.format != "html":
        return
    text = f"User-agent: *\nAllow: /\n\nSitemap: {app.config.html_baseurl}{app.config.sitemap_filename}\n"
    (Path(app.outdir) / "robots.txt").write_text(text, encoding="utf-8")


# A relative address in an href, src or action attribute (not a scheme, //host, /path or #anchor).
_RELATIVE_URL = re.compile(r'(\s(?:href|src|action)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"]*)"')


def site_path() -> str:
    """Where the hosted book lives on its server (see bookmeta.site_path)."""
    return bookmeta_site_path(html_baseurl)


def _make_404_absolute(app, exception) -> None:
    """Make the 404 page work at any depth.

    Hosts (Read the Docs, GitHub Pages) send 404.html for a missing address
    anywhere on the site, so its links, styles and scripts must not be
    relative to where it was built: they become /en/latest/... paths.
    """
    if exception is not None or app.builder.format != "html":
        return
    page = Path(app.outdir) / "404.html"
    if not page.exists():
        return
    prefix = site_path()
    text = page.read_text(encoding="utf-8")
    text = _RELATIVE_URL.sub(lambda m: f'{m[1]}{prefix}{m[2]}"', text)
    text = text.replace('data-content_root="./"', f'data-content_root="{prefix}"')
    page.write_text(text, encoding="utf-8")


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
    app.connect("html-page-context", _page_context, priority=400)
    app.connect("build-finished", _write_robots_txt)
    app.connect("build-finished", _make_404_absolute)
    app.connect("build-finished", _slim_theme_assets)


# Content checks
# calcinosis_guide.checks (docs/maintainers/standards.md). These are the
# defaults, written out so that renaming a page shows where to follow.
calcinosis_maintainer_pages = ["maintainers/*"]  # every other page is a patient page
calcinosis_clinical_pages = ["what-it-is", "causes", "symptoms", "tests", "treatment", "medicines"]
calcinosis_glossary_page = "glossary"
calcinosis_help_page = "symptoms"
calcinosis_help_heading = "When to get help now"
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
}
