"""review: the next review date in book.toml (``app.config.book_metadata``,
loaded by ``calcinosis_guide.book``) is not past; target C8.

Checked at the end of every build (``build-finished``), whatever was re-read.
A review due within 60 days, or one past due in a plain build, is only
recorded for ``make`` to print (``checks.report.print_review_status``): the strict build
turns every warning into a failure, and ``make`` must never fail on a date.
``make check`` sets ``calcinosis_review_overdue_fails`` (``-D``), so a past
review date is a warning there, and fails.

``calcinosis_today`` (YYYY-MM-DD) replaces today's date, for tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from calcinosis_guide.checks.pages import config_location, file_location, line_matching, warn

CHECK = "review"
logger = logging.getLogger(__name__)

# Warn this many days before the next review is due: time to book a
# clinician for the review (standards.md, Review dates).
REVIEW_WARN_DAYS = 60


def review_status(metadata: dict[str, Any], today: dt.date) -> tuple[str, str]:
    """("ok" | "soon" | "overdue", message) for the next review date."""
    review = metadata.get("review") or {}
    due, last = review.get("next_review"), review.get("last_reviewed")
    if not isinstance(due, dt.date) or not isinstance(last, dt.date):
        return "overdue", "no [review] last_reviewed and next_review dates in book_metadata"
    days = (due - today).days
    if days < 0:
        return "overdue", (f"the next review was due on {due.isoformat()}, {-days} days ago "
                           f"(last reviewed {last.isoformat()}): review the content and update [review] in book.toml")
    if days < REVIEW_WARN_DAYS:
        return "soon", (f"the next review is due on {due.isoformat()}, in {days} days "
                        f"(warning at {REVIEW_WARN_DAYS} days)")
    return "ok", f"next review due {due.isoformat()}, in {days} days"


def today(app: Sphinx) -> dt.date:
    value = app.config.calcinosis_today
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        warn(CHECK, f"calcinosis_today must be a date written YYYY-MM-DD, got {value!r}; using today",
             config_location(app, "calcinosis_today"))
        return dt.date.today()


def check_review(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None:
        return
    path = Path(app.confdir) / app.config.calcinosis_book_toml
    location = file_location(path, line_matching(path, r"^\s*next_review\s*="))
    status, message = review_status(app.config.book_metadata, today(app))
    app.env.calcinosis_review = {"status": status, "message": message, "location": location}
    if status == "overdue" and app.config.calcinosis_review_overdue_fails:
        warn(CHECK, message, location)
    elif status != "ok":
        # Not a warning: a strict plain build would fail on it. make prints it.
        logger.info(f"{location}: {message}")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("calcinosis_today", "", "", types=[str])
    app.add_config_value("calcinosis_review_overdue_fails", False, "", types=[bool])
    app.add_config_value("calcinosis_book_toml", "book.toml", "", types=[str])
    app.connect("build-finished", check_review, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
