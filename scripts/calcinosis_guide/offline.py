"""The book keeps working with no signal, after a first visit.

A Sphinx extension (``calcinosis_guide.offline`` in ``extensions``). Readers
are often at a clinic, on a ward or at home with a weak signal; the pages
they have looked up once, and the printable leaflets, should still open.

A small hand-written service worker (``service-worker.js``, beside this
module) is written to the root of the built book, because a worker can only
look after the folder it sits in and the folders under it: the book's pages
on a host that serves it under a path (Read the Docs ``/en/latest/``, GitHub
Pages ``/<repo>/``), and nothing else on that host. The page registers it
after it has loaded (``_static/book.js``), with the book's root as its scope.

The worker saves every file of the book when it is installed, fetches pages
from the network first whenever there is one (a reader never sees an old
page when a new one can be had), and falls back to the saved copy when there
is none. A page shown from a saved copy says so, with the date it was saved:
the notice in ``layout.html``, whose words are a translated label here.

Its ``setup()`` registers:

- config ``calcinosis_offline`` (default ``True``): ``False`` writes no worker,
  and no page registers one.
- ``html-page-context``: ``book_offline_worker`` (the worker's address from the
  page), ``book_offline_notice`` (the label, with ``{date}``) and
  ``book_date_locale`` (how the date is written), for layout.html.
- ``build-finished``: the worker, with the list of what it saves, computed
  from the built book so that it stays true: every page, every file a page
  loads (styles, scripts, images, icons), the files the styles load (fonts),
  and the leaflet PDFs the pages link to (rendered after Sphinx, by
  ``calcinosis_guide.build``). A digest of those files is in the worker too,
  so a new build is a new worker, which saves the book afresh.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import posixpath
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tinycss2
from sphinx.application import Sphinx
from sphinx.locale import get_translation

from calcinosis_guide.book import MESSAGE_CATALOG, date_locale

_ = get_translation(MESSAGE_CATALOG)

WORKER = "service-worker.js"
# The PDFs are published into the book after Sphinx has finished; the list
# may name them before they exist.
LATER_FILES = ("leaflet/",)


def _local_target(page: str, url: str) -> str | None:
    """``url`` as found in ``page``, as a path from the book's root; None if it leaves the book."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith(("#", "/")):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
    if path.startswith("../"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


class _LoadedFiles(HTMLParser):
    """The addresses a page loads or links to, read tag by tag (no tree is built)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loaded: list[str] = []
        self.linked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and not set((attributes.get("rel") or "").split()) & {"stylesheet", "icon"}:
            return
        if tag in ("link", "script", "img", "source"):
            if url := attributes.get("src") or attributes.get("href"):
                self.loaded.append(url)
        elif tag == "a" and attributes.get("href"):
            self.linked.append(attributes["href"])


def _page_files(page: str, html: str) -> set[str]:
    """What a page loads (styles, scripts, images, icons) and the leaflets it links to."""
    parser = _LoadedFiles()
    parser.feed(html)
    parser.close()
    found = {target for url in parser.loaded if (target := _local_target(page, url))}
    for url in parser.linked:
        target = _local_target(page, url)
        if target and target.startswith(LATER_FILES):
            found.add(target)
    return found


def _stylesheet_files(sheet: str, css: str) -> set[str]:
    """The files a stylesheet loads (fonts, images), as paths from the book's root."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True)
    urls = [t.value for t in _tokens(rules) if t.type == "url"]
    # @import "basic.css": a string, not url().
    urls += [t.value for r in rules if r.type == "at-rule" and r.lower_at_keyword == "import"
             for t in r.prelude if t.type == "string"]
    return {target for url in urls if not url.startswith("data:") and (target := _local_target(sheet, url))}


def _tokens(nodes) -> Any:
    for node in nodes:
        yield node
        for child in ("prelude", "content", "arguments"):
            inner = getattr(node, child, None)
            if isinstance(inner, list):
                yield from _tokens(inner)


class _FilesOf:
    """What each page or stylesheet loads, kept between builds by its path and
    bytes: after a one-page edit, only that page is parsed again."""

    def __init__(self, cache: Path | None):
        self.cache, self.known, self.used = cache, {}, {}
        try:
            self.known = pickle.loads(cache.read_bytes()) if cache else {}
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            pass  # none yet, or damaged: parse everything again

    def __call__(self, find, name: str, text: str) -> frozenset[str]:
        key = hashlib.sha256(f"{find.__name__}\0{name}\0{text}".encode()).hexdigest()
        if key not in self.known:
            self.known[key] = frozenset(find(name, text))
        self.used[key] = self.known[key]
        return self.used[key]

    def save(self) -> None:
        if self.cache:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            self.cache.write_bytes(pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL))


def precache_list(outdir: Path, cache: Path | None = None) -> list[str]:
    """Every file the worker saves, as paths from the book's root: computed from
    the built book (what it found per file is kept in ``cache``, if given)."""
    outdir = Path(outdir)
    files_of = _FilesOf(cache)
    pages = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*.html")
                   if not p.relative_to(outdir).parts[0].startswith("_"))
    wanted = set(pages)
    for page in pages:
        wanted |= files_of(_page_files, page, (outdir / page).read_text(encoding="utf-8"))
    sheets = [w for w in wanted if urlsplit(w).path.endswith(".css")]
    while sheets:  # and what those load, down to the last @import
        path = urlsplit(sheets.pop()).path
        if (outdir / path).is_file():
            found = files_of(_stylesheet_files, path, (outdir / path).read_text(encoding="utf-8")) - wanted
            wanted |= found
            sheets += [f for f in found if urlsplit(f).path.endswith(".css")]
    files_of.save()
    return sorted(w for w in wanted if (outdir / urlsplit(w).path).is_file() or w.startswith(LATER_FILES))


def worker_source(outdir: Path, files_to_save: list[str]) -> str:
    digest = hashlib.sha256()
    for name in files_to_save:
        path = outdir / urlsplit(name).path
        # The leaflets are copied into the book after this runs, from this build
        # or an earlier one, so only their names count; their words are on the
        # pages, whose bytes do. Equal books, equal workers.
        later = name.startswith(LATER_FILES)
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() and not later else b""))
    code = files("calcinosis_guide").joinpath(WORKER).read_text(encoding="utf-8")
    return (f"const BOOK_VERSION = {json.dumps(digest.hexdigest()[:16])};\n"
            f"const BOOK_FILES = {json.dumps(files_to_save, separators=(',', ':'))};\n" + code)


def add_offline_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if not app.config.calcinosis_offline:
        return
    context["book_offline_worker"] = context["pathto"](WORKER, 1)
    context["book_offline_notice"] = _("You are offline. This is a copy saved on {date}.")
    context["book_date_locale"] = date_locale(app.config.language).replace("_", "-")


def write_worker(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    worker = Path(app.outdir) / WORKER
    if not app.config.calcinosis_offline:
        # An incremental build after the setting was turned off.
        worker.unlink(missing_ok=True)
        return
    outdir = Path(app.outdir)
    files_to_save = precache_list(outdir, cache=Path(app.doctreedir) / "offline-files.pickle")
    worker.write_text(worker_source(outdir, files_to_save), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("calcinosis_guide.book")
    app.add_config_value("calcinosis_offline", True, "html", types=[bool])
    app.connect("html-page-context", add_offline_context)
    # After the theme's unused files are taken out of the built book.
    app.connect("build-finished", write_worker, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
