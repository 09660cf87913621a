"""Build the web book with Sphinx, and the default leaflets with it, keeping
the last good build if this one fails.

Sphinx builds into a staging folder beside the real one. Only a clean build
(no warnings: warnings are errors here) replaces ``_build/html``, the
leaflet hand-over and, with ``--leaflets``, the default leaflet PDFs;
otherwise every problem is printed on one line naming the file and line,
the exit code is 2, and the earlier good book and leaflets stay as they
were. The leaflets are rendered again only when what they are made of
changed (``calcinosis_guide.render.inputs_key``), by worker processes that
start while Sphinx is still reading.

Exit codes: 0 built, 2 a problem in the pages, docs/book.toml or the
catalogs, or a language with no catalog (one line), 1 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from calcinosis_guide import render
from calcinosis_guide.book import BookMetadataError, load_book_metadata
from calcinosis_guide.catalogs import CatalogError, LanguageError, check_language
from calcinosis_guide.checks.report import print_review_status
from calcinosis_guide.outputs import html_dir, leaflet_content_path, leaflet_filename

WARNING_START = re.compile(r"^(?:\S.*?: )?(?:WARNING|ERROR|CRITICAL|SEVERE)\b|^\S+:\d+: ")


class BookBuildError(Exception):
    """The pages have problems; ``problems`` holds one line for each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def one_line_problems(warning_text: str) -> list[str]:
    """Sphinx's warnings, each folded onto a single line."""
    problems: list[str] = []
    for line in warning_text.splitlines():
        if not line.strip():
            continue
        if WARNING_START.match(line) or not problems:
            problems.append(line.strip())
        else:
            problems[-1] += " " + line.strip()
    return [re.sub(r"\x1b\[[0-9;]*m", "", p) for p in problems]


def undecodable_sources(source: Path) -> list[str]:
    """Sphinx stops with a traceback on a page that is not UTF-8; say where instead."""
    problems = []
    for path in sorted(source.rglob("*")):
        if path.suffix not in (".md", ".bib", ".toml", ".py", ".txt") or "_build" in path.parts:
            continue
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            problems.append(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
    return problems


def build_book(source: Path, build_dir: Path, language: str = "en", extra_args: Sequence[str] = (),
               leaflets: bool = False) -> Path:
    """Build the HTML book (and with ``leaflets`` the default leaflets); return
    the book's folder or raise BookBuildError."""
    source, build_dir = Path(source), Path(build_dir)
    check_language(source, language)  # LanguageError: one line, before anything is built
    if problems := undecodable_sources(source):
        raise BookBuildError(problems)
    try:
        load_book_metadata(source / "book.toml")
    except BookMetadataError as exc:
        raise BookBuildError([str(exc)]) from None

    build_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=build_dir))
    pool = render.warm_pool() if leaflets else None
    try:
        staged_html = run_sphinx(source, build_dir, staging, language, extra_args)
        staged_pdfs: list[Path] = []
        if leaflets:
            staged_pdfs = stage_leaflets(build_dir, staging, staged_html, language, pool)
        swap_in(build_dir, staging, staged_html, language, staged_pdfs)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        shutil.rmtree(staging, ignore_errors=True)
    return html_dir(build_dir, language)


def run_sphinx(source: Path, build_dir: Path, staging: Path, language: str, extra_args: Sequence[str]) -> Path:
    """The strict HTML build into ``staging``, starting from the last good book."""
    from sphinx.cmd.build import build_main

    final_html = html_dir(build_dir, language)
    staged_html = staging / final_html.name
    if final_html.is_dir():  # Sphinx stays incremental
        shutil.copytree(final_html, staged_html, symlinks=True)
    warnings_file = staging / "warnings.txt"
    doctrees = build_dir / ("doctrees" if language == "en" else f"doctrees-{language}")
    console = io.StringIO()  # the warnings file is read instead, folded to one line each
    with contextlib.redirect_stderr(console):
        status = build_main([
            "-b", "html", "-W", "--keep-going", "-n", "-q", "-w", str(warnings_file),
            "-D", f"language={language}", "-d", str(doctrees), *extra_args, str(source), str(staged_html),
        ])
    problems = one_line_problems(warnings_file.read_text(encoding="utf-8", errors="replace")
                                 if warnings_file.exists() else "")
    if problems:
        # Sphinx saved its environment as if the pages were fine, and would
        # not re-read (nor warn about) unchanged pages next time.
        (doctrees / "environment.pickle").unlink(missing_ok=True)
        raise BookBuildError(problems)
    if status != 0 or not leaflet_content_path(staging, language).exists():
        last = console.getvalue().strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"Sphinx stopped with status {status} and no warning: {last[0]}")
    return staged_html


