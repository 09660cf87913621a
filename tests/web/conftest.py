"""Fixtures for the web book's browser tests (tests/web/).

The browser checks run once per session in Debian's Chromium, driven by
tests/web/browser_checks.mjs (playwright-core and axe-core from npm; no
browser download), against the session's book build served from 127.0.0.1
with gzip. Each test then reads its part of the results.

Quick run without them: pytest -m "not browser".
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKS = Path(__file__).with_name("browser_checks.mjs")

from calcinosis_guide.audit import pages, serve, site_path
from web.webpages import ROOT


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: loads the built book in Chromium (skip with -m 'not browser')")


def _chromium() -> str:
    for path in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if path and Path(path).exists():
            return path
    pytest.fail("Chromium not found: apt-get install chromium (.ci/run does this)")


@pytest.fixture(scope="session")
def html_dir(book: Path) -> Path:
    return book / "html"


@pytest.fixture(scope="session")
def web_results(html_dir: Path, tmp_path_factory, worker_id: str) -> dict:
    """Run every browser check on every page once; the parsed results.

    Under pytest-xdist each worker has a session of its own, and the run
    takes minutes: the first worker to get here makes it, the others wait
    for it and read the same file (the pattern pytest-xdist documents).
    """
    if not (ROOT / "node_modules" / "playwright-core").is_dir() or not (ROOT / "node_modules" / "axe-core").is_dir():
        pytest.fail("node_modules missing: run `npm ci` (make test does), or skip with -m 'not browser'")
    base_temp = tmp_path_factory.getbasetemp()
    shared = base_temp if worker_id == "master" else base_temp.parent
    results = shared / "web-results.json"
    with open(shared / "web-results.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not results.exists():
            work = tmp_path_factory.mktemp("web")
            config = {
                "pages": pages(html_dir),
                "sitePath": site_path(html_dir),
                "out": str(work / "results.json"),
                "pdfDir": str(work / "pdf"),
                "screenshotDir": None,
                "chrome": _chromium(),
            }
            with serve(html_dir) as base:
                config["base"] = base
                (work / "config.json").write_text(json.dumps(config))
                result = subprocess.run(["node", str(CHECKS), str(work / "config.json")],
                                        cwd=ROOT, capture_output=True, text=True, timeout=1500)
            assert result.returncode == 0, result.stderr[-4000:]
            (work / "results.json").replace(results)
    return json.loads(results.read_text())
