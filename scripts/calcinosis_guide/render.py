"""Render the printable patient leaflet (PDF) from the book's MyST pages.

The text comes from the passages marked with ``{leaflet}`` in docs/*.md,
collected by the Sphinx extension in calcinosis_guide.leaflet during the HTML
build. If that collection is missing or older than the pages, this script
runs the (incremental) Sphinx build first, so the pages are parsed once and
the web book and the leaflet always say the same thing.

Exit codes: 0 all written, 2 bad input (that leaflet not written), 1 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from calcinosis_guide.build import BookBuildError, build_book
from calcinosis_guide.clinic import ClinicFileError, load_clinic
from calcinosis_guide.outputs import PAPERS, html_dir, leaflet_content_path, leaflet_filename

# The leaflet's template, stylesheet and fonts: the only files rendering may read.
LEAFLET_DIR = Path(__file__).resolve().parent / "printed"

STANDARD_PAGES = 2
LARGE_PRINT_MAX_PAGES = 4
TEMP_SUFFIX = ".leaflet-tmp"
# Marks this run's temporary files (batch workers inherit it), so an
# interrupted run removes only its own.
RUN_ID = os.environ.get("LEAFLET_RUN_ID") or str(os.getpid())


class InputError(Exception):
    """Bad input from the user: reported on one line, exit code 2."""


class OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse hook: one line, exit 2
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
    clinics = parser.add_mutually_exclusive_group()
    clinics.add_argument("--clinic", type=Path, metavar="FILE",
                         help="TOML file with one clinic's contact details (see README)")
    clinics.add_argument("--clinics", type=Path, metavar="DIR",
                         help="render one leaflet per *.toml file in DIR, in parallel")
    parser.add_argument("--output", type=Path, metavar="PATH",
                        help="the PDF to write (with one --paper), or the folder for --clinics")
    parser.add_argument("--source", type=Path, default=Path("docs"),
                        help="folder of the MyST pages (default: docs)")
    parser.add_argument("--build-dir", type=Path, default=Path("_build"),
                        help="build folder shared with Sphinx (default: _build)")
    args = parser.parse_args(argv)
    args.paper = list(dict.fromkeys(args.paper or PAPERS))
    if args.output and not args.clinics and len(args.paper) > 1:
        parser.error("--output names one PDF, so it needs exactly one --paper")
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", args.language):
        parser.error(f"--language: '{args.language}' is not a language code such as en or es")
    return args


def newest_mtime(folder: Path) -> float:
    return max(
        (p.stat().st_mtime for p in folder.rglob("*")
         if p.is_file() and "_build" not in p.parts and "__pycache__" not in p.parts),
        default=0.0,
    )


def load_content(source: Path, build_dir: Path, language: str) -> dict:
    """The collected leaflet passages, rebuilding the book first if they are stale."""
    if not (source / "conf.py").is_file():
        raise InputError(f"{source}: no conf.py here; --source must be the book's docs folder")
    content_path = leaflet_content_path(build_dir, language)
    if not content_path.exists() or content_path.stat().st_mtime < newest_mtime(source):
        try:
            build_book(source, build_dir, language)
        except BookBuildError as exc:
            raise InputError("; ".join(exc.problems)) from None
    return json.loads(content_path.read_text(encoding="utf-8"))


def qr_data_uri(url: str) -> str:
    import segno

    # Medium error correction survives a smudge; border=4 is the quiet zone the QR standard asks for.
    return segno.make(url, error="m").svg_data_uri(border=4, omitsize=True, dark="#000", light="#fff")


def short_address(url: str) -> str:
    return url.split("://", 1)[-1].rstrip("/")


def render_html(content: dict, paper: str, large_print: bool, clinic: dict | None) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(LEAFLET_DIR),
        autoescape=True,  # clinic text is always shown as text, never as markup
        undefined=jinja2.StrictUndefined,
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


def project_only_fetcher():
    """A URL fetcher that reads only the leaflet's own files and data: URIs.

    Clinic logos arrive as data: URIs after they are checked, so nothing a
    clinic file says can make the renderer read another file or go online.
    """
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class ProjectOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                from urllib.parse import unquote, urlparse

                parts = urlparse(url)
                path = Path(unquote(parts.path)).resolve()
                if parts.netloc not in ("", "localhost") or not path.is_relative_to(LEAFLET_DIR):
                    raise FatalURLFetchingError(f"refused to read {url}: outside {LEAFLET_DIR}")
            elif not url.startswith("data:"):
                raise FatalURLFetchingError(f"refused to fetch {url}: rendering never goes online")
            return super().fetch(url, headers)

    return ProjectOnlyFetcher()


@contextlib.contextmanager
def weasyprint_errors():
    """Collect the errors WeasyPrint logs while it lays out a document."""
    import logging

    errors: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            errors.append(record.getMessage().splitlines()[0])

    handler = Collect(level=logging.ERROR)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield errors
    finally:
        logger.removeHandler(handler)


def longest_passages(passages: list[dict], count: int = 3) -> str:
    def words(passage: dict) -> int:
        return len(re.sub(r"<[^>]+>", " ", passage["html"]).split())

    ranked = sorted(passages, key=words, reverse=True)[:count]
    return "longest: " + ", ".join(f'"{p["heading"]}" in {p["docname"]}.md ({words(p)} words)' for p in ranked)


def render_pdf(content: dict, paper: str, large_print: bool, clinic: dict | None, output: Path) -> int:
    """Lay out one leaflet and write it atomically; return its page count."""
    import logging

    # Keep WeasyPrint's layout progress (it logs every step at INFO) off the console.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    import weasyprint

    html = render_html(content, paper, large_print, clinic)
    with weasyprint_errors() as errors:
        document = weasyprint.HTML(string=html, base_url=str(LEAFLET_DIR) + "/",
                                   url_fetcher=project_only_fetcher()).render(pdf_variant="pdf/ua-1")
    if errors:
        # WeasyPrint only logs what it could not draw (a refused or broken
        # image) and carries on; a leaflet with a hole in it is not written.
        source = f"{clinic['source']}: " if clinic else ""
        raise InputError(f"{source}{output.name}: could not draw everything: {errors[0]}")
    pages = len(document.pages)
    limit = LARGE_PRINT_MAX_PAGES if large_print else STANDARD_PAGES
    if pages > limit:
        cause = (f"with the details in {clinic['source']} " if clinic else "")
        raise InputError(
            f"{output.name}: {cause}the leaflet runs to {pages} pages, {pages - limit} more than the "
            f"{limit} allowed; shorten the {{leaflet}} passages in docs/ ({longest_passages(content['passages'])})"
        )
    if not large_print and pages < STANDARD_PAGES:
        raise InputError(
            f"{output.name}: the leaflet fills only {pages} page; the standard edition is one "
            f"sheet printed on both sides ({STANDARD_PAGES} pages)"
        )
    write_atomically(output, lambda target: document.write_pdf(
        target, pdf_variant="pdf/ua-1", pdf_identifier=stable_identifier(html)))
    return pages


def stable_identifier(html: str) -> bytes:
    """The PDF's ID: the same inputs give the same bytes (reproducible builds)."""
    import hashlib

    return hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")


