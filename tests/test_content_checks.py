"""The content checks (scripts/check_content.py): each fails on a bad example
and passes on good text. Review dates are tested with an injected "today",
so the suite never starts failing on a calendar date."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DOCS, ROOT, copy_docs

import calcinosis_guide.content_checks as cc
from calcinosis_guide.book import load_book_metadata

CHECKER = ROOT / "scripts" / "check_content.py"


def run_checker(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), *map(str, args)], capture_output=True, text=True)


# --------------------------------------------------------------------------
# The real book passes every check
# --------------------------------------------------------------------------


def test_the_book_passes_every_check(book):
    result = run_checker("--build-dir", book, "--today", load_book_metadata(DOCS / "book.toml")["review"]["last_reviewed"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
    # The readability table: one row per patient page and one for the leaflet.
    assert re.search(r"^\| leaflet \(all passages\)\s*\|", result.stdout, re.M)
    assert re.search(r"^\| symptoms\s*\|", result.stdout, re.M)


def test_readability_rows_can_be_imported_for_a_sphinx_extension(book):
    rows = cc.readability_rows(cc.load_doctrees(book))
    names = [r.name for r in rows]
    assert names[0] == "index" and names[-1].startswith("leaflet")
    assert not any(n.startswith("maintainers/") for n in names)
    header, body = cc.table_data(rows)
    assert header[:4] == ["Page", "Sentences", "Words", "FK grade"] and len(body) == len(rows)


# --------------------------------------------------------------------------
# Syllables (R4): right for our medical words, offline
# --------------------------------------------------------------------------


@pytest.mark.parametrize("word, count", [
    ("calcinosis", 4), ("parathyroid", 4), ("calciphylaxis", 5), ("haemodialysis", 6),
    ("Calcinosis", 4), ("hypercalcaemia", 6), ("phosphate", 2), ("calcium", 3), ("kidney", 2),
    ("every", 2), ("long-term", 2), ("binders", 2), ("eGFR", 4), ("PTH", 3), ("tumours", 2),
])
def test_syllable_counts(word, count):
    assert cc.syllables(word) == count


def test_syllable_heuristic_is_a_fallback_for_unknown_words():
    assert cc._cmu_syllables("calcinosis") is None  # the dictionary lacks it: the override list is needed
    assert cc.heuristic_syllables("zorblatium") >= 3
    assert cc.heuristic_syllables("table") == 2
    assert cc.unknown_words(["calcium", "zorblatium"]) == ["zorblatium"]


def test_the_checker_fails_when_an_override_is_wrong(monkeypatch):
    monkeypatch.setitem(cc.SYLLABLE_OVERRIDES, "calciphylaxis", 3)
    cc.syllables.cache_clear()
    try:
        _rows, failures = cc.check_readability({"index": _doctree("Fine words here.")})
        assert any('"calciphylaxis" is 3, expected 5' in f.message for f in failures)
    finally:
        cc.syllables.cache_clear()


# --------------------------------------------------------------------------
# Readability limits (R1-R3)
# --------------------------------------------------------------------------

EASY = "You have a lump. It is hard. Ask your team what to do. They can help you. "
HARD = ("Hyperparathyroidism necessitates comprehensive biochemical investigation, including "
        "parathyroid hormone determination and radiological characterisation of calcification. ")


def _scores(text: str, kind: str = "page") -> cc.Readability:
    r = cc.Readability("test", kind, "test.md")
    r.add(text, "test.md:1")
    return r


def test_readability_passes_plain_text():
    assert _scores(EASY * 10).problems() == []
    assert _scores(EASY * 10, "leaflet").problems() == []


def test_readability_fails_a_hard_page_naming_the_sentence():
    problems = _scores(HARD * 3).problems()
    assert any("Flesch-Kincaid grade" in p and "Hyperparathyroidism necessitates" in p for p in problems)


def test_readability_fails_a_long_sentence():
    long = "You " + "and you " * 13 + "can ask."  # 29 words
    problems = _scores(EASY + long).problems()
    assert any("sentence of 29 words" in p and "You and you" in p for p in problems)


def test_readability_average_is_stricter_on_the_leaflet():
    text = "Your kidney team will look at the lumps on your skin and ask about your pills. " * 3  # 16 words
    assert not any("average" in p for p in _scores(text, "page").problems())
    leaflet = _scores(text, "leaflet").problems()
    assert any("average sentence" in p and "over 15" in p for p in leaflet)


def test_smog_only_with_30_sentences_and_fails_over_9():
    assert _scores(HARD * 29).smog is None
    assert any("SMOG" in p for p in _scores(HARD * 30).problems())
    assert _scores(EASY * 10).smog is not None and _scores(EASY * 10).smog <= 9


def test_sentences_split_and_words_count():
    assert cc.split_sentences("It hurts. Call 999 (UK) now! Is it red?") == ["It hurts.", "Call 999 (UK) now!", "Is it red?"]
    assert cc.words_of("A long-term, well-known E338 lump.") == ["A", "long-term", "well-known", "E338", "lump"]


# --------------------------------------------------------------------------
# Safety wording (C10): no doses
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Take 500 mg with food.", "Take 2 tablets.", "Use 1,000 IU a day.", "Drink 1.5 litres.",
    "Use 20 units.", "Inject 0.5 mL.", "Take 50 micrograms.", "Take 2-4 g each day.", "a 25 µg dose",
])
def test_doses_are_found(text):
    assert cc.find_doses(text)


@pytest.mark.parametrize("text", [
    "Call 999 (UK), 911 (US) or 112 (EU).", "About 6 in 100 people.", "A temperature of 38 °C or above.",
    "E-numbers from E338 to E343.", "In one group of 17 people, 9 got a bit better.", "Ask your team about the dose.",
    "The units of the hospital.", "In a 1995 study.",
])
def test_ordinary_numbers_are_not_doses(text):
    assert cc.find_doses(text) == []


# --------------------------------------------------------------------------
# Review dates (C8): both paths, with an injected today
# --------------------------------------------------------------------------


def _book_toml(tmp_path: Path, last: str, due: str) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    text = (DOCS / "book.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^last_reviewed = .*$", f"last_reviewed = {last}", text)
    text = re.sub(r"(?m)^next_review = .*$", f"next_review = {due}", text)
    (docs / "book.toml").write_text(text, encoding="utf-8")
    return docs


@pytest.mark.parametrize("today, status", [
    ("2030-01-01", "ok"), ("2030-04-02", "ok"), ("2030-04-03", "soon"), ("2030-06-01", "soon"),
    ("2030-06-02", "overdue"), ("2031-01-01", "overdue"),
])
def test_review_status(tmp_path, today, status):
    docs = _book_toml(tmp_path, "2029-12-01", "2030-06-01")
    assert cc.review_status(docs, dt.date.fromisoformat(today))[0] == status


def test_make_warns_but_never_fails_on_review_dates(tmp_path):
    docs = _book_toml(tmp_path, "2029-12-01", "2030-06-01")
    args = ("--build-dir", tmp_path / "no-build", "--docs", docs, "--only", "review", "--warn-only")
    soon = run_checker(*args, "--today", "2030-05-01")
    assert soon.returncode == 0 and "WARNING review:" in soon.stdout and "in 31 days" in soon.stdout
    past = run_checker(*args, "--today", "2030-07-01")
    assert past.returncode == 0 and "WARNING review:" in past.stdout and "30 days ago" in past.stdout
    fine = run_checker(*args, "--today", "2030-01-01")
    assert fine.returncode == 0 and fine.stdout == ""


def test_make_check_fails_when_the_review_is_past(tmp_path):
    docs = _book_toml(tmp_path, "2029-12-01", "2030-06-01")
    args = ("--build-dir", tmp_path / "no-build", "--docs", docs, "--only", "review")
    past = run_checker(*args, "--today", "2030-06-02")
    assert past.returncode == 1
    assert "FAIL [review]" in past.stdout and "was due on 2030-06-01" in past.stdout
    soon = run_checker(*args, "--today", "2030-05-30")
    assert soon.returncode == 0 and "WARNING review:" in soon.stdout
    assert run_checker(*args, "--today", "2030-01-01").returncode == 0


def test_the_real_review_date_is_read_through_bookmeta():
    due = load_book_metadata(DOCS / "book.toml")["review"]["next_review"]
    assert cc.review_status(DOCS, due - dt.timedelta(days=61))[0] == "ok"
    assert cc.review_status(DOCS, due + dt.timedelta(days=1))[0] == "overdue"


def test_a_broken_book_toml_fails_the_review_check(tmp_path):
    docs = _book_toml(tmp_path, "2030-06-01", "2029-12-01")  # next before last
    result = run_checker("--build-dir", tmp_path, "--docs", docs, "--only", "review", "--today", "2029-01-01")
    assert result.returncode == 1 and "next_review" in result.stdout


# --------------------------------------------------------------------------
# Spelling
# --------------------------------------------------------------------------


def test_spelling_fails_on_a_misspelling_and_passes_project_words(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("Calciphylaxis, haemodialysis and sodium thiosulfate. An injection can sting.\n")
    assert cc.check_spelling(docs) == []
    (docs / "bad.md").write_text("You will\nrecieve a leaflet.\n")
    failures = cc.check_spelling(docs)
    assert len(failures) == 1 and "bad.md:2" in failures[0].message and "recieve" in failures[0].message


# --------------------------------------------------------------------------
# Checks that read a built book: one broken copy of docs/, built once
# --------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, Path, str]:
    """docs/ with one mistake per check, built (without -W), and the checker's output."""
    root = tmp_path_factory.mktemp("broken")
    docs = copy_docs(root)
    # plain words: first use of a glossary term not linked; an unused glossary entry
    _edit(docs / "tests.md", "A small skin sample (a {term}`biopsy`)", "A small skin sample (a biopsy)")
    _edit(docs / "glossary.md", ":sorted:\n", ":sorted:\n\nzebra lump\n  A made-up word that no page uses.\n")
    # lists: eight items, and a table of eight rows
    _edit(docs / "living-with-it.md", "## Keeping your joints moving\n",
          "## Keeping your joints moving\n\n" + "".join(f"- item {i}\n" for i in range(1, 9)) + "\n"
          "| Row | Text |\n|---|---|\n" + "".join(f"| {i} | row |\n" for i in range(1, 9)) + "\n")
    # evidence: a section without a citation; an uncited bibliography entry
    _edit(docs / "causes.md", "## Sarcoidosis\n", "## A section with no source\n\nThis has no citation.\n\n## Sarcoidosis\n")
    (docs / "references.bib").write_text((docs / "references.bib").read_text() +
                                         "\n@misc{ref900,\n  title = {Never cited},\n  year = {2020},\n}\n")
    # readability: one sentence of 30 words
    _edit(docs / "index.md", "## Who this information is for\n",
          "## Who this information is for\n\n" + "You can " + "read and " * 13 + "stop now.\n\n")
    # safety: a dose, and no "When to get help now" on the web or the leaflet
    _edit(docs / "medicines.md", "This page gives no doses.", "Take 500 mg of calcium each day.")
    _edit(docs / "symptoms.md", "## When to get help now\n", "## Urgent signs\n")
    _edit(docs / "symptoms.md", "::::{leaflet} When to get help now", "::::{leaflet} Urgent signs")
    # spelling
    _edit(docs / "about.md", "We want to hear about mistakes", "We want to recieve news of mistakes")
    build = root / "build"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(build / "doctrees"), str(docs), str(build / "html")],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # evidence: a DOI that the reference list fails to show as a link
    refs = build / "html" / "references.html"
    refs.write_text(refs.read_text(encoding="utf-8").replace("https://doi.org/10.1016/j.jaad.2010.08.038", "#"), encoding="utf-8")
    checked = run_checker("--build-dir", build, "--docs", docs, "--today", "2026-01-01")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    return docs, build, checked.stdout


