"""Shared fixtures: build the book and the leaflets once per test session."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCRIPT = ROOT / "scripts" / "build_leaflet.py"


# --- The browser walk, started before the first test -------------------------

BROWSER_WALK_FILES = {ROOT / "tests" / "web" / "test_web.py", ROOT / "tests" / "web" / "test_page_structure.py"}
BACKGROUND_WALK = pytest.StashKey()


def browser_walk_wanted(config) -> bool:
    """Whether this session runs tests that read the browser walk's results.

    Only an unfiltered run of their files starts the walk early: with a
    selection (-m, -k, --lf, ...) the first test that needs it runs it.
    """
    if any(config.getoption(option, None) for option in
           ("markexpr", "keyword", "collectonly", "deselect", "lf", "failedfirst")):
        return False
    for arg in config.args:
        path = (Path(config.invocation_params.dir) / arg.split("::")[0]).resolve()
        if any(path == f or path in f.parents for f in BROWSER_WALK_FILES):
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Under `make test` the book is built before pytest starts, so the browser
    walk (minutes, mostly in Chromium) can start now and run beside every other
    test, where a test would otherwise wait for it with the workers idle.
    The controlling process starts it (not a pytest-xdist worker)."""
    config = session.config
    made = os.environ.get("CALCINOSIS_BUILT_BOOK")
    if hasattr(config, "workerinput") or not made or not browser_walk_wanted(config):
        return
    from web.walk import BackgroundWalk

    # The session's base temporary folder; each pytest-xdist worker's is inside it.
    shared = config._tmp_path_factory.getbasetemp()
    config.stash[BACKGROUND_WALK] = BackgroundWalk(Path(made).resolve() / "html", shared).start()


def pytest_sessionfinish(session):
    walk = session.config.stash.get(BACKGROUND_WALK, None)
    if walk is not None:
        walk.stop()


def session_folder(tmp_path_factory) -> Path:
    """The folder every pytest-xdist worker of this session shares: the base
    temporary folder, which holds each worker's own (without workers, the base itself)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(shared: Path, name: str, make) -> Path:
    """``shared/name``, filled by ``make(folder)`` once per session: the first
    worker to ask makes it, the others wait for it (a lock) and read it. If
    the make fails, the others fail at once with its message (not each after
    making it again)."""
    folder = shared / name
    failed = shared / f"{name}.failed"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"{name}, made by another worker, failed: {failed.read_text()}")
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            try:
                make(folder)
            except BaseException as exc:
                failed.write_text(f"{type(exc).__name__}: {exc}")
                raise
            (folder / ".made").touch()
    return folder


def run_build_book(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py"), *map(str, args)],
                          capture_output=True, text=True)


def run_leaflet(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True)


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """A build folder holding the book and the default leaflets, built once per session.

    Under `make test` that is a copy of the build `make` has just made
    (CALCINOSIS_BUILT_BOOK names it), so the tests check what `make` built
    and never build it twice; a copy, because tests write into it. Run
    alone, pytest builds it here the way `make` does.
    """
    build_dir = tmp_path_factory.mktemp("build")
    made = os.environ.get("CALCINOSIS_BUILT_BOOK")
    if made:
        for part in ("html", "leaflet", "leaflet-content", "doctrees", "checks"):
            shutil.copytree(Path(made) / part, build_dir / part, symlinks=True)
        return build_dir
    result = run_build_book("--leaflets", "--source", DOCS, "--build-dir", build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return build_dir


@pytest.fixture(scope="session")
def handout(book: Path, tmp_path_factory) -> dict:
    """Every edition a clinic hands out (tests/leaflet_editions.py), rendered
    once per session for all the workers."""
    from leaflet_editions import handout_editions, render_handout_batch

    folder = made_once(session_folder(tmp_path_factory), "handout-editions",
                       lambda folder: render_handout_batch(book, folder))
    return handout_editions(book, folder)


@pytest.fixture(scope="session")
def pdf_editions(book: Path, handout: dict, tmp_path_factory) -> dict[str, Path]:
    """Name -> PDF of every edition the PDF/UA and structure tests check."""
    from leaflet_editions import editions, render_png_clinic

    folder = made_once(session_folder(tmp_path_factory), "png-clinic-edition",
                       lambda folder: render_png_clinic(book, folder))
    return editions(book, handout, folder)


@pytest.fixture(scope="session")
def leaflets(book: Path) -> dict[str, Path]:
    """The default standard A4 and Letter leaflets of the session's build."""
    return {paper: book / "leaflet" / f"calcinosis-leaflet-en-{paper}.pdf" for paper in ("a4", "letter")}


@pytest.fixture(scope="session")
def large_print(book: Path) -> dict[str, Path]:
    """The default large-print A4 and Letter leaflets of the session's build."""
    return {paper: book / "leaflet" / f"calcinosis-leaflet-en-{paper}-large-print.pdf" for paper in ("a4", "letter")}


def copy_docs(parent: Path) -> Path:
    """Copy docs/ into ``parent``."""
    target = parent / "docs"
    shutil.copytree(DOCS, target, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    return target


@pytest.fixture
def docs_copy(tmp_path) -> Path:
    """A private copy of docs/ that a test may edit."""
    return copy_docs(tmp_path)
