"""Page structure on a phone and in a screen reader: tables that read without
sideways scrolling, captions, headings, no empty lists (browser tests, from
the one Chromium session of conftest.py); and the Nu Html Checker on every
built page (no browser).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from web.webpages import ROOT, source_pages

PAGES = source_pages()
CONTENT_PAGES = [p for p in PAGES if p not in ("search.html", "404.html")]
WIDTHS = ("320", "390", "1280")
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

browser = pytest.mark.browser


def structure(results: dict, page: str, width: str) -> dict:
    return results["pages"][page]["structure"][width]


@browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_tables_fit_with_cells_of_at_least_12_characters(web_results, page, width):
    for table in structure(web_results, page, width)["tables"]:
        assert not table["scrolls"], f"{table['caption']!r} scrolls sideways: {table['scrolls']}"
        assert not table["narrow"], f"{table['caption']!r}: {table['narrow']}"
        assert not table["tallHeaders"], f"{table['caption']!r}: {table['tallHeaders']}"


@browser
@pytest.mark.parametrize("page", PAGES)
def test_every_table_has_a_caption_and_is_a_named_table_for_screen_readers(web_results, page):
    for width in WIDTHS:
        for table in structure(web_results, page, width)["tables"]:
            assert table["caption"], f"{width} px: a table without a caption: {table['aria'][:200]}"
            first = table["aria"].splitlines()[0]
            assert first.startswith(f'- table "{table["caption"]}'), f"{width} px: {first}"
            assert "- columnheader" in table["aria"] and "- cell" in table["aria"], table["aria"][:400]


@browser
def test_the_medicines_cards_put_things_to_know_after_the_medicine(web_results):
    aria = [t["aria"] for t in structure(web_results, "medicines.html", "320")["tables"]]
    assert len(aria) == 4
    for snapshot in aria:
        headers = re.findall(r'- columnheader "([^"]+)"', snapshot)
        assert headers[:2] == ["Medicine", "Things to know"], headers


@browser
@pytest.mark.parametrize("page", CONTENT_PAGES)
def test_key_points_is_a_heading_in_order(web_results, page):
    headings = structure(web_results, page, "1280")["headings"]
    assert headings[0]["level"] == 1
    assert {"level": 2, "text": "Key points"} == headings[1], headings[:3]
    for before, after in zip(headings, headings[1:]):
        assert after["level"] <= before["level"] + 1, f"{before} then {after}: a level skipped"


@browser
@pytest.mark.parametrize("page", ["symptoms.html", "index.html"])
def test_triage_levels_are_headings(web_results, page):
    texts = {h["text"] for h in structure(web_results, page, "1280")["headings"] if h["level"] == 3}
    assert {"Emergency", "Today"} <= texts, texts


@browser
@pytest.mark.parametrize("page", PAGES)
def test_no_empty_lists(web_results, page):
    for width in WIDTHS:
        assert not structure(web_results, page, width)["emptyLists"], width


def test_the_sidebar_names_each_section_once(html_dir):
    from bs4 import BeautifulSoup

    nav = BeautifulSoup((html_dir / "index.html").read_text(encoding="utf-8"), "html.parser").select_one("nav.bd-docs-nav")
    for hidden in nav.select(".visually-hidden"):
        hidden.decompose()  # "Pages in: ..." names a toggle, not a section
    labels = [text for text in nav.stripped_strings]
    assert len(labels) > 10
    assert len(labels) == len(set(labels)), [label for label in labels if labels.count(label) > 1]


# --- The Nu Html Checker (vnu-jar from npm, run with the machine's Java) ---------

def nu_errors(files: list[Path]) -> list[str]:
    """The checker's errors, as "file:line: message"; it needs no network for HTML."""
    java = shutil.which("java")
    assert java, "java missing: install a JDK (the README lists what the tests need)"
    if not VNU.exists():
        pytest.fail("node_modules/vnu-jar missing: run `npm ci` (make test does)")
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert result.returncode == (1 if messages else 0), result.stderr[-2000:]
    return [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]


def test_every_page_is_valid_html(html_dir):
    from calcinosis_guide.audit import pages

    errors = nu_errors([html_dir / page for page in pages(html_dir)])
    assert not errors, "\n".join(errors)


def test_the_html_check_fails_on_a_duplicated_id_and_a_stray_end_tag(html_dir, tmp_path):
    page = (html_dir / "tests.html").read_text(encoding="utf-8")
    broken = page.replace("<main", '<p id="twice">One</p><p id="twice">Two</p></span><main', 1)
    (tmp_path / "broken.html").write_text(broken, encoding="utf-8")
    errors = nu_errors([tmp_path / "broken.html"])
    assert any(e.startswith("broken.html:") and "Duplicate ID" in e and "twice" in e for e in errors), errors
    assert any("Stray end tag" in e and "span" in e for e in errors), errors
