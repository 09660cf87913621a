"""What the web tests check: the book's pages and its publication facts."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def source_pages() -> list[str]:
    """The HTML pages the book should have: one per MyST page, plus search."""
    found = {
        md.relative_to(DOCS).with_suffix(".html").as_posix()
        for md in DOCS.rglob("*.md")
        if not any(part.startswith(("_", ".")) for part in md.relative_to(DOCS).parts)
        and md.name != "README.md"
    }
    return sorted(found | {"search.html"})


def book_toml() -> dict:
    with (DOCS / "book.toml").open("rb") as f:
        return tomllib.load(f)
