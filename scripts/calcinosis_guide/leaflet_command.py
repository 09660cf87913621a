"""The leaflet command (scripts/build_leaflet.py): generic, clinic and batch leaflets.

It reads the hand-over of the last book build (building the book first,
incrementally, so it is never older than the pages), checks each clinic
file with ``calcinosis_guide.clinic`` and renders with
``calcinosis_guide.render``.

Exit codes: 0 all written, 2 bad input (that leaflet not written), 1 internal error.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from calcinosis_guide.build import BookBuildError, build_book
from calcinosis_guide.clinic import ClinicFileError, load_clinic
from calcinosis_guide.outputs import PAPERS, html_dir, leaflet_content_path, leaflet_filename, sources_fingerprint
from calcinosis_guide.render import RUN_ID, TEMP_SUFFIX, InputError, read_handover, render_pdf, write_atomically


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


def load_content(source: Path, build_dir: Path, language: str) -> dict:
    """The hand-over of the last book build, building the book first (incrementally:
    Sphinx reads only the pages that changed) when it was made from other sources."""
    if not (source / "conf.py").is_file():
        raise InputError(f"{source}: no conf.py here; --source must be the book's docs folder")
    content_path = leaflet_content_path(build_dir, language)
    try:
        content = read_handover(content_path)
    except InputError:
        content = None
    if content is None or content.get("sources") != sources_fingerprint(source):
        try:
            build_book(source, build_dir, language)
        except BookBuildError as exc:
            raise InputError("; ".join(exc.problems)) from None
        content = read_handover(content_path)
    return content


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
            if args.clinic:  # never in place of the generic leaflets the book links to
                name = f"{args.clinic.stem}-{name}"
                output = args.output or args.build_dir / "leaflet" / "clinics" / name
            else:
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

