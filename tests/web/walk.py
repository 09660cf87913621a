"""The browser walk: every check of browser_checks.mjs on every page of a built book.

It takes minutes, most of it in Chromium, so under `make test` (the book is
built before pytest starts) the session starts it first, in the background
(``BackgroundWalk``, started by ``pytest_sessionstart`` in tests/conftest.py),
and every other test runs beside it; the browser tests then read its results
(``wait_for_results``).
Without a book built beforehand, the first test that needs the results runs
the walk itself (``run_walk``), and the other workers wait for it
(``made_once``, tests/conftest.py).

The started walk's files, in a folder every pytest-xdist worker sees (the
session's base temporary folder): STARTED when it is under way, then RESULTS
or FAILED.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from calcinosis_guide.audit import chrome_path, pages, serve, site_path
from conftest import made_once

ROOT = Path(__file__).resolve().parents[2]
CHECKS = Path(__file__).with_name("browser_checks.mjs")
STARTED = "web-walk.started"
RESULTS = "web-results.json"
FAILED = "web-walk.failed"
# What run_walk writes in its work folder.
WALK_RESULTS = "results.json"
TIMEOUT_S = 1500


class WalkError(Exception):
    """The walk could not run or stopped early; the message says why."""


def chromium() -> str:
    try:
        return chrome_path()
    except FileNotFoundError as exc:
        raise WalkError(f"{exc} (.ci/run installs it)") from None


def run_walk(html_dir: Path, work: Path, on_start: Callable[[subprocess.Popen], None] | None = None) -> Path:
    """Run every check on every page of ``html_dir``; return the results file (in ``work``).

    ``on_start`` is called with the node process once it runs (to stop it early).
    However the walk ends, node is not left running: on SIGTERM Playwright
    closes the Chromium it started (SIGKILL would leave it behind).
    """
    if not (ROOT / "node_modules" / "playwright-core").is_dir() or not (ROOT / "node_modules" / "axe-core").is_dir():
        raise WalkError("node_modules missing: run `npm ci` (make test does), or skip with -m 'not browser'")
    work.mkdir(parents=True, exist_ok=True)
    config = {
        "pages": pages(html_dir),
        "sitePath": site_path(html_dir),
        "out": str(work / WALK_RESULTS),
        "pdfDir": str(work / "pdf"),
        "screenshotDir": None,
        "chrome": chromium(),
    }
    with serve(html_dir) as base:
        config["base"] = base
        (work / "config.json").write_text(json.dumps(config))
        node = subprocess.Popen(["node", str(CHECKS), str(work / "config.json")], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            if on_start:
                on_start(node)
            _, stderr = node.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            stop_node(node)
            raise WalkError(f"browser_checks.mjs took over {TIMEOUT_S} s") from None
        except BaseException:
            stop_node(node)
            raise
    if node.returncode != 0:
        raise WalkError(f"browser_checks.mjs exit {node.returncode}: {stderr[-4000:]}")
    return work / WALK_RESULTS


def stop_node(node: subprocess.Popen) -> None:
    node.terminate()
    try:
        node.wait(timeout=10)
    except subprocess.TimeoutExpired:
        node.kill()
        node.wait()


class WalkStopped(Exception):
    """The session ended before the walk started its browser."""


class BackgroundWalk:
    """The walk in a thread of this process, its outcome written into ``shared``."""

    def __init__(self, html_dir: Path, shared: Path):
        self.html_dir, self.shared = html_dir, shared
        self.node: subprocess.Popen | None = None
        self.stopped = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="browser walk", daemon=True)

    def start(self) -> BackgroundWalk:
        (self.shared / STARTED).write_text(str(self.html_dir))
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            results = run_walk(self.html_dir, self.shared / "web-walk", on_start=self._started)
            results.replace(self.shared / RESULTS)
        except Exception as exc:  # noqa: BLE001 - every failure must reach the tests that wait
            failed = self.shared / (FAILED + ".tmp")
            failed.write_text(f"{type(exc).__name__}: {exc}")
            failed.replace(self.shared / FAILED)

    def _started(self, node: subprocess.Popen) -> None:
        with self.lock:
            self.node = node
            if self.stopped:  # the session ended while node was starting
                raise WalkStopped

    def stop(self) -> None:
        """At the end of the session: a walk nobody waited for is not left running."""
        with self.lock:
            self.stopped = True
            node = self.node
        if node is not None and node.poll() is None:
            stop_node(node)
        self.thread.join(timeout=30)


def results_in(shared: Path, html_dir: Path) -> dict:
    """The walk's results for this session: the one started with it, or else the
    one the first pytest-xdist worker to ask runs (the others wait for it)."""
    if (shared / STARTED).exists():
        return wait_for_results(shared)
    folder = made_once(shared, "browser-walk", lambda work: run_walk(html_dir, work))
    return json.loads((folder / WALK_RESULTS).read_text())


def wait_for_results(shared: Path) -> dict:
    """The results of the walk started in ``shared``, once it has finished."""
    deadline = time.monotonic() + TIMEOUT_S + 60
    while time.monotonic() < deadline:
        if (shared / RESULTS).exists():
            return json.loads((shared / RESULTS).read_text())
        if (shared / FAILED).exists():
            raise WalkError((shared / FAILED).read_text())
        time.sleep(0.5)
    raise WalkError(f"no results from the browser walk in {shared} after {TIMEOUT_S + 60} s")
