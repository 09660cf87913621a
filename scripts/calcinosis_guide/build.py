"""Build the web book with Sphinx, keeping the last good build if this one fails.

Sphinx builds into a staging folder beside the real one. Only a clean build
(no warnings: warnings are errors here) replaces ``_build/html`` and the
collected leaflet passages; otherwise every problem is printed on one line
naming the file and line, the exit code is 2, and the earlier good book and
leaflet text stay as they were.

Exit codes: 0 built, 2 a problem in the pages or docs/book.toml, 1 internal error.
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
from pathlib import Path

from calcinosis_guide.book import BookMetadataError, load_book_metadata
from calcinosis_guide.outputs import html_dir, leaflet_content_path

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


def build_book(source: Path, build_dir: Path, language: str = "en", extra_args: list[str] = ()) -> Path:
    """Build the HTML book; return its folder or raise BookBuildError."""
    from sphinx.cmd.build import build_main

    source, build_dir = Path(source), Path(build_dir)
    if problems := undecodable_sources(source):
        raise BookBuildError(problems)
    try:
        load_book_metadata(source / "book.toml")
    except BookMetadataError as exc:
        raise BookBuildError([str(exc)]) from None

    final_html = html_dir(build_dir, language)
    final_content = leaflet_content_path(build_dir, language)
    build_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=build_dir))
    try:
        staged_html = staging / final_html.name
        if final_html.is_dir():  # start from the last good build so Sphinx stays incremental
            shutil.copytree(final_html, staged_html, symlinks=True)
        staged_content = staging / "leaflet-content.json"
        warnings_file = staging / "warnings.txt"
        suffix = "" if language == "en" else f"-{language}"
        console = io.StringIO()  # the warnings file is read instead, folded to one line each
        with contextlib.redirect_stderr(console):
            status = build_main([
            "-b", "html", "-W", "--keep-going", "-n", "-q", "-w", str(warnings_file),
            "-D", f"language={language}", "-D", f"leaflet_content_file={staged_content}",
            "-d", str(build_dir / f"doctrees{suffix}"), *extra_args, str(source), str(staged_html),
            ])
        problems = one_line_problems(warnings_file.read_text(encoding="utf-8", errors="replace")
                                     if warnings_file.exists() else "")
        if problems:
            # Sphinx saved its environment as if the pages were fine, and would
            # not re-read (nor warn about) unchanged pages next time.
            (build_dir / f"doctrees{suffix}" / "environment.pickle").unlink(missing_ok=True)
            raise BookBuildError(problems)
        if status != 0 or not staged_content.exists():
            last = console.getvalue().strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"Sphinx stopped with status {status} and no warning: {last[0]}")
        old = staging / "previous-html"
        if final_html.exists():
            final_html.rename(old)
        try:
            staged_html.rename(final_html)
        except OSError:
            if old.exists():  # put the last good book back before the staging folder goes
                old.rename(final_html)
            raise
        final_content.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged_content, final_content)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final_html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("docs"), help="folder of the MyST pages")
    parser.add_argument("--build-dir", type=Path, default=Path("_build"), help="build folder (default: _build)")
    parser.add_argument("--language", default="en", help="language to build (default: en)")
    parser.add_argument("sphinx_args", nargs="*", help="extra sphinx-build options, after --")
    args = parser.parse_args(argv)
    try:
        build_book(args.source, args.build_dir, args.language, args.sphinx_args)
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
    return 0

