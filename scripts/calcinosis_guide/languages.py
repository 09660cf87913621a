"""One book per language, side by side: each build knows its own address and
the other languages' books.

A Sphinx extension (``calcinosis_guide.languages`` in ``extensions``).

The languages of the site are English (the source) and every language with
a catalog in ``docs/locales/<lang>/LC_MESSAGES``. Each language's book has
its own address, from ``base_url`` in docs/book.toml: ``{language}`` in it
is replaced by the language code (Read the Docs serves a translation at
``/<lang>/latest/``); without ``{language}``, the English book is at
``base_url`` and another language's at ``base_url<lang>/``.

``config-inited`` (after the catalogs are loaded): the language's address
becomes ``html_baseurl`` (canonical links, sitemap, robots.txt, schema.org
data), ``ogp_site_url``, the leaflet's QR code and printed address
(``book_metadata``) and, unless given, the 404 page's link prefix; the
book's title, subtitle and publisher are translated through the
``calcinosis`` catalog for the page titles, the footer and the link previews.
``{site_path}`` in ``notfound_urls_prefix`` is replaced by where this
language's book sits in the assembled site (``calcinosis_guide.site``).

``html-page-context``: each page gets ``<link rel="alternate" hreflang>``
for every language and ``x-default`` (English), and ``book_languages``
for the language switcher (docs/_templates/book-language-switcher.html):
a relative link to the same page in each other language, so it works on
the host and in a local copy of the assembled site alike.

Transforms: table cells made translatable, translated headings keep their
English anchors, and a ``:sorted:`` glossary in A to Z order in every
language (Sphinx's own order puts accented letters after z).
"""

from __future__ import annotations

import html
import posixpath
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform

from calcinosis_guide.book import MESSAGE_CATALOG
from calcinosis_guide.catalogs import LOCALES, SOURCE_LANGUAGE

_ = get_translation(MESSAGE_CATALOG)


def book_url(base_url: str, language: str) -> str:
    """The address of the book in ``language``, from book.toml's ``base_url``."""
    if "{language}" in base_url:
        return base_url.replace("{language}", language)
    return base_url if language == SOURCE_LANGUAGE else f"{base_url}{language}/"


def site_languages(source: Path) -> list[str]:
    """English first, then every language with a catalog, in code order."""
    folder = Path(source) / LOCALES
    found = sorted(p.name for p in folder.iterdir()
                   if p.is_dir() and any((p / "LC_MESSAGES").rglob("*.po"))) if folder.is_dir() else []
    return [SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE)]


def site_root(base_url: str, languages: list[str] | None = None) -> str:
    """The path every language's address starts with: the site's root
    (the path before ``{language}``, or else the English book's path)."""
    path = urlsplit(base_url.replace("{language}", "\0")).path
    return path.split("\0", 1)[0] if "\0" in path else path


def site_path(base_url: str, languages: list[str], language: str) -> str:
    """Where ``language``'s book sits under the site's root, e.g. ``es/latest/``."""
    path = urlsplit(book_url(base_url, language)).path
    return path[len(site_root(base_url, languages)):]


def language_name(code: str) -> str:
    """A language's name in that language: "English", "Español"."""
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def localise_config(app: Sphinx, config: Any) -> None:
    language = config.language or SOURCE_LANGUAGE
    metadata = config.book_metadata
    book = metadata["book"]
    english = book["base_url"]
    languages = site_languages(Path(app.srcdir))
    if language not in languages:
        languages.append(language)
    config.calcinosis_languages = languages
    address = book_url(english, language)
    for name in ("html_baseurl", "ogp_site_url"):
        if getattr(config, name) == english:
            setattr(config, name, address)
    prefix = config.notfound_urls_prefix
    if prefix == urlsplit(english).path:
        config.notfound_urls_prefix = urlsplit(address).path
    elif prefix and "{site_path}" in prefix:
        config.notfound_urls_prefix = prefix.replace("{site_path}", site_path(english, languages, language))
    translated = {**book, "base_url": address,
                  **{key: str(_(book[key])) for key in ("title", "subtitle", "publisher")}}
    config.book_metadata = {**metadata, "book": translated}
    config.html_context = {**config.html_context, "book": translated}
    if language != SOURCE_LANGUAGE:
        # The theme's "On this page" heading: its option's text, through the
        # theme components' catalog (sphinx.po) like the button of the same name.
        options = dict(config.html_theme_options)
        if options.get("toc_title"):
            options["toc_title"] = app.translator.gettext(options["toc_title"])
        config.html_theme_options = options
        for name in ("project", "html_title", "ogp_site_name"):
            if getattr(config, name) == book["title"]:
                setattr(config, name, translated["title"])
        config.webpage_search_description = str(_("Search the pages of {title}: {subtitle}.")).format(
            title=translated["title"], subtitle=translated["subtitle"])
        config.webpage_condition = translated["title"] if config.webpage_condition == book["title"] \
            else config.webpage_condition