def write_atomically(output: Path, write) -> None:
    """Write to a temporary file beside ``output`` and rename it into place.

    A reader, a crash or an interrupt never sees half a PDF, and an earlier
    good file stays until the new one is complete.
    """
    if output.is_dir():
        raise InputError(f"{output}: is a folder; --output must name a PDF file")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.{RUN_ID}.", suffix=TEMP_SUFFIX,
                                        dir=output.parent)
    except OSError as exc:
        raise InputError(f"{output.parent}: cannot write here ({exc.strerror})") from None
    os.close(fd)
    try:
        write(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, output)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def render_one(content: dict, paper: str, large_print: bool, clinic_file: Path | None,
               output: Path) -> tuple[Path, int]:
    clinic = load_clinic(clinic_file) if clinic_file else None
    return output, render_pdf(content, paper, large_print, clinic, output)


def publish_with_book(build_dir: Path, language: str, output: Path) -> None:
    """Copy a generic edition into the HTML output: hosting the book hosts the leaflets."""
    html_leaflets = html_dir(build_dir, language) / "leaflet"
    html_leaflets.mkdir(parents=True, exist_ok=True)
    write_atomically(html_leaflets / output.name, lambda target: shutil.copyfile(output, target))


def batch_jobs(args: argparse.Namespace) -> list[tuple[Path, str, Path]]:
    if not args.clinics.is_dir():
        raise InputError(f"{args.clinics}: not a folder of clinic TOML files")
    files = sorted(args.clinics.glob("*.toml"))
    if not files:
        raise InputError(f"{args.clinics}: no *.toml clinic files in this folder")
    out_dir = args.output or args.build_dir / "leaflet" / "clinics"
    return [
        (clinic_file, paper, out_dir / f"{clinic_file.stem}-{leaflet_filename(args.language, paper, args.large_print)}")
        for clinic_file in files for paper in args.paper
    ]


