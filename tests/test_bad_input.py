"""Bad input from maintainers: one line per problem naming file and line, exit 2,
and the last good book and leaflet text left exactly as they were."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, copy_docs, run_build_book, run_leaflet


def build_book(docs: Path, build_dir: Path) -> subprocess.CompletedProcess:
    return run_build_book("--source", docs, "--build-dir", build_dir)


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


# Every mistake goes into one copy of the pages, each on a line of its own,
# and one strict build must report each of them with its file and line.
MYST_MISTAKES = {
    "unknown directive": ("causes.md", ":::{leafet} Oops\ntext\n:::", "Unknown directive type: 'leafet'"),
    "unknown role": ("causes.md", "A {termm}`calcium` role.", 'Unknown interpreted text role "termm"'),
    "missing citation key": ("causes.md", "A claim {cite}`ref999`.", 'could not find bibtex key "ref999"'),
    "broken cross-reference": ("causes.md", "See [this](nowhere.md).", "nowhere.md"),
    "unknown glossary term": ("causes.md", "A {term}`flibbertigibbet`.", "term not in glossary"),
    "empty leaflet passage": ("causes.md", "::::{leaflet} Empty\n::::", 'leaflet passage "Empty" is empty'),
    # MyST names the line of the bad option, one below the directive.
    "unknown leaflet box": ("causes.md", "::::{leaflet} Boxed\n:box: loud\nText.\n::::",
                            "Invalid option value for 'box': loud", 1),
    # Last on its page: everything after an unclosed fence disappears into it.
    "unclosed fence": ("tests.md", "```python\nx = 1", "never closed"),
}


@pytest.fixture(scope="module")
def broken_pages(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A copy of the pages with every mistake above and a page outside every toctree;
    for each mistake, the ``page:line`` where it starts."""
    docs = copy_docs(tmp_path_factory.mktemp("broken"))
    where = {}
    for case, (page, text, _, *offset) in MYST_MISTAKES.items():
        before = (docs / page).read_text(encoding="utf-8")
        # append() adds two blank lines before the text
        where[case] = f"{page}:{before.count(chr(10)) + 3 + sum(offset)}"
        append(docs / page, text)
    (docs / "stray.md").write_text("# Stray page\n\nText.\n", encoding="utf-8")
    return docs, where


@pytest.fixture(scope="module")
def failed_build(broken_pages, book, tmp_path_factory):
    """The broken pages built twice over a copy of the session's good build."""
    build_dir = tmp_path_factory.mktemp("failed") / "build"
    shutil.copytree(book, build_dir, symlinks=True)
    before = tree_digest(build_dir / "html"), (build_dir / "leaflet-content" / "en.json").read_bytes()
    first = build_book(broken_pages[0], build_dir)
    second = build_book(broken_pages[0], build_dir)  # Sphinx must not take the pages as read
    after = tree_digest(build_dir / "html"), (build_dir / "leaflet-content" / "en.json").read_bytes()
    return build_dir, first, second, before, after


@pytest.mark.parametrize("case", sorted(MYST_MISTAKES))
def test_myst_mistake_is_one_line_naming_file_and_line_with_exit_2(broken_pages, failed_build, case):
    _, where = broken_pages
    _, first, second, _, _ = failed_build
    what = MYST_MISTAKES[case][2]
    for result in (first, second):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert any(f"{where[case]}:" in line and what in line for line in problem_lines(result.stderr)), \
            (where[case], result.stderr)


def test_page_outside_every_toctree_is_reported(failed_build):
    _, first, *_ = failed_build
    assert any("stray.md" in line and "toctree" in line for line in problem_lines(first.stderr))


def test_failed_build_keeps_the_last_good_book_and_leaflet_text(failed_build):
    build_dir, first, second, before, after = failed_build
    assert (first.returncode, second.returncode) == (2, 2)
    assert after == before
    assert [p.name for p in build_dir.iterdir() if p.name.startswith(".staging")] == []
    assert "the previous book" in first.stderr.splitlines()[-1]


def test_failed_first_build_writes_no_book(broken_pages, tmp_path):
    result = build_book(broken_pages[0], tmp_path / "build")
    assert result.returncode == 2
    assert not (tmp_path / "build" / "html").exists()
    assert not (tmp_path / "build" / "leaflet-content").exists()
    assert not (tmp_path / "build" / "leaflet").exists()


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
