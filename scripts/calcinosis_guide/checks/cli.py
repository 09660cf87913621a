"""``make check``: build the book with every content check, strictly, then
print the readability table, the review status and one line per problem.

    python scripts/check_content.py --build-dir _build
    python scripts/check_content.py --build-dir _build --today 2027-05-01

The checks run inside the build (calcinosis_guide.checks); this script
builds with ``-D calcinosis_review_overdue_fails=1``, so a past review date
fails here and only here, runs codespell, and prints what the build left
in ``<build>/checks/<language>.json``. Each problem is one line:
``FAIL [check] file:line: what is wrong``. The exit code is 1 when anything
fails. (``make`` itself prints only a warning when the review is due soon
or past: ``calcinosis_guide.checks.report.print_review_status``.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import re
import sys
from pathlib import Path
from typing import Sequence

from calcinosis_guide.build import BookBuildError, build_book
from calcinosis_guide.checks.pages import WARNING_TYPE, report_path
from calcinosis_guide.checks.report import load_report, review_line
from calcinosis_guide.checks.spelling import WORD_LIST, check_spelling, relative


def check_names() -> list[str]:
    """Every check make check runs, by the name its failures carry: one per
    check module (evidence has two), the triage check and the spelling check."""
    from calcinosis_guide import triage
    from calcinosis_guide.checks import CHECK_MODULES

    modules = [importlib.import_module(name) for name in CHECK_MODULES]
    return [*(getattr(m, name) for m in modules for name in ("CHECK", "BIBLIOGRAPHY") if hasattr(m, name)),
            triage.CHECK, "spelling"]

SPHINX_PROBLEM = re.compile(r"^(?P<where>.*?): (?:WARNING|ERROR|CRITICAL|SEVERE): (?P<message>.*?)"
                            r"(?: \[(?P<type>[\w.-]+)\])?$")


def as_failure(problem: str) -> str:
    """A build problem as ``FAIL [check] file:line: message``."""
    problem = problem.removeprefix("build_book.py: error: ")
    m = SPHINX_PROBLEM.match(problem)
    if not m:
        return f"FAIL [build] {problem}"
    where, message, kind = m["where"], m["message"], m["type"] or ""
    path, _, line = where.rpartition(":") if re.search(r":\d+$", where) else (where, "", "")
    where = relative(path) + (f":{line}" if line else "")
    if kind.startswith(WARNING_TYPE + "."):
        return f"FAIL [{kind.split('.', 1)[1]}] {where}: {message}"
    return f"FAIL [build] {where}: {message}" + (f" [{kind}]" if kind else "")


def run_checks(args: argparse.Namespace) -> int:
    report = report_path(args.build_dir, args.language)
    report.unlink(missing_ok=True)  # never print the table of an earlier build
    options = [*args.sphinx_args, "-D", "calcinosis_review_overdue_fails=1"]
    if args.today:
        options += ["-D", f"calcinosis_today={args.today.isoformat()}"]
    try:
        build_book(args.source, args.build_dir, args.language, options)
        problems: list[str] = []
    except BookBuildError as exc:
        problems = exc.problems
    failures = [as_failure(p) for p in problems]

    found = load_report(args.build_dir, args.language)
    if found is not None:
        print(found["readability"]["title"])
        print(found["readability"]["text"])
        print()
    review = review_line(found)
    if review is not None and review[0] == "ok":
        print(f"review: {review[1]}")
    elif review is not None and review[0] == "soon":
        print(f"WARNING review: {review[1]}")
    failures += [f"FAIL [spelling] {p}" for p in check_spelling(args.source, args.words)]

    gaps = (found or {}).get("bibliography_gaps", [])
    if gaps:
        print(f"bibliography: {len(gaps)} known gap(s), listed in conf.py (calcinosis_bibliography_gaps):")
        for gap in gaps:
            print(f"  {gap}")
    for failure in failures:
        print(failure)
    silenced = (found or {}).get("suppressed", [])
    note = f"; silenced in conf.py: {', '.join(silenced)}" if silenced else ""
    if failures:
        print(f"\ncheck_content: {len(failures)} problem(s) found{note}")
        return 1
    passed = [c for c in check_names() if f"{WARNING_TYPE}.{c}" not in silenced]
    print(f"check_content: all checks passed ({', '.join(passed)}){note}")
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path("docs"), help="the docs folder (default docs/)")
    parser.add_argument("--build-dir", type=Path, default=Path("_build"), help="the build folder (default _build)")
    parser.add_argument("--language", default="en", help="the language to build and check (default en)")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="the date to check review dates against, YYYY-MM-DD (default: today)")
    parser.add_argument("--words", type=Path, default=WORD_LIST, help="codespell word list")
    parser.add_argument("sphinx_args", nargs="*", help="extra sphinx-build options, after --")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from calcinosis_guide.catalogs import CatalogError, LanguageError

    try:
        return run_checks(parse_args(argv))
    except (LanguageError, CatalogError) as exc:
        print(f"check_content: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
