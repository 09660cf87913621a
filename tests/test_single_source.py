"""One fact changed once in a page changes the web book and the leaflet together."""

from __future__ import annotations

import re

from pypdf import PdfReader

from conftest import run_leaflet


def first_leaflet_sentence(page_text: str) -> str:
    block = re.search(r"^:{3,}\{leaflet\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*(.+?)\n", page_text, re.M)
    assert block, "no leaflet passage found"
    return block.group(1)


def test_editing_a_marked_passage_changes_book_and_leaflet(docs_copy, tmp_path):
    page = docs_copy / "what-it-is.md"
    source = page.read_text(encoding="utf-8")
    old_line = first_leaflet_sentence(source)
    old_words = re.sub(r"\{[a-z:-]+\}`[^`]*`", "", old_line)
    old_probe = " ".join(old_words.split()[:6])
    new_line = "Quokka marker sentence for the single source test."
    page.write_text(source.replace(old_line, new_line, 1), encoding="utf-8")

    build_dir = tmp_path / "build"
    result = run_leaflet("--source", docs_copy, "--build-dir", build_dir, "--paper", "a4")
    assert result.returncode == 0, result.stderr

    html = (build_dir / "html" / "what-it-is.html").read_text(encoding="utf-8")
    pdf = " ".join(p.extract_text() for p in PdfReader(build_dir / "leaflet" / "calcinosis-leaflet-en-a4.pdf").pages)
    pdf = re.sub(r"\s+", " ", pdf)
    assert new_line in re.sub(r"\s+", " ", html)
    assert new_line in pdf
    assert old_probe not in html
    assert old_probe not in pdf
