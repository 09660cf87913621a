"""The leaflet command (scripts/build_leaflet.py): generic, clinic and batch leaflets.

It reads the hand-over of the last book build (building the book first,
incrementally, so it is never older than the pages), checks each clinic
file with ``calcinosis_guide.clinic`` and renders with
``calcinosis_guide.render``.

Exit codes: 0 all written, 2 bad input (that leaflet not written), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from calcinosis_guide.build import BookBuildError, build_book
from calcinosis_guide.catalogs import CatalogError, LanguageError, check_language
from calcinosis_guide.clinic import ClinicFileError, load_clinic
from calcinosis_guide.outputs import PAPERS, html_dir, leaflet_content_path, leaflet_filename, sources_fingerprint
from calcinosis_guide.render import RUN_ID, TEMP_SUFFIX, InputError, read_handover, render_pdf, write_atomically


class OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse hook: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


EDITIONS = ("standard", "large-print")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineErrorParser(
        prog="build_leaflet.py",
        description="Render the patient leaflet as PDF from the MyST pages in docs/.",
    )
    parser.add_argument("--paper", action="append", choices=PAPERS, metavar="{a4,letter}",
                        help="paper size; repeat for several (default: a4 and letter)")
    parser.add_argument("--language", action="append", metavar="CODE",
                        help="language of the pages to use (default: en); repeat with --clinics")
    parser.add_argument("--large-print", action="store_true",
                        help="large-print edition: body text 16 pt or more, up to 4 pages")
    parser.add_argument("--fillable", action="store_true",
                        help="fillable edition: the care-team box and the next-visit space as PDF form fields "
                             "(the generic leaflet only)")
    parser.add_argument("--edition", action="append", choices=EDITIONS,
                        help="with --clinics: standard, large-print, or both when repeated (default: standard)")
    clinics = parser.add_mutually_exclusive_group()
    clinics.add_argument("--clinic", type=Path, metavar="FILE",
                         help="TOML file with one clinic's contact details (see README)")
    clinics.add_argument("--clinics", type=Path, metavar="DIR",
                         help="render one leaflet per *.toml file in DIR, in parallel")
    parser.add_argument("--output", type=Path, metavar="PATH",
                        help="the PDF to write (with one --paper), or the folder for --clinics")
    parser.add_argument("--jobs", type=int, metavar="N", default=os.cpu_count() or 1,
                        help="with --clinics: leaflets rendered at once (default: the number of cores)")
    parser.add_argument("--shard", metavar="K/N",
                        help="with --clinics: render only part K of N of the batch, for job arrays "
                             "(every part together is the whole batch)")
    parser.add_argument("--source", type=Path, default=Path("docs"),
                        help="folder of the MyST pages (default: docs)")
    parser.add_argument("--build-dir", type=Path, default=Path("_build"),
                        help="build folder shared with Sphinx (default: _build)")
    args = parser.parse_args(argv)
    args.paper = list(dict.fromkeys(args.paper or PAPERS))
    args.languages = list(dict.fromkeys(args.language or ["en"]))
    if args.output and not args.clinics and len(args.paper) > 1:
        parser.error("--output names one PDF, so it needs exactly one --paper")
    for language in args.languages:
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", language):
            parser.error(f"--language: '{language}' is not a language code such as en or es")
    if len(args.languages) > 1 and not args.clinics:
        parser.error("--language names one language, except with --clinics")
    args.language = args.languages[0]
    if args.fillable and (args.clinic or args.clinics):
        parser.error("--fillable makes the generic leaflet, whose care-team box is filled in; "
                     "a clinic's leaflet prints its details")
    if not args.clinics and (args.edition or args.shard):
        parser.error("--edition and --shard go with --clinics")
    editions = list(dict.fromkeys(args.edition or (["large-print"] if args.large_print else ["standard"])))
    args.large_prints = [edition == "large-print" for edition in editions]
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    args.shard_part = (1, 1)
    if args.shard:
        match = re.fullmatch(r"(\d+)/(\d+)", args.shard)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            parser.error(f"--shard: '{args.shard}' must be K/N with 1 <= K <= N, such as 2/8")
        args.shard_part = (int(match[1]), int(match[2]))
    return args


def load_content(source: Path, build_dir: Path, language: str) -> dict:
    """The hand-over of the last book build, building the book first (incrementally:
    Sphinx reads only the pages that changed) when it was made from other sources."""
    if not (source / "conf.py").is_file():
        raise InputError(f"{source}: no conf.py here; --source must be the book's docs folder")
    try:
        check_language(source, language)
    except (LanguageError, CatalogError) as exc:
        raise InputError(str(exc)) from None
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
               output: Path, fillable: bool = False) -> tuple[Path, int]:
    clinic = load_clinic(clinic_file) if clinic_file else None
    return output, render_pdf(content, paper, large_print, clinic, output, fillable=fillable)


def publish_with_book(build_dir: Path, language: str, output: Path) -> None:
    """Copy a generic edition into the HTML output: hosting the book hosts the leaflets."""
    html_leaflets = html_dir(build_dir, language) / "leaflet"
    html_leaflets.mkdir(parents=True, exist_ok=True)
    write_atomically(html_leaflets / output.name, lambda target: shutil.copyfile(output, target))


@dataclass(frozen=True)
class Job:
    clinic_file: Path
    language: str
    large_print: bool
    paper: str
    output: Path


def batch_jobs(args: argparse.Namespace) -> list[Job]:
    """This shard's leaflets: every clinic x language x edition x paper, in a fixed
    order, dealt out round-robin so each of N parts gets an even share."""
    if not args.clinics.is_dir():
        raise InputError(f"{args.clinics}: not a folder of clinic TOML files")
    files = sorted(args.clinics.glob("*.toml"))
    if not files:
        raise InputError(f"{args.clinics}: no *.toml clinic files in this folder")
    out_dir = args.output or args.build_dir / "leaflet" / "clinics"
    every = [Job(clinic_file, language, large, paper,
                 out_dir / f"{clinic_file.stem}-{leaflet_filename(language, paper, large)}")
             for clinic_file in files for language in args.languages
             for large in args.large_prints for paper in args.paper]
    part, parts = args.shard_part
    return every[part - 1::parts]


_WORKER_CONTENT: dict[str, dict] = {}


def _start_worker(contents: dict[str, dict]) -> None:
    # Each worker gets the hand-overs once, not once per leaflet: memory stays flat.
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the batch and tidies up
    _WORKER_CONTENT.update(contents)


def _render_job(job: Job) -> tuple[Job, int, str]:
    import hashlib

    clinic = load_clinic(job.clinic_file)
    pages = render_pdf(_WORKER_CONTENT[job.language], job.paper, job.large_print, clinic, job.output)
    return job, pages, hashlib.sha256(job.output.read_bytes()).hexdigest()


def run_batch(args: argparse.Namespace, contents: dict[str, dict]) -> int:
    from tqdm import tqdm

    jobs = batch_jobs(args)
    out_dir = args.output or args.build_dir / "leaflet" / "clinics"
    os.environ["LEAFLET_RUN_ID"] = RUN_ID
    failures: set[str] = set()
    internal: set[str] = set()
    written: list[tuple[Job, int, str]] = []
    progress = tqdm(total=len(jobs), unit="leaflet", file=sys.stderr, disable=None)
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=_start_worker, initargs=(contents,)) as pool:
        try:
            pending: dict = {}
            queue = iter(jobs)
            while True:
                # A few jobs ahead of the workers, not the whole batch: flat memory at any size.
                for job in queue:
                    pending[pool.submit(_render_job, job)] = job
                    if len(pending) >= 4 * args.jobs:
                        break
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    try:
                        written.append(future.result())
                    except (ClinicFileError, InputError) as exc:
                        failures.add(f"failed {exc}")
                    except Exception as exc:  # a bug met by one clinic's file must not stop the others
                        internal.add(f"failed {job.clinic_file}: internal error: {type(exc).__name__}: {exc}")
                    progress.update()
                    progress.set_postfix(failed=len(failures) + len(internal), refresh=False)
        except BaseException:
            # Stop now: leaflets being written finish (atomically), the rest never start.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            progress.close()
    manifest = write_manifest(out_dir, args.shard_part, written)
    for line in sorted(f"wrote {job.output} ({pages} pages)" for job, pages, _ in written):
        print(line)
    for line in sorted(failures) + sorted(internal):
        print(line)
    print(f"{len(written)} leaflet(s) written to {out_dir}, {len(failures)} clinic file problem(s)"
          + (f", {len(internal)} internal error(s)" if internal else "") + f"; manifest: {manifest}")
    return 1 if internal else 2 if failures else 0


MANIFEST_FIELDS = ("clinic_file", "language", "edition", "paper", "pdf", "pages", "sha256")


def write_manifest(out_dir: Path, shard: tuple[int, int], written: list[tuple[Job, int, str]]) -> Path:
    """What this run wrote, as CSV and JSON beside the PDFs, so a clinic can check what it prints."""
    import csv
    import io

    rows = sorted(({"clinic_file": str(job.clinic_file), "language": job.language,
                    "edition": "large-print" if job.large_print else "standard", "paper": job.paper,
                    "pdf": job.output.name, "pages": pages, "sha256": digest}
                   for job, pages, digest in written), key=lambda row: row["pdf"])
    stem = "manifest" if shard == (1, 1) else f"manifest-{shard[0]}-of-{shard[1]}"
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(out_dir / f"{stem}.csv", lambda target: Path(target).write_text(table.getvalue(), encoding="utf-8"))
    write_atomically(out_dir / f"{stem}.json", lambda target: Path(target).write_text(
        json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"))
    return out_dir / f"{stem}.csv"


def remove_temporary_files(folder: Path) -> None:
    if folder.is_dir():
        for leftover in folder.glob(f".*.{RUN_ID}.*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if args.clinics:
            return run_batch(args, {language: load_content(args.source, args.build_dir, language)
                                    for language in args.languages})
        content = load_content(args.source, args.build_dir, args.language)
        for paper in args.paper:
            name = leaflet_filename(args.language, paper, args.large_print, args.fillable)
            if args.clinic:  # never in place of the generic leaflets the book links to
                name = f"{args.clinic.stem}-{name}"
                output = args.output or args.build_dir / "leaflet" / "clinics" / name
            else:
                output = args.output or args.build_dir / "leaflet" / name
            output, pages = render_one(content, paper, args.large_print, args.clinic, output, args.fillable)
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

