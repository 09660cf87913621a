"""Facts about the book as a publication, read from ``docs/book.toml``.

One file holds the title, publisher, base address and review dates. This
module reads and checks it, shows the review dates at the top of every page,
and hands the same values to the leaflet renderer, so a date changed once
changes the web book and the leaflet together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.locale import get_translation

from calcinosis_guide.outputs import leaflet_filename

MESSAGE_CATALOG = "calcinosis"
_ = get_translation(MESSAGE_CATALOG)

REQUIRED_FIELDS = {
    "book": ("title", "subtitle", "publisher", "base_url", "licence", "licence_url", "feedback_url"),
    "review": ("last_reviewed", "next_review"),
}


class BookMetadataError(ValueError):
    """book.toml is missing, malformed, or holds a value that makes no sense."""


def load_book_metadata(path: str | Path) -> dict[str, Any]:
    """Read and check book.toml; raise BookMetadataError naming file and field."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise BookMetadataError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise BookMetadataError(f"{path}: {exc}") from None

    for table, fields in REQUIRED_FIELDS.items():
        section = data.get(table)
        if not isinstance(section, dict):
            raise BookMetadataError(f"{path}: missing table [{table}]")
        for field in fields:
            value = section.get(field)
            if value in (None, ""):
                raise BookMetadataError(f"{path}: [{table}] {field} is missing or empty")
            if table == "book" and not isinstance(value, str):
                raise BookMetadataError(f"{path}: [{table}] {field} must be text")

    review = data["review"]
    for field in REQUIRED_FIELDS["review"]:
        value = review[field]
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise BookMetadataError(
                f"{path}: [review] {field} must be a date written YYYY-MM-DD, got {value!r}"
            )
    reviewer = review.get("clinical_reviewer", "")
    reviewed_on = review.get("clinical_review_date", "")
    if not isinstance(reviewer, str):
        raise BookMetadataError(f"{path}: [review] clinical_reviewer must be text")
    if reviewer and (isinstance(reviewed_on, dt.datetime) or not isinstance(reviewed_on, dt.date)):
        raise BookMetadataError(
            f"{path}: [review] clinical_review_date must be a date written YYYY-MM-DD when clinical_reviewer is set"
        )
    if not reviewer and reviewed_on:
        raise BookMetadataError(f"{path}: [review] clinical_review_date is set but clinical_reviewer is empty")
    if review["next_review"] <= review["last_reviewed"]:
        raise BookMetadataError(
            f"{path}: [review] next_review ({review['next_review']}) must be after "
            f"last_reviewed ({review['last_reviewed']})"
        )
    if not data["book"]["base_url"].startswith("https://"):
        raise BookMetadataError(f"{path}: [book] base_url must start with https://")
    if not data["book"]["base_url"].endswith("/"):
        data["book"]["base_url"] += "/"
    return data


def date_locale(language: str | None) -> str:
    """The locale whose way of writing dates the book follows in ``language``."""
    # The book uses UK spelling; its English dates are written day-month-year.
    return {"en": "en_GB"}.get(language or "en", language)


def format_date(date: dt.date, language: str) -> str:
    """A date as readers of ``language`` write it in full, e.g. 24 November 2026."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(date, format="long", locale=date_locale(language))


def clinical_review_status(metadata: dict[str, Any], language: str) -> str:
    """Says honestly whether a named clinician has reviewed the content."""
    review = metadata["review"]
    if not review.get("clinical_reviewer"):
        # Said of the source text, so that a clinic's own approval line beside
        # it is not read as a contradiction.
        return _("Source text not yet reviewed by an independent clinician.")
    return _("Reviewed by {who} on {date}.").format(
        who=review["clinical_reviewer"], date=format_date(review["clinical_review_date"], language))


def review_line(metadata: dict[str, Any], language: str) -> str:
    review = metadata["review"]
    # "Checked against its sources", not "reviewed": the dates are the team's
    # checks against the fact base, not a clinical review.
    return _("Checked against its sources on {last}. Next check due by {next}.").format(
        last=format_date(review["last_reviewed"], language),
        next=format_date(review["next_review"], language),
    ) + " " + clinical_review_status(metadata, language) + translation_status(language)


def translation_status(language: str | None) -> str:
    """In a translation, who translated it and that no professional medical translator checked it."""
    if (language or "en") == "en":
        return ""
    return " " + _("Translated from the English by the project's maintainers; "
                   "not yet checked by a professional medical translator.")


def leaflet_review_status(metadata: dict[str, Any], language: str | None) -> str:
    """The leaflet footer's review line: in a translation it also says who
    translated it and that no professional medical translator checked it, in
    one line (the footer has no room for the web banner's two sentences)."""
    if (language or "en") == "en":
        return clinical_review_status(metadata, "en")
    if not metadata["review"].get("clinical_reviewer"):
        return _("Not yet reviewed by an independent clinician or a professional medical translator; "
                 "translated by the project's maintainers.")
    return clinical_review_status(metadata, language) + translation_status(language)


def add_review_banner(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put the review dates and a leaflet link under the title of every page."""
    if app.builder.format != "html":
        return
    sections = list(doctree.findall(nodes.section))
    if not sections:
        return
    metadata = app.config.book_metadata
    to_root = "../" * docname.count("/")
    pdf = leaflet_filename(app.config.language or "en", "a4")
    banner = nodes.paragraph(classes=["review-dates"])
    banner += nodes.Text(review_line(metadata, app.config.language) + " ")
    banner += nodes.reference(
        "", _("Printable leaflet (PDF)"), refuri=f"{to_root}leaflet/{pdf}", internal=False
    )
    banner += nodes.Text(" · ")
    banner += nodes.reference(
        "", _("Report an error"), refuri=metadata["book"]["feedback_url"], internal=False
    )
    sections[0].insert(1, banner)


def add_translations(app: Sphinx, config) -> None:
    """Load this project's own strings from the same locale folders as the pages' translations."""
    from sphinx import locale

    # Registered even with no folder (English), so that labels are plain text, not lazy proxies.
    locale.init([Path(app.srcdir) / folder for folder in config.locale_dirs], config.language, MESSAGE_CATALOG)


def code_digest() -> str:
    """A digest of this package's own files (code, templates, fonts).

    Sphinx re-reads a page only when the page or the configuration changed,
    not when an extension did; as a configuration value that rebuilds the
    environment, this digest makes a change to the package rebuild every page
    it may touch, so an incremental build equals a fresh one.
    """
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def setup(app: Sphinx) -> dict[str, Any]:
    # The catalogs compile the translations before add_translations loads them.
    app.setup_extension("calcinosis_guide.catalogs")
    app.add_config_value("book_metadata", {}, "env", types=[dict])
    app.add_config_value("calcinosis_code_digest", code_digest(), "env", types=[str])
    app.connect("config-inited", add_translations)
    app.connect("doctree-resolved", add_review_banner)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
