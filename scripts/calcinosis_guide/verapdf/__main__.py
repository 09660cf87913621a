"""python -m calcinosis_guide.verapdf [--build-dir DIR] FILE.pdf...: PDF/UA-1 rule by rule."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from calcinosis_guide.verapdf import VeraPDFUnavailable, validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate PDFs with veraPDF's PDF/UA-1 profile (one JVM run).")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--build-dir", type=Path, default=Path("_build"),
                        help="where the driver is compiled (default: _build)")
    args = parser.parse_args(argv)
    missing = [path for path in args.files if not path.is_file()]
    if missing:
        print(f"{missing[0]}: not found", file=sys.stderr)
        return 2
    try:
        reports = validate(args.files, args.build_dir)
    except VeraPDFUnavailable as exc:
        print(f"veraPDF: {exc}", file=sys.stderr)
        return 2
    for path in args.files:
        print(reports[path].summary())
    failing = [report for report in reports.values() if not report.compliant]
    print(f"{len(reports) - len(failing)} of {len(reports)} files pass PDF/UA-1")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
