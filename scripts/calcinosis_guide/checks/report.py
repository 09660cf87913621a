"""What a build leaves for ``make`` to print: the readability table, the
review status and which checks conf.py silences, in
``<build>/checks/<language>.json`` (``scripts/check_content.py`` reads it).

Written at the end of every HTML build, failed or not, from the rows the
readability check judged: the printed table is the one the build checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from calcinosis_guide.checks.pages import WARNING_TYPE, report_path
from calcinosis_guide.checks.readability import TABLE_TITLE, TABLE_TITLE_ES, format_table, rows_of, table_cells
from calcinosis_guide.checks.spelling import relative


def write_report(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    language = app.config.language or "en"
    # The doctrees sit in the build folder (make, sphinx-build -M, scripts/build_book.py);
    # the output folder may be a staging copy that is thrown away.
    target = report_path(Path(app.doctreedir).parent, language)
    header, body = table_cells(rows_of(app.env))
    report = {
        "language": language,
        "readability": {"title": TABLE_TITLE_ES if language == "es" else TABLE_TITLE, "header": header, "body": body, "text": format_table(header, body)},
        "review": getattr(app.env, "calcinosis_review", None),
        "bibliography_gaps": getattr(app.env, "calcinosis_bibliography_gaps", []),
        "suppressed": sorted(s for s in app.config.suppress_warnings if s.startswith(WARNING_TYPE + ".")),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(target)


def load_report(build_dir: Path, language: str) -> dict | None:
    path = report_path(build_dir, language)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def review_line(report: dict | None) -> tuple[str, str] | None:
    """(status, "file:line: message") of the review check in the report."""
    review = (report or {}).get("review")
    if not review:
        return None
    location = review["location"]
    path, _, line = location.rpartition(":")
    return review["status"], f"{relative(path)}:{line}: {review['message']}"


def print_review_status(build_dir: Path, language: str) -> None:
    """A warning when the next review is due soon or past; nothing when it is not."""
    found = review_line(load_report(build_dir, language))
    if found is None:
        print(f"WARNING review: no review status in {report_path(build_dir, language)}: build the book first (make html)")
    elif found[0] != "ok":
        print(f"WARNING review: {found[1]}")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", write_report, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
