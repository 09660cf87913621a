"""The book keeps working offline after a first visit (calcinosis_guide.offline).

The browser test serves a copy of the session's book under a path, as Read
the Docs does (/x/en/latest/), with Python's own http.server, and drives
Chromium through offline_checks.mjs. The other tests read the built files.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from web.walk import chromium
from web.webpages import DOCS, ROOT, source_pages

from calcinosis_guide.book import format_date
from calcinosis_guide.offline import WORKER, precache_list

CHECKS = Path(__file__).with_name("offline_checks.mjs")
SUBPATH = "x/en/latest/"
LEAFLET = "leaflet/calcinosis-leaflet-en-a4.pdf"
OFFLINE_PAGES = ["medicines.html", "symptoms.html", "maintainers/architecture.html"]


def served_copy(html_dir: Path, parent: Path):
    """A copy of the book under ``parent/x/en/latest/``, served by ``python3 -m http.server``."""
    book = parent / SUBPATH
    shutil.copytree(html_dir, book)
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(parent)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..."
    port = int(line.split(" port ")[1].split()[0])
    base = f"http://127.0.0.1:{port}/{SUBPATH}"
    for _ in range(50):
        try:
            urllib.request.urlopen(base + "index.html", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    return server, book, base


def run_checks(html_dir: Path, work: Path, expect_worker: bool) -> dict:
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        pytest.fail("node_modules missing: run `npm ci` (make test does), or skip with -m 'not browser'")
    server, book, base = served_copy(html_dir, work / "site")
    try:
        config = {
            "base": base, "first": "index.html", "offline": OFFLINE_PAGES, "leaflet": LEAFLET,
            "changed": {"page": "medicines.html", "file": str(book / "medicines.html")},
            "expectWorker": expect_worker, "out": str(work / "results.json"), "chrome": chromium(),
        }
        (work / "config.json").write_text(json.dumps(config))
        result = subprocess.run(["node", str(CHECKS), str(work / "config.json")],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        server.terminate()
        server.wait()
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads((work / "results.json").read_text()) | {"base": base}


@pytest.fixture(scope="module")
def offline_results(html_dir, tmp_path_factory) -> dict:
    return run_checks(html_dir, tmp_path_factory.mktemp("offline"), expect_worker=True)


@pytest.mark.browser
def test_worker_looks_after_the_book_folder_only(offline_results):
    assert offline_results["first"]["status"] == 200 and offline_results["first"]["notice"] is None
    assert offline_results["scope"] == offline_results["base"]


@pytest.mark.browser
@pytest.mark.parametrize("index", range(len(OFFLINE_PAGES)), ids=OFFLINE_PAGES)
def test_pages_open_offline_styled_and_say_they_are_a_saved_copy(offline_results, index):
    seen = offline_results["offline"][index]
    assert seen.get("status") == 200, seen
    assert seen["styled"], "the book's stylesheet did not load offline"
    today = format_date(dt.date.today(), "en")
    assert seen["notice"] == f"You are offline. This is a copy saved on {today}.", seen


@pytest.mark.browser
def test_leaflet_opens_offline(offline_results, html_dir):
    leaflet = offline_results["leaflet"]
    assert leaflet.get("status") == 200 and leaflet["start"] == "%PDF", leaflet
    assert leaflet["size"] == (html_dir / LEAFLET).stat().st_size


@pytest.mark.browser
def test_everything_a_page_needs_was_saved_and_nothing_leaves_the_site(offline_results):
    failed = [e for e in offline_results["consoleErrors"] if "ERR_ABORTED" not in e]
    assert not failed, failed
    assert not offline_results["foreignRequests"], offline_results["foreignRequests"]


@pytest.mark.browser
def test_online_a_changed_page_shows_changed(offline_results):
    assert offline_results["onlineAgain"]["notice"] is None, "a saved copy shown while online"
    assert not offline_results["onlineAgain"]["marker"]
    assert offline_results["changed"]["marker"], "the page changed on the host but the old copy showed"
    assert offline_results["changed"]["notice"] is None


def test_worker_saves_every_page_style_script_and_leaflet(html_dir):
    saved = precache_list(html_dir)
    paths = {name.split("?")[0] for name in saved}
    assert set(source_pages()) <= paths
    assert {"_static/book-styles.css", "_static/book.js", "searchindex.js"} <= paths
    leaflets = {f"leaflet/calcinosis-leaflet-en-{paper}{edition}.pdf"
                for paper in ("a4", "letter") for edition in ("", "-large-print")}
    assert leaflets <= paths
    missing = [p for p in paths if not (html_dir / p).is_file()]
    assert not missing, missing
    assert not [p for p in paths if p.endswith((".map", ".po", ".mo"))]
    # Each page's stylesheets and scripts, as the page asks for them (with ?v=).
    page = BeautifulSoup((html_dir / "medicines.html").read_text(encoding="utf-8"), "html.parser")
    asked = {t["src"] for t in page.find_all("script", src=True)}
    asked |= {t["href"] for t in page.find_all("link", rel="stylesheet")}
    assert asked <= set(saved), asked - set(saved)


def test_worker_is_small_and_the_page_registers_it_after_load(html_dir):
    import gzip

    worker = (html_dir / WORKER).read_bytes()
    assert len(gzip.compress(worker)) < 3 * 1024
    script = (html_dir / "_static" / "book.js").read_text(encoding="utf-8")
    assert 'addEventListener("load"' in script and "serviceWorker.register" in script


@pytest.mark.browser
def test_switched_off_no_worker_is_written_or_registered(tmp_path):
    html = tmp_path / "build" / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-D", "calcinosis_offline=0",
         "-d", str(tmp_path / "build" / "doctrees"), str(DOCS), str(html)],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (html / WORKER).exists()
    assert not BeautifulSoup((html / "index.html").read_text(encoding="utf-8"), "html.parser").select(
        ".book-offline-notice")
    results = run_checks(html, tmp_path / "check", expect_worker=False)
    assert results["registrations"] == 0
    assert results["workerFetched"] == 404


def test_what_each_file_loads_is_kept_between_builds_and_found_again_when_it_changes(tmp_path):
    site, cache = tmp_path / "html", tmp_path / "doctrees" / "offline-files.pickle"
    (site / "_static").mkdir(parents=True)
    (site / "_static" / "a.css").write_text("body{background:url(b.png)}")
    (site / "_static" / "b.png").write_bytes(b"png")
    (site / "_static" / "c.js").write_text("")
    page = site / "index.html"
    page.write_text('<link rel="stylesheet" href="_static/a.css">')
    first = precache_list(site, cache=cache)
    assert first == precache_list(site) == ["_static/a.css", "_static/b.png", "index.html"]
    assert cache.is_file()
    # The page changed: what it loads now is found, not the kept answer for its old bytes.
    page.write_text('<link rel="stylesheet" href="_static/a.css"><script src="_static/c.js"></script>')
    assert precache_list(site, cache=cache) == ["_static/a.css", "_static/b.png", "_static/c.js", "index.html"]
    cache.write_bytes(b"damaged")
    assert precache_list(site, cache=cache) == ["_static/a.css", "_static/b.png", "_static/c.js", "index.html"]
