"""Fixtures for the web book's browser tests (tests/web/).

The browser checks run once per session in Debian's Chromium, driven by
tests/web/browser_checks.mjs (playwright-core and axe-core from npm; no
browser download), against the session's book build served from 127.0.0.1
with gzip. Each test then reads its part of the results.

The walk itself is tests/web/walk.py. Quick run without it: pytest -m "not browser".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_guide.audit import pages
from conftest import session_folder
from web.walk import WalkError, results_in


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: loads the built book in Chromium (skip with -m 'not browser')")


@pytest.fixture(scope="session")
def html_dir(book: Path) -> Path:
    return book / "html"


@pytest.fixture(scope="session")
def web_results(html_dir: Path, tmp_path_factory) -> dict:
    """Every browser check on every page, run once; the parsed results.

    Under `make test` the session started the walk before the first test
    (tests/conftest.py), and this waits for it. Otherwise the first worker
    to get here runs it, and the others wait for it and read the same file
    (the pattern pytest-xdist documents; tests/web/walk.py).
    """
    try:
        found = results_in(session_folder(tmp_path_factory), html_dir)
    except WalkError as exc:
        pytest.fail(str(exc))
    # The early walk served the build `make` made, of which this session's book is a copy.
    assert list(found["pages"]) == pages(html_dir), "the browser walk checked other pages than this build has"
    return found
