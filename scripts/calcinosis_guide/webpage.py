"""What every page of the web book tells search engines, link previews and hosts.

A Sphinx extension (``calcinosis_guide.webpage`` in ``extensions``). Its
``setup()`` registers:

- ``html-page-context`` handlers (priority 400, so before
  sphinxext-opengraph):

  - each page's summary, from its "Key points" box or else its first
    paragraphs, becomes ``<meta name="description">`` and ``og:description``
    (the search page, which has no text of its own, gets
    ``webpage_search_description``);
  - ``webpage_jsonld`` in the template context: schema.org
    ``MedicalWebPage`` data with the last-reviewed date from book.toml, which
    ``docs/_templates/layout.html`` puts in the page head (not on the 404
    page: it is no page of the book);
  - the 404 page's ``data-content_root`` starts at the site root, like the
    rest of that page (below).

- a post-transform, :class:`MarkBareURLs`: a link whose text is its own
  address gets the class ``book-bare-url``, so the print stylesheet does not
  print the address a second time after it.
- an HTML visitor for ``citation`` nodes: bibliography entries are list items
  (``role="listitem"``) of the ``role="list"`` that docutils wraps them in,
  instead of docutils' ``doc-biblioentry`` role (deprecated in DPUB-ARIA 1.1,
  and not an item of that list).
- ``doctree-resolved`` (after calcinosis_guide.book's review banner): the
  links in the 404 page's text start at the site root. Hosts send that page
  for a missing address at any depth; sphinx-notfound-page (``notfound_*``
  settings) already does this for the theme's links, scripts and styles, and
  for images, but not for links in the page's text.
- ``html-page-context`` and ``build-finished``: sphinx-sitemap lists only the
  pages written in the current build (jdillard/sphinx-sitemap#13), so an
  incremental build that wrote one page would publish a sitemap of one page.
  Just before it writes the sitemap, the pages this build did not write are
  handed to it too; writing every page instead would cost seconds each build.
- ``build-finished``: ``robots.txt`` at the site root, allowing everything and
  naming the sitemap under ``html_baseurl``.

It loads the three extensions it works with: sphinx-sitemap, sphinxext-opengraph
and sphinx-notfound-page.

Config values:

``webpage_description_length`` (160)
    Longest summary, in characters; a longer one is cut at a word, with "…".
``webpage_search_description`` ("")
    The search page's description.
``webpage_condition`` ("")
    The medical condition the pages are about (schema.org ``about``); the
    JSON-LD is left out while it is empty.
``webpage_audience`` ("Patient")
    schema.org ``MedicalAudience`` type of the readers.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from docutils.writers.html5_polyglot import HTMLTranslator
from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform


# --- Summary, description and structured data --------------------------------

def page_summary(doctree: nodes.document, limit: int = 160) -> str:
    """A page's summary for search results and link previews.

    The "Key points" box that opens every page says it best; failing that,
    the first two paragraphs of text (not the review-dates line).
    """
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


def medical_web_page(app: Sphinx, pagename: str, title: str) -> Markup:
    """schema.org MedicalWebPage data for one page, as text safe inside <script>."""
    metadata = app.config.book_metadata
    book = metadata["book"]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": Markup(title).striptags(),
        "url": app.config.html_baseurl + app.builder.get_target_uri(pagename),
        "inLanguage": app.config.language or "en",
        "lastReviewed": metadata["review"]["last_reviewed"].isoformat(),
        "about": {"@type": "MedicalCondition", "name": app.config.webpage_condition},
        "audience": {"@type": "MedicalAudience", "audienceType": app.config.webpage_audience},
        "publisher": {"@type": "Organization", "name": book["publisher"]},
        "license": book["licence_url"],
        "isPartOf": {"@type": "WebSite", "name": book["title"], "url": app.config.html_baseurl},
    }
    text = json.dumps(data, ensure_ascii=False, indent=None)
    # Inside <script>, "</" could end the element early.
    return Markup(text.replace("<", "\\u003c"))


def _meta_description(text: str) -> str:
    return f'<meta name="description" content="{html.escape(text)}" />\n'


def describe_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """<meta name="description">, og:description and the JSON-LD of one page."""
    if doctree is None:
        if pagename == "search" and app.config.webpage_search_description:
            context["metatags"] = context.get("metatags", "") + _meta_description(
                app.config.webpage_search_description)
        return
    description = page_summary(doctree, app.config.webpage_description_length)
    if description:
        # sphinxext-opengraph takes og:* from the page's metadata as given
        # (unescaped), and adds no <meta name="description"> when one is there.
        # A copy: context["meta"] is the environment's own record of the page.
        context["meta"] = {**(context.get("meta") or {}), "og:description": html.escape(description)}
        context["metatags"] += _meta_description(description)
    if pagename != app.config.notfound_pagename and app.config.webpage_condition:
        context["webpage_jsonld"] = medical_web_page(app, pagename, context.get("title", ""))


# --- Links whose text is their address --------------------------------------

class MarkBareURLs(SphinxPostTransform):
    """Give ``book-bare-url`` to each external link whose text is its own address."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for ref in self.document.findall(nodes.reference):
            uri = ref.get("refuri")
            if (uri and not ref.get("internal") and len(ref.children) == 1
                    and isinstance(ref[0], nodes.Text) and ref.astext() == uri):
                ref["classes"].append("book-bare-url")


