"""The translation catalogs: where they live, how a build reads them, how
``make gettext`` makes their templates and how complete a language is.

Translators edit ``docs/locales/<lang>/LC_MESSAGES/*.po`` only: one catalog
per page (``maintainers/<page>.po`` for the maintainers' pages, since
``gettext_compact = False``), ``calcinosis.po`` for the project's own labels
(the leaflet's, the review banner's, the book's title, subtitle and
publisher from docs/book.toml) and ``sphinx.po`` for the labels of the
book's theme components (docs/_templates).

A build never writes into docs/. Before Sphinx loads any catalog
(``config-inited``, before ``calcinosis_guide.book`` loads its own), the
catalogs of the build's language are copied, with their times, into a folder
of the build (``<doctrees>/locales``) and compiled there (``.mo``), but only
those whose text changed, so Sphinx re-reads only the pages whose catalog
changed. Sphinx reads that folder (``locale_dirs`` points at it) and never
compiles anything itself, so the first build after a catalog changed uses
it: Sphinx's own compiling came after the labels were loaded, which took a
second build. The labels' catalogs (``calcinosis``, ``sphinx``) are on every
page, so their fingerprint is a config value that rebuilds every page when
it changes.

A language is checked first, in one line: ``sp`` is no language, and a
language with no ``docs/locales/<lang>/LC_MESSAGES`` has no catalog to build.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SOURCE_LANGUAGE = "en"
LOCALES = "locales"  # under the source folder
# The catalogs that are not one page's: read on every page.
LABEL_DOMAINS = ("calcinosis", "sphinx")


class LanguageError(ValueError):
    """The language asked for cannot be built; the message is one line."""


class CatalogError(ValueError):
    """A catalog cannot be read; the message names the file and line."""


def catalog_folder(source: Path, language: str) -> Path:
    return Path(source) / LOCALES / language / "LC_MESSAGES"


def check_language(source: Path, language: str) -> None:
    """Raise LanguageError unless ``language`` is English or a language with catalogs."""
    from babel import Locale, UnknownLocaleError

    if language == SOURCE_LANGUAGE:
        return
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise LanguageError(
            f"unknown language {language!r}: give a language code such as 'es' or 'pt_BR'") from None
    folder = catalog_folder(source, language)
    if not any(folder.rglob("*.po")):
        raise LanguageError(
            f"no catalog for language {language!r}: {folder} has no .po files "
            f"(README.md, 'Translating', says how to start one with make update-po LANGUAGE={language})")


def _read_po(path: Path):
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as f:
            return read_po(f, abort_invalid=True)
    except PoFileError as exc:
        raise CatalogError(f"{path}: {exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"{path}: cannot be read as a PO file: {exc}") from None


def _mo_bytes(path: Path) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, _read_po(path), use_fuzzy=False)
    return out.getvalue()


def compile_catalogs(source: Path, language: str, target: Path) -> str:
    """Copy and compile the catalogs of ``language`` into ``target/<language>/LC_MESSAGES``.

    Returns the fingerprint of the label catalogs. A compiled file is written
    only when its content changes (Sphinx re-reads a page when its ``.mo``
    file's time changes); files whose catalog is gone are removed.
    """
    source_folder = catalog_folder(source, language)
    target_folder = Path(target) / language / "LC_MESSAGES"
    target_folder.mkdir(parents=True, exist_ok=True)
    wanted: set[Path] = set()
    labels = hashlib.sha256()
    for po in sorted(source_folder.rglob("*.po")):
        relative = po.relative_to(source_folder)
        copy, mo = target_folder / relative, (target_folder / relative).with_suffix(".mo")
        wanted |= {copy, mo}
        data = _mo_bytes(po)
        if str(relative.with_suffix("")) in LABEL_DOMAINS:
            labels.update(str(relative).encode() + b"\0" + data)
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not mo.exists() or mo.read_bytes() != data:
            tmp = mo.with_suffix(".mo.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, mo)
        # Sphinx lists catalogs by their .po files, and compiles one whose
        # .po is newer than its .mo: the copy keeps a time no later than the .mo's.
        shutil.copyfile(po, copy)
        mo_time = mo.stat().st_mtime
        os.utime(copy, (mo_time, min(po.stat().st_mtime, mo_time)))
    for path in sorted(target_folder.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return labels.hexdigest()


def prepare_catalogs(app: Any, config: Any) -> None:
    """``config-inited``: compile this build's catalogs into the build and point Sphinx at them."""
    from sphinx import locale
    from sphinx.errors import ConfigError

    language = config.language or SOURCE_LANGUAGE
    # Catalogs loaded by an earlier build in this process must not linger.
    for key in [key for key in locale.translators if key[1] in LABEL_DOMAINS]:
        del locale.translators[key]
    config.gettext_auto_build = False
    if language == SOURCE_LANGUAGE:
        config.locale_dirs = []
        config.calcinosis_catalogs = ""
        return
    target = Path(app.doctreedir) / "locales"
    try:
        check_language(Path(app.srcdir), language)
        config.calcinosis_catalogs = compile_catalogs(Path(app.srcdir), language, target)
    except (LanguageError, CatalogError) as exc:
        raise ConfigError(str(exc)) from None
    config.locale_dirs = [str(target)]
    # The theme components' labels (sphinx.po) before Sphinx's own catalog:
    # Sphinx loaded its translator before this event, from the unprepared folders.
    # Sphinx's own catalog is in sphinx/locale (its package_dir / "locale"): the
    # admonition titles ("Important", "Warning") and the search page's words.
    from sphinx import package_dir

    app.translator, _ = locale.init([target, None, Path(package_dir) / "locale"], language)


# --- Templates: make gettext ----------------------------------------------------

def label_template(source: Path, package: Path):
    """The ``calcinosis`` domain's template: the package's labels and the book's
    title, subtitle and publisher (docs/book.toml), which the leaflet and every
    page print."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from calcinosis_guide.book import load_book_metadata

    catalog = Catalog(domain="calcinosis", project="calcinosis guide", fuzzy=False)
    book = load_book_metadata(Path(source) / "book.toml")["book"]
    for field in ("title", "subtitle", "publisher"):
        catalog.add(book[field], auto_comments=[f"docs/book.toml [book] {field}"])
    for filename, _lineno, message, comments, _context in extract_from_dir(
            str(package), method_map=[("**.py", "python")], keywords={"_": None}, comment_tags=()):
        catalog.add(message, locations=[], auto_comments=comments,
                    flags=("python-brace-format",) if "{" in message else ())
    return catalog


# Sphinx's own labels that every book page carries (the titles of the links
# beside headings, glossary terms, tables and figures) and that Sphinx's own
# catalogs leave untranslated in some languages (Spanish, Sphinx 9): the
# book's sphinx.po translates them, and is read before Sphinx's catalog.
SPHINX_LABELS = ("Link to this heading", "Link to this term", "Link to this table", "Link to this image")


def theme_template(source: Path):
    """The ``sphinx`` domain's template: the labels of docs/_templates/*.html
    and the Sphinx labels of SPHINX_LABELS."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(domain="sphinx", project="calcinosis guide", fuzzy=False)
    for label in SPHINX_LABELS:
        catalog.add(label, auto_comments=["Sphinx's own label (the title of the link beside a heading, term, table or figure)"])
    for filename, _lineno, message, comments, _context in extract_from_dir(
            str(Path(source) / "_templates"), method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"trimmed": "true"}}, keywords={"_": None}):
        catalog.add(message, locations=[], auto_comments=comments)
    return catalog