def run_batch(args: argparse.Namespace, content: dict) -> int:
    from tqdm import tqdm

    jobs = batch_jobs(args)
    os.environ["LEAFLET_RUN_ID"] = RUN_ID
    failures: list[str] = []
    internal: list[str] = []
    written: list[str] = []
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, initializer=ignore_interrupts) as pool:
        futures = {pool.submit(render_one, content, paper, args.large_print, clinic_file, output): clinic_file
                   for clinic_file, paper, output in jobs}
        progress = tqdm(as_completed(futures), total=len(futures), unit="leaflet",
                        file=sys.stderr, disable=None)
        try:
            for future in progress:
                try:
                    output, pages = future.result()
                    written.append(f"wrote {output} ({pages} pages)")
                except (ClinicFileError, InputError) as exc:
                    failures.append(f"failed {exc}")
                except Exception as exc:  # a bug met by one clinic's file must not stop the others
                    internal.append(f"failed {futures[future]}: internal error: {type(exc).__name__}: {exc}")
        except BaseException:
            # Stop now: leaflets being written finish (atomically), the rest never start.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    for line in sorted(written) + sorted(set(failures)) + sorted(set(internal)):
        print(line)
    print(f"{len(written)} leaflet(s) written, {len(set(failures))} clinic file problem(s)"
          + (f", {len(set(internal))} internal error(s)" if internal else ""))
    return 1 if internal else 2 if failures else 0


def ignore_interrupts() -> None:
    # Workers leave Ctrl-C to the parent, which stops the batch and tidies up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def remove_temporary_files(folder: Path) -> None:
    if folder.is_dir():
        for leftover in folder.glob(f".*.{RUN_ID}.*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        content = load_content(args.source, args.build_dir, args.language)
        if args.clinics:
            return run_batch(args, content)
        for paper in args.paper:
            name = leaflet_filename(args.language, paper, args.large_print)
            output = args.output or args.build_dir / "leaflet" / name
            output, pages = render_one(content, paper, args.large_print, args.clinic, output)
            print(f"wrote {output} ({pages} pages)")
            if args.output is None and args.clinic is None:
                publish_with_book(args.build_dir, args.language, output)
    except (InputError, ClinicFileError) as exc:
        print(f"build_leaflet.py: error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit) as exc:
        out_dirs = {args.build_dir / "leaflet", args.build_dir / "leaflet" / "clinics", html_dir(args.build_dir, args.language) / "leaflet"}
        if args.output:
            out_dirs |= {args.output, args.output.parent}
        for folder in out_dirs:
            remove_temporary_files(folder)
        print("build_leaflet.py: interrupted; finished leaflets were kept, none is half-written", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else 143
    except Exception as exc:  # a bug, not bad input: still one line, and nothing half-written
        if os.environ.get("LEAFLET_DEBUG"):
            raise
        print(f"build_leaflet.py: internal error: {type(exc).__name__}: {exc} "
              "(set LEAFLET_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    return 0

