#!/usr/bin/env python3
"""Render the printable patient leaflet (PDF) from the book's MyST pages.

The text comes from the passages marked with ``{leaflet}`` in docs/*.md,
collected by the Sphinx extension in docs/_ext/leaflet.py during the HTML
build. If that collection is missing or older than the pages, this script
runs the (incremental) Sphinx build first, so the pages are parsed once and
the web book and the leaflet always say the same thing.

Exit codes: 0 written, 2 bad input (nothing written), 1 internal error.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAFLET_DIR = Path(__file__).resolve().parent / "leaflet"
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from leaflet import PAPERS, leaflet_content_path, leaflet_filename  # noqa: E402

STANDARD_PAGES = 2
LARGE_PRINT_MAX_PAGES = 4


class InputError(Exception):
    """Bad input from the user: reported on one line, exit code 2."""


class OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # noqa: D102 - argparse hook
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineErrorParser(
        prog="build_leaflet.py",
        description="Render the patient leaflet as PDF from the MyST pages in docs/.",
    )
    parser.add_argument("--paper", action="append", choices=PAPERS, metavar="{a4,letter}",
                        help="paper size; repeat for several (default: a4 and letter)")
    parser.add_argument("--language", default="en", help="language of the pages to use (default: en)")
    parser.add_argument("--large-print", action="store_true",
                        help="large-print edition: body text 16 pt or more, up to 4 pages")
    parser.add_argument("--clinic", type=Path, metavar="FILE",
                        help="TOML file with the clinic's contact details (see README)")
    parser.add_argument("--output", type=Path, metavar="PATH",
                        help="where to write the PDF (only with a single --paper)")
    parser.add_argument("--source", type=Path, default=ROOT / "docs", help=argparse.SUPPRESS)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build",
                        help="build folder shared with Sphinx (default: _build)")
    args = parser.parse_args(argv)
    args.paper = args.paper or list(PAPERS)
    if args.output and len(args.paper) > 1:
        parser.error("--output needs exactly one --paper")
    return args


def newest_mtime(folder: Path) -> float:
    return max(
        (p.stat().st_mtime for p in folder.rglob("*")
         if p.is_file() and "_build" not in p.parts and "__pycache__" not in p.parts),
        default=0.0,
    )


def load_content(source: Path, build_dir: Path, language: str) -> dict:
    """The collected leaflet passages, rebuilding the book first if they are stale."""
    content_path = leaflet_content_path(build_dir, language)
    if not content_path.exists() or content_path.stat().st_mtime < newest_mtime(source):
        from sphinx.cmd.build import build_main

        html_dir = build_dir / ("html" if language == "en" else f"html-{language}")
        doctrees = build_dir / ("doctrees" if language == "en" else f"doctrees-{language}")
        status = build_main(["-b", "html", "-W", "--keep-going", "-n", "-q",
                             "-D", f"language={language}", "-d", str(doctrees),
                             str(source), str(html_dir)])
        if status != 0 or not content_path.exists():
            raise InputError(f"{source}: the Sphinx build failed; fix the problems reported above")
    return json.loads(content_path.read_text(encoding="utf-8"))


def qr_data_uri(url: str) -> str:
    import segno

    # Medium error correction survives a smudge; border=4 is the quiet zone the QR standard asks for.
    svg = segno.make(url, error="m").svg_data_uri(border=4, omitsize=True, dark="#000", light="#fff")
    return svg


def short_address(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def render_html(content: dict, paper: str, large_print: bool, clinic: dict | None) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(LEAFLET_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    labels = content["labels"]
    before, _, rest = labels["page_of"].partition("{page}")
    middle, _, after = rest.partition("{pages}")
    if clinic and clinic.get("approval"):
        approval = clinic["approval"]
        approval_line = labels["approved_by"].format(
            who=approval["approved_by"], date=approval["date"], reference=approval["reference"])
    else:
        approval_line = labels["not_approved"]
    return env.get_template("leaflet.html").render(
        language=content["language"],
        book=content["book"],
        review=content["review"],
        labels=labels,
        passages=content["passages"],
        edition=content["review"]["last_reviewed"]["iso"],
        page_of=(before, middle, after),
        approval_line=approval_line,
        paper=paper,
        large_print=large_print,
        clinic=clinic,
        qr_uri=qr_data_uri(content["book"]["base_url"]),
        short_url=short_address(content["book"]["base_url"]),
    )


def longest_passages(passages: list[dict], count: int = 3) -> str:
    import re

    def words(passage: dict) -> int:
        return len(re.sub(r"<[^>]+>", " ", passage["html"]).split())

    ranked = sorted(passages, key=words, reverse=True)[:count]
    return "longest: " + ", ".join(f'"{p["heading"]}" in {p["docname"]}.md ({words(p)} words)' for p in ranked)


def render_pdf(html: str, output: Path, large_print: bool, passages: list[dict]) -> int:
    """Lay out and write one PDF atomically; return its page count."""
    import logging

    import weasyprint

    # Sphinx's log set-up would otherwise echo every layout step.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    document = weasyprint.HTML(string=html, base_url=str(LEAFLET_DIR) + "/").render()
    pages = len(document.pages)
    limit = LARGE_PRINT_MAX_PAGES if large_print else STANDARD_PAGES
    if pages > limit:
        raise InputError(
            f"{output.name}: the leaflet runs to {pages} pages, {pages - limit} more than the "
            f"{limit} allowed; shorten the {{leaflet}} passages in docs/ ({longest_passages(passages)})"
        )
    if not large_print and pages < STANDARD_PAGES:
        raise InputError(
            f"{output.name}: the leaflet fills only {pages} page; the standard edition is one "
            f"sheet printed on both sides ({STANDARD_PAGES} pages)"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    try:
        document.write_pdf(tmp_name)
        os.replace(tmp_name, output)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return pages


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        content = load_content(args.source, args.build_dir, args.language)
        clinic = None
        written = []
        for paper in args.paper:
            name = leaflet_filename(args.language, paper, args.large_print)
            output = args.output or args.build_dir / "leaflet" / name
            html = render_html(content, paper, args.large_print, clinic)
            pages = render_pdf(html, output, args.large_print, content["passages"])
            written.append(output)
            print(f"wrote {output} ({pages} pages)")
            if args.output is None and args.clinic is None:
                # Publish the generic editions with the web book, so hosting
                # the HTML also hosts the leaflets the pages link to.
                html_leaflets = args.build_dir / "html" / "leaflet"
                html_leaflets.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(output, html_leaflets / name)
    except InputError as exc:
        print(f"build_leaflet.py: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