def _fails(output: str, check: str, *needles: str) -> bool:
    return any(line.startswith(f"FAIL [{check}]") and all(n in line for n in needles) for line in output.splitlines())


def test_plain_words_fails_on_an_unlinked_first_use(broken):
    assert _fails(broken[2], "plain-words", "tests.md:6", 'first use of glossary term "biopsy" is not linked')


def test_plain_words_fails_on_an_unused_glossary_entry(broken):
    assert _fails(broken[2], "plain-words", 'glossary entry "zebra lump" is linked from no page')


def test_lists_fail_over_seven_items(broken):
    assert _fails(broken[2], "lists", "living-with-it.md", "list of 8 items", "item 1")
    assert _fails(broken[2], "lists", "living-with-it.md", "table of 8 rows")


def test_evidence_fails_on_a_section_without_a_citation(broken):
    assert _fails(broken[2], "evidence", "causes.md", 'section "A section with no source" cites no reference')


def test_evidence_fails_on_an_uncited_bibliography_entry(broken):
    assert _fails(broken[2], "evidence", "references.bib", "entry ref900 is cited nowhere")


def test_evidence_fails_when_a_doi_is_not_a_link(broken):
    assert _fails(broken[2], "evidence", "ref02", "DOI 10.1016/j.jaad.2010.08.038 is not shown as a link")