def stage_leaflets(build_dir: Path, staging: Path, staged_html: Path, language: str, pool) -> list[Path]:
    """Render the default leaflets into ``staging`` if their inputs changed; return them."""
    content = render.read_handover(leaflet_content_path(staging, language))
    key = render.inputs_key(content)
    published = [build_dir / "leaflet" / leaflet_filename(language, *edition)
                 for edition in render.published_editions()]
    stamp = inputs_stamp(build_dir, language)
    if stamp.exists() and stamp.read_text() == key and all(p.exists() for p in published):
        # Unchanged; but a book built afresh (its folder deleted) lacks its copies.
        publish_in_book(published, staged_html)
        return []
    try:
        pdfs = render.render_default_editions(content, staging / "leaflet", pool)
    except render.InputError as exc:
        raise BookBuildError([str(exc)]) from None
    publish_in_book(pdfs, staged_html)
    (staging / "leaflet" / stamp.name).write_text(key)
    return [*pdfs, staging / "leaflet" / stamp.name]


def publish_in_book(pdfs: list[Path], staged_html: Path) -> None:
    """Hosting the book hosts its leaflets: a copy of each in its leaflet/ folder."""
    (staged_html / "leaflet").mkdir(exist_ok=True)
    for pdf in pdfs:
        shutil.copyfile(pdf, staged_html / "leaflet" / pdf.name)


def inputs_stamp(build_dir: Path, language: str) -> Path:
    return build_dir / "leaflet" / f".inputs-{language}.sha256"


def swap_in(build_dir: Path, staging: Path, staged_html: Path, language: str, staged_pdfs: list[Path]) -> None:
    """Put a clean build in place: the book folder, then the leaflets, then the hand-over."""
    final_html = html_dir(build_dir, language)
    old = staging / "previous-html"
    if final_html.exists():
        final_html.rename(old)
    try:
        staged_html.rename(final_html)
    except OSError:
        if old.exists():  # put the last good book back before the staging folder goes
            old.rename(final_html)
        raise
    if staged_pdfs:
        (build_dir / "leaflet").mkdir(exist_ok=True)
        for pdf in staged_pdfs:  # the fingerprint comes last: it vouches for the PDFs before it
            os.replace(pdf, build_dir / "leaflet" / pdf.name)
    final_content = leaflet_content_path(build_dir, language)
    final_content.parent.mkdir(parents=True, exist_ok=True)
    os.replace(leaflet_content_path(staging, language), final_content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("docs"), help="folder of the MyST pages")
    parser.add_argument("--build-dir", type=Path, default=Path("_build"), help="build folder (default: _build)")
    parser.add_argument("--language", default="en", help="language to build (default: en)")
    parser.add_argument("--leaflets", action="store_true",
                        help="also render the default leaflets (A4 and Letter, standard and large print)")
    parser.add_argument("sphinx_args", nargs="*", help="extra sphinx-build options, after --")
    args = parser.parse_args(argv)
    try:
        build_book(args.source, args.build_dir, args.language, args.sphinx_args, leaflets=args.leaflets)
    except (LanguageError, CatalogError) as exc:
        print(f"build_book.py: error: {exc}", file=sys.stderr)
        return 2
    except BookBuildError as exc:
        for problem in exc.problems:
            print(f"build_book.py: error: {problem}", file=sys.stderr)
        kept = html_dir(args.build_dir, args.language)
        outcome = f"the previous book in {kept} was kept" if kept.exists() else "no book was written"
        print(f"build_book.py: {len(exc.problems)} problem(s); {outcome}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = exc.filename or args.build_dir
        print(f"build_book.py: error: {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not bad input: still one line
        print(f"build_book.py: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print_review_status(args.build_dir, args.language)
    return 0