def write_pot(catalog, path: Path, omit_header: bool = False) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    write_po(out, catalog, omit_header=omit_header, no_location=True, width=0)
    # Unchanged, the file keeps its time: docs/locales/calcinosis.pot is one of the
    # book's inputs, and a newer copy would make the next `make` build it again.
    if path.exists() and path.read_bytes() == out.getvalue():
        return
    tmp = path.with_suffix(".pot.tmp")
    tmp.write_bytes(out.getvalue())
    os.replace(tmp, path)


def write_templates(source: Path, gettext_dir: Path) -> list[Path]:
    """Write the labels' templates beside the pages' (``make gettext``), and the
    project's copy of calcinosis.pot in docs/locales."""
    package = Path(__file__).resolve().parent
    labels, theme = label_template(source, package), theme_template(source)
    written = [Path(source) / LOCALES / "calcinosis.pot", Path(gettext_dir) / "calcinosis.pot",
               Path(gettext_dir) / "sphinx.pot"]
    write_pot(labels, written[0], omit_header=True)
    write_pot(labels, written[1])
    write_pot(theme, written[2])
    return written


# --- Completeness ----------------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    path: Path
    line: int
    kind: str  # "untranslated", "fuzzy", "obsolete", "no catalog", "not in template"
    msgid: str

    def __str__(self) -> str:
        text = " ".join(self.msgid.split())
        return f"{self.path}:{self.line}: {self.kind}: {text[:70] + '…' if len(text) > 70 else text}"