def test_readability_fails_on_a_long_sentence_in_a_page(broken):
    assert _fails(broken[2], "readability", "index.md", "sentence of 30 words", "You can read and")


def test_safety_fails_on_a_dose(broken):
    assert _fails(broken[2], "safety", "medicines.md", 'dose amount "500 mg"')


def test_safety_fails_without_when_to_get_help_now(broken):
    assert _fails(broken[2], "safety", "symptoms.md", 'no "## When to get help now" section')
    assert _fails(broken[2], "safety", "leaflet: no passage headed \"When to get help now\"")


def test_spelling_fails_in_the_book(broken):
    assert _fails(broken[2], "spelling", "about.md", "recieve")


def test_no_failure_where_there_is_no_mistake(broken):
    """Only the planted mistakes fail: the checks do not fire on good pages."""
    fails = [l for l in broken[2].splitlines() if l.startswith("FAIL")]
    assert not any("what-it-is.md" in l or "treatment.md" in l for l in fails), fails
    assert not any(l.startswith("FAIL [review]") for l in fails)


def test_only_runs_the_named_checks(broken):
    _docs, build, _out = broken
    result = run_checker("--build-dir", build, "--docs", _docs, "--only", "lists")
    assert result.returncode == 1
    assert {m.group(1) for m in re.finditer(r"^FAIL \[([\w-]+)\]", result.stdout, re.M)} == {"lists"}
    assert run_checker("--build-dir", build, "--only", "nonsense").returncode == 2


def _doctree(text: str):
    from docutils.core import publish_doctree

    return publish_doctree(text)