def add_alternates(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    config = app.config
    language = config.language or SOURCE_LANGUAGE
    languages = config.calcinosis_languages
    if pagename == config.notfound_pagename or len(languages) < 2:
        return
    target = app.builder.get_target_uri(pagename)
    to_root = "../" * pagename.count("/")
    base_of = {code: book_url(config.calcinosis_english_base_url, code) for code in languages}
    links, switcher = [], []
    for code in [*languages, "x-default"]:
        address = base_of[SOURCE_LANGUAGE if code == "x-default" else code] + target
        links.append(f'<link rel="alternate" hreflang="{code}" href="{html.escape(address)}" />')
        if code not in (language, "x-default"):
            relative = posixpath.relpath(urlsplit(base_of[code]).path, urlsplit(base_of[language]).path)
            switcher.append({"code": code, "name": language_name(code),
                             "href": posixpath.normpath(f"{to_root}{relative}/{target}")})
    context["metatags"] = context.get("metatags", "") + "\n".join(links) + "\n"
    context["book_languages"] = switcher


def remember_english_base(app: Sphinx, config: Any) -> None:
    config.calcinosis_english_base_url = config.book_metadata["book"]["base_url"]


class TableTextSource(SphinxTransform):
    """Table cells and captions as translatable text: MyST gives a table's
    paragraphs no source, and Sphinx neither extracts (make gettext) nor
    translates text without one. Before Sphinx's own i18n transforms (10, 20)."""

    default_priority = 5

    def apply(self, **kwargs: Any) -> None:
        for table in self.document.findall(nodes.table):
            line = table.line or next((n.line for n in table.findall() if getattr(n, "line", None)), None)
            for text in table.findall(nodes.TextElement):
                if not text.source:
                    text.source = self.document["source"]
                    text.line = text.line or line


class KeepHeadingAnchors(SphinxTransform):
    """A translated heading keeps its English anchor (``#painkillers-and-kidney-disease``):
    MyST records each heading's slug and id from the source, and Sphinx's
    translation (priority 20) gives the section a new id from the translated
    title, so links to the anchor would break. The old id is added back, and
    the page's slugs are recorded again: MyST parses each translated heading
    as a new little document and records its slugs, the Spanish ones, over
    the page's."""

    default_priority = 25

    def apply(self, **kwargs: Any) -> None:
        slugs = getattr(self.document, "myst_slugs", None)
        if not slugs or (self.config.language or SOURCE_LANGUAGE) == SOURCE_LANGUAGE:
            return
        self.env.metadata[self.env.docname]["myst_slugs"] = slugs
        sections = {section.line: section for section in self.document.findall(nodes.section)}
        for line, old_id, _text in slugs.values():
            section = sections.get(line)
            if section is not None and old_id not in self.document.ids:
                section["ids"].append(old_id)
                self.document.ids[old_id] = section


def collation_key(term: str) -> tuple[str, str]:
    """A term's place in A to Z order, as a dictionary of its language sorts
    it: accents do not count (diálisis before dializado, úlcera before uso),
    except that ñ is a letter of its own after n; the accents decide ties only."""
    decomposed = unicodedata.normalize("NFD", term.casefold())
    letters = decomposed.replace("n\u0303", "n\U0010ffff")
    return "".join(c for c in letters if not unicodedata.combining(c)), decomposed


class GlossaryAlphabeticalOrder(SphinxTransform):
    """A ``:sorted:`` glossary in A to Z order in every language. Sphinx sorts
    it (priority 500, after the translation) by code points of the decomposed
    term, which puts an accented letter after z: in Spanish, vitamina D before
    vía, uso before úlcera. Sorted again here, by ``collation_key``; English
    terms have no accents, so the English order does not change."""

    default_priority = 501

    def apply(self, **kwargs: Any) -> None:
        from sphinx import addnodes

        for glossary in self.document.findall(addnodes.glossary):
            if glossary.get("sorted"):
                definitions = glossary[0]
                definitions[:] = sorted(definitions, key=lambda item: collation_key(item[0].astext()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(TableTextSource)
    app.add_transform(KeepHeadingAnchors)
    app.add_transform(GlossaryAlphabeticalOrder)
    app.setup_extension("calcinosis_guide.book")
    app.add_config_value("calcinosis_languages", [], "env", types=[list])
    app.add_config_value("calcinosis_english_base_url", "", "env", types=[str])
    app.connect("config-inited", remember_english_base, priority=590)
    app.connect("config-inited", localise_config, priority=600)
    app.connect("html-page-context", add_alternates)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