def catalog_gaps(source: Path, language: str, gettext_dir: Path | None = None) -> list[Gap]:
    """Every entry of ``language``'s catalogs that is untranslated, fuzzy or
    obsolete; with ``gettext_dir`` (the templates of ``make gettext``) also
    every template that has no catalog and every text the catalog lacks."""
    folder = catalog_folder(source, language)
    gaps: list[Gap] = []
    for po in sorted(folder.rglob("*.po")):
        catalog = _read_po(po)
        for message in catalog:
            if not message.id:
                continue
            line = message.lineno or 0
            if message.fuzzy:
                gaps.append(Gap(po, line, "fuzzy", _first(message.id)))
            elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
                gaps.append(Gap(po, line, "untranslated", _first(message.id)))
        for message in catalog.obsolete.values():
            gaps.append(Gap(po, message.lineno or 0, "obsolete", _first(message.id)))
    if gettext_dir is not None:
        for pot in sorted(Path(gettext_dir).rglob("*.pot")):
            relative = pot.relative_to(gettext_dir).with_suffix(".po")
            po = folder / relative
            if not po.exists():
                gaps.append(Gap(po, 0, "no catalog", f"make update-po LANGUAGE={language} makes it"))
                continue
            have = {m.id for m in _read_po(po) if m.id}
            for message in _read_po(pot):
                if message.id and message.id not in have:
                    gaps.append(Gap(po, 0, "not in catalog (run make update-po)", _first(message.id)))
    return gaps


def _first(msgid) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


# --- Command line: make gettext, make update-po, make check -----------------------

def main(argv: list[str] | None = None) -> int:
    """``python -m calcinosis_guide.catalogs templates|language|gaps``; exit 2 on bad input."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m calcinosis_guide.catalogs",
                                     description="The translation catalogs' templates and completeness.")
    parser.add_argument("--source", type=Path, default=Path("docs"))
    commands = parser.add_subparsers(dest="command", required=True)
    templates = commands.add_parser("templates", help="write the labels' templates (make gettext)")
    templates.add_argument("--gettext-dir", type=Path, required=True)
    new = commands.add_parser("language", help="check a language for make update-po")
    new.add_argument("language")
    gaps = commands.add_parser("gaps", help="list the untranslated, fuzzy and obsolete entries")
    gaps.add_argument("language")
    gaps.add_argument("--gettext-dir", type=Path, help="also compare with the templates of make gettext")
    args = parser.parse_args(argv)
    prog = "catalogs"
    try:
        if args.command == "templates":
            for path in write_templates(args.source, args.gettext_dir):
                print(f"{prog}: {path} is up to date")
        elif args.command == "language":
            if args.language == SOURCE_LANGUAGE:
                raise LanguageError("English is the source language: give LANGUAGE=xx, e.g. make update-po LANGUAGE=es")
            try:
                check_language(args.source, args.language)
            except LanguageError as exc:
                if "no catalog" not in str(exc):
                    raise
                print(f"{prog}: starting the catalogs of {args.language!r} in {catalog_folder(args.source, args.language)}")
        else:
            if args.language == SOURCE_LANGUAGE:
                return 0
            check_language(args.source, args.language)
            found = catalog_gaps(args.source, args.language, args.gettext_dir)
            for gap in found:
                print(f"{prog}: {gap}", file=sys.stderr)
            if found:
                kinds = sorted({gap.kind for gap in found})
                print(f"{prog}: {len(found)} entries of {args.language!r} not ready ({', '.join(kinds)}); "
                      "translate them (README.md, 'Translating')", file=sys.stderr)
                return 2
            print(f"{prog}: every entry of {args.language!r} is translated")
    except (LanguageError, CatalogError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{prog}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


def setup(app) -> dict:
    # Set by prepare_catalogs: a change to the labels' catalogs rewrites every page.
    app.add_config_value("calcinosis_catalogs", "", "env", types=[str])
    # Before book.add_translations (priority 500) loads what this compiles.
    app.connect("config-inited", prepare_catalogs, priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    raise SystemExit(main())

