"""Bad input from maintainers: one line per problem naming file and line, exit 2,
and the last good book and leaflet text left exactly as they were."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_leaflet

BUILD_BOOK = ROOT / "scripts" / "build_book.py"


def build_book(docs: Path, build_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD_BOOK), "--source", str(docs), "--build-dir", str(build_dir)],
                          capture_output=True, text=True)


def append(page: Path, text: str) -> None:
    page.write_text(page.read_text(encoding="utf-8") + "\n\n" + text + "\n", encoding="utf-8")


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("build_book.py: error:")]


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def set_review(docs: Path, last: str, next_: str) -> None:
    book = docs / "book.toml"
    lines = [
        f"last_reviewed = {last}" if line.startswith("last_reviewed") else
        f"next_review = {next_}" if line.startswith("next_review") else line
        for line in book.read_text(encoding="utf-8").splitlines()
    ]
    book.write_text("\n".join(lines) + "\n", encoding="utf-8")


MYST_MISTAKES = {
    "unclosed fence": ("causes.md", "```python\nx = 1", "causes.md:", "never closed"),
    "unknown directive": ("causes.md", ":::{leafet} Oops\ntext\n:::", "causes.md:", "Unknown directive type: 'leafet'"),
    "unknown role": ("causes.md", "A {termm}`calcium` role.", "causes.md:", 'Unknown interpreted text role "termm"'),
    "missing citation key": ("causes.md", "A claim {cite}`ref999`.", "causes.md:", 'could not find bibtex key "ref999"'),
    "broken cross-reference": ("causes.md", "See [this](nowhere.md).", "causes.md:", "nowhere.md"),
    "unknown glossary term": ("causes.md", "A {term}`flibbertigibbet`.", "causes.md:", "term not in glossary"),
    "empty leaflet passage": ("causes.md", "::::{leaflet} Empty\n::::", "causes.md:", 'leaflet passage "Empty" is empty'),
    "unknown leaflet box": ("causes.md", "::::{leaflet} Boxed\n:box: loud\nText.\n::::", "causes.md:",
                            "Invalid option value for 'box': loud"),
}


@pytest.mark.parametrize("case", sorted(MYST_MISTAKES))
def test_myst_mistake_is_one_line_naming_file_and_line_with_exit_2(docs_copy, tmp_path, case):
    page, text, where, what = MYST_MISTAKES[case]
    append(docs_copy / page, text)
    result = build_book(docs_copy, tmp_path / "build")
    assert result.returncode == 2, result.stderr
    problems = problem_lines(result.stderr)
    assert any(where in line and what in line for line in problems), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build" / "html").exists()
    assert not (tmp_path / "build" / "leaflet-content").exists()


def test_page_outside_every_toctree_is_reported(docs_copy, tmp_path):
    (docs_copy / "stray.md").write_text("# Stray page\n\nText.\n", encoding="utf-8")
    result = build_book(docs_copy, tmp_path / "build")
    assert result.returncode == 2
    assert any("stray.md" in line and "toctree" in line for line in problem_lines(result.stderr))


def test_page_that_is_not_utf8_is_reported_with_its_line(docs_copy, tmp_path):
    page = docs_copy / "tests.md"
    page.write_bytes(page.read_bytes() + b"\n\nCaf\xe9\n")
    lines = page.read_bytes().count(b"\n")
    result = build_book(docs_copy, tmp_path / "build")
    assert result.returncode == 2
    assert problem_lines(result.stderr) == [
        f"build_book.py: error: {page}:{lines}: not UTF-8 text (byte 0xe9); save the file as UTF-8"]


@pytest.mark.parametrize(("last", "next_", "expected"), [
    ('"24/11/2026"', "2027-05-24", "last_reviewed must be a date written YYYY-MM-DD"),
    ("2026-11-24", "2026-13-01", "book.toml: Expected newline or end of document after a statement (at line"),
    ("2026-11-24", "2026-01-01", "next_review (2026-01-01) must be after last_reviewed (2026-11-24)"),
])
def test_bad_review_dates_are_one_line_errors(docs_copy, tmp_path, last, next_, expected):
    set_review(docs_copy, last, next_)
    result = build_book(docs_copy, tmp_path / "build")
    assert result.returncode == 2
    problems = problem_lines(result.stderr)
    assert len(problems) == 1 and expected in problems[0], result.stderr


def test_failed_build_keeps_the_last_good_book_and_leaflet_text(docs_copy, tmp_path):
    build_dir = tmp_path / "build"
    assert build_book(docs_copy, build_dir).returncode == 0
    before = tree_digest(build_dir / "html"), (build_dir / "leaflet-content" / "en.json").read_bytes()
    append(docs_copy / "causes.md", "A {term}`flibbertigibbet`.")
    assert build_book(docs_copy, build_dir).returncode == 2
    assert build_book(docs_copy, build_dir).returncode == 2  # and it keeps failing until fixed
    after = tree_digest(build_dir / "html"), (build_dir / "leaflet-content" / "en.json").read_bytes()
    assert after == before
    assert [p.name for p in build_dir.iterdir() if p.name.startswith(".")] == []


def test_leaflet_passages_too_long_for_two_pages_name_the_overflow_and_the_longest(docs_copy, tmp_path):
    long_text = " ".join(["Extra words that would push the leaflet onto a third page."] * 30)
    append(docs_copy / "causes.md", f"::::{{leaflet}} Far too long\n{long_text}\n::::")
    output = tmp_path / "out.pdf"
    result = run_leaflet("--source", docs_copy, "--build-dir", tmp_path / "build", "--paper", "a4", "--output", output)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "more than the 2 allowed" in message and '"Far too long" in causes.md' in message
    assert not output.exists()


def test_build_folder_that_cannot_be_made_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = build_book(ROOT / "docs", blocker / "build")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("build_book.py: error: ") and "Not a directory" in lines[0]