# --- Bibliography entries as list items --------------------------------------

def visit_citation(self: HTMLTranslator, node: nodes.citation) -> None:
    # As docutils writes it, with a list item's role in place of doc-biblioentry.
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: HTMLTranslator, node: nodes.citation) -> None:
    HTMLTranslator.depart_citation(self, node)


# --- The 404 page --------------------------------------------------------------

def _site_root(app: Sphinx) -> str:
    return app.config.notfound_urls_prefix or "/"


def links_from_site_root(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Links in the 404 page's text start at the site root (notfound_urls_prefix)."""
    if docname != app.config.notfound_pagename or app.builder.format != "html":
        return
    root = _site_root(app)
    for ref in doctree.findall(nodes.reference):
        uri = ref.get("refuri")
        if uri and not urlsplit(uri).scheme and not uri.startswith(("/", "#")):
            ref["refuri"] = root + uri


def content_root_from_site_root(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Sphinx's scripts find the site (search, language data) from data-content_root."""
    if pagename == app.config.notfound_pagename:
        context["content_root"] = _site_root(app)


# --- Sitemap and robots.txt ------------------------------------------------------

def note_written_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    app.webpage_written_pages = getattr(app, "webpage_written_pages", set()) | {pagename}


def list_unwritten_pages(app: Sphinx, exception: Exception | None) -> None:
    """Give sphinx-sitemap the pages this build did not write, before it writes sitemap.xml."""
    if exception is not None or app.builder.format != "html":
        return
    from sphinx_sitemap import add_html_link

    for docname in sorted(app.env.found_docs - getattr(app, "webpage_written_pages", set())):
        add_html_link(app, docname, None, {}, None)
    # In address order, as a fresh build lists them, not pages written first.
    # sphinx-sitemap keeps its queue on the application (app.env.app is deprecated in Sphinx 9).
    queue, links = app.sitemap_links, []
    while not queue.empty():
        links.append(queue.get_nowait())
    for link in sorted(links):
        queue.put(link)


def write_robots_txt(app: Sphinx, exception: Exception | None) -> None:
    """robots.txt at the site root: crawl everything; the sitemap is under html_baseurl."""
    if exception is not None or app.builder.format != "html":
        return
    text = f"User-agent: *\nAllow: /\n\nSitemap: {app.config.html_baseurl}{app.config.sitemap_filename}\n"
    (Path(app.outdir) / "robots.txt").write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("calcinosis_guide.book")
    app.setup_extension("sphinx_sitemap")
    app.setup_extension("notfound.extension")
    # sphinxext-opengraph prints a note on import when matplotlib (only for
    # social-card images, which the book does not make) is missing.
    with contextlib.redirect_stdout(io.StringIO()):
        app.setup_extension("sphinxext.opengraph")

    app.add_config_value("webpage_description_length", 160, "html", types=[int])
    app.add_config_value("webpage_search_description", "", "html", types=[str])
    app.add_config_value("webpage_condition", "", "html", types=[str])
    app.add_config_value("webpage_audience", "Patient", "html", types=[str])

    app.connect("html-page-context", describe_page, priority=400)
    app.connect("html-page-context", content_root_from_site_root)
    app.add_post_transform(MarkBareURLs)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("doctree-resolved", links_from_site_root, priority=600)
    app.connect("html-page-context", note_written_page)
    app.connect("build-finished", list_unwritten_pages, priority=400)  # sphinx-sitemap writes at 500
    app.connect("build-finished", write_robots_txt)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
