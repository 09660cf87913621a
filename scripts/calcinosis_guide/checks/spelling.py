"""spelling: codespell over the book's sources, with the project's word list.

Not a Sphinx check: codespell reads the files as written (bib and toml
files too), so ``make check`` runs it beside the build
(``calcinosis_guide.checks.cli``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

WORD_LIST = Path(__file__).resolve().parent.parent / "codespell-words.txt"
SUFFIXES = (".md", ".bib", ".toml")


def source_files(docs: Path) -> list[str]:
    """The book's text files; folders starting with "_" hold built or theme files."""
    return sorted(str(p) for p in docs.rglob("*") if p.suffix in SUFFIXES and p.is_file()
                  and not any(part.startswith("_") for part in p.relative_to(docs).parts[:-1]))


def check_spelling(docs: Path, words: Path = WORD_LIST) -> list[str]:
    """One "path:line: wrong ==> right (...)" line per misspelling."""
    command = [sys.executable, "-m", "codespell_lib", "--ignore-words", str(words), *source_files(Path(docs))]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode not in (0, 65) and not result.stdout:
        return [f"codespell failed: {result.stderr.strip()}"]
    problems = []
    for line in result.stdout.splitlines():
        if m := re.match(r"(.*?):(\d+): (.*)", line):
            problems.append(f"{relative(m.group(1))}:{m.group(2)}: {m.group(3)} "
                            f"(a correct word? add it to {relative(str(words))})")
    return problems


def relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
