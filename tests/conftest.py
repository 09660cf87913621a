"""Shared fixtures: build the book and the leaflets once per test session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCRIPT = ROOT / "scripts" / "build_leaflet.py"


def run_sphinx(source: Path, build_dir: Path) -> subprocess.CompletedProcess:
    """The Makefile's HTML build: warnings are errors, nitpicky references."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q",
         "-d", str(build_dir / "doctrees"), str(source), str(build_dir / "html")],
        capture_output=True, text=True,
    )


def run_leaflet(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True)


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Path:
    """A fresh build of docs/ into a temporary build folder; returns that folder."""
    build_dir = tmp_path_factory.mktemp("build")
    result = run_sphinx(DOCS, build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return build_dir


@pytest.fixture(scope="session")
def leaflets(book: Path) -> dict[str, Path]:
    """The default A4 and Letter leaflets rendered from the session's book build."""
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--paper", "letter")
    assert result.returncode == 0, result.stderr
    return {paper: book / "leaflet" / f"calcinosis-leaflet-en-{paper}.pdf" for paper in ("a4", "letter")}


def copy_docs(parent: Path) -> Path:
    """Copy docs/ into ``parent``."""
    target = parent / "docs"
    shutil.copytree(DOCS, target, ignore=shutil.ignore_patterns("_build", "__pycache__"))
    return target


@pytest.fixture
def docs_copy(tmp_path) -> Path:
    """A private copy of docs/ that a test may edit."""
    return copy_docs(tmp_path)
