"""The content checks inside the Sphinx build, each on a tiny book written
here: a conf.py, four short pages, a bib file and a book.toml. Every check
fails on a bad example with file:line and its ``[calcinosis.<check>]``
suffix, and the good book builds without a single warning.

Review dates are tested with an injected "today" (``calcinosis_today``),
so the suite never starts failing on a calendar date.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from calcinosis_guide.checks import cli
from calcinosis_guide.checks import syllables as syl
from calcinosis_guide.checks.pages import report_path
from calcinosis_guide.checks.report import print_review_status

pytest_plugins = ("sphinx.testing.fixtures",)

CONF = '''\
from pathlib import Path

from calcinosis_guide.book import load_book_metadata

book_metadata = load_book_metadata(Path(__file__).parent / "book.toml")
project = "Test book"
language = "en"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "calcinosis_guide.checks"]
myst_enable_extensions = ["colon_fence", "deflist"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "unsrt"
calcinosis_clinical_pages = ["symptoms"]
calcinosis_today = "2030-01-01"
'''

BOOK_TOML = '''\
[book]
title = "Test book"
subtitle = "For tests"
publisher = "Test publisher"
base_url = "https://example.org/book/"
licence = "CC BY 4.0"
licence_url = "https://creativecommons.org/licenses/by/4.0/"
feedback_url = "https://example.org/feedback"

[review]
last_reviewed = 2029-12-01
next_review = 2030-06-01
'''

PAGES = {
    "index.md": '''\
# A test book

This book is about lumps in the skin. A {term}`biopsy` takes a small piece of skin {cite}`ref01`.
You can ask your team about it. They are there to help you.

```{toctree}
symptoms
glossary
references
```
''',
    "symptoms.md": '''\
# Symptoms

## What the lumps look like

The lumps can be hard and white. They can hurt {cite}`ref01`.

## When to get help now

::::{leaflet} When to get help now
:box: urgent
Get help now if you have any of these signs. Do not wait.

- Skin that hurts a lot and turns dark can be calciphylaxis {cite}`ref01`.
- Red, hot skin near a lump can be an infection.
- Thirst and feeling sick can mean high calcium.

Call your team. Tell them what you see. They will tell you what to do.
::::
''',
    "glossary.md": '''\
# Words explained

:::{glossary}
biopsy
  Taking a small piece of skin to look at.
:::
''',
    "references.md": '''\
# Sources

:::{bibliography}
:::
''',
}

BIB = '''\
@article{ref01,
  author  = {Reiter, N. and Leinweber, B.},
  title   = {Calcinosis cutis: part {I}},
  journal = {J Am Acad Dermatol},
  year    = {2011},
  doi     = {10.1016/j.jaad.2010.08.038},
  pubmed  = {21679810},
}
'''

HARD = ("Hyperparathyroidism necessitates comprehensive biochemical investigation, including "
        "parathyroid hormone determination and radiological characterisation of calcification. ")


def write_book(root: Path, edits: dict[str, tuple[str, str]] = {}, extra: dict[str, str] = {},
               conf: str = "", bib: str = BIB, book_toml: str = BOOK_TOML) -> Path:
    """The good book in ``root``; ``edits`` maps a file to (old, new) text, ``extra`` adds files."""
    root.mkdir(parents=True, exist_ok=True)
    files = {**PAGES, "conf.py": CONF + conf, "refs.bib": bib, "book.toml": book_toml, **extra}
    for name, (old, new) in edits.items():
        assert old in files[name], f"{name}: {old!r} not found"
        files[name] = files[name].replace(old, new, 1)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def line_of(root: Path, name: str, needle: str) -> int:
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def warnings(app) -> list[str]:
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture
def build(make_app, tmp_path):
    """Write a book (see write_book), build it as HTML, return (root, app, warnings)."""

    apps = []

    def run(**kwargs):
        overrides = kwargs.pop("confoverrides", {})
        if apps:  # a second book in one test: undo the first one's docutils registrations
            apps[-1].cleanup()
        root = write_book(tmp_path / f"book{len(apps) or ''}", **kwargs)
        app = make_app("html", srcdir=root, confoverrides=overrides)
        apps.append(app)
        app.build()
        return root, app, warnings(app)

    return run


def has(found: list[str], where: str, check: str, *needles: str) -> bool:
    """A warning at ``where`` (file:line), of ``calcinosis.<check>``, holding every needle."""
    return any(line.startswith(f"{where}: WARNING: ") and line.endswith(f"[calcinosis.{check}]")
               and all(n in line for n in needles) for line in found)


# --------------------------------------------------------------------------
# The good book
# --------------------------------------------------------------------------


def test_the_good_book_builds_without_a_warning(build):
    root, app, found = build()
    assert found == []
    report = json.loads(report_path(root / "_build", "en").read_text(encoding="utf-8"))
    assert [row[0] for row in report["readability"]["body"]] == [
        "index", "symptoms", "glossary", "references", "leaflet (all passages)"]
    assert report["review"]["status"] == "ok" and report["suppressed"] == []


# --------------------------------------------------------------------------
# readability
# --------------------------------------------------------------------------


def test_readability_fails_on_a_long_sentence_in_a_page(build):
    long = "You can " + "read and " * 13 + "stop now."  # 30 words
    root, _app, found = build(edits={"index.md": ("They are there to help you.\n", f"They are there to help you.\n\n{long}\n")})
    assert has(found, f"{root / 'index.md'}:{line_of(root, 'index.md', 'You can read')}", "readability",
               "sentence of 30 words (limit 25)", '"You can read and')


def test_readability_fails_a_hard_page_naming_its_hardest_sentence(build):
    root, _app, found = build(edits={"index.md": ("They are there to help you.\n", "They are there to help you.\n\n" + HARD * 3 + "\n")})
    where = f"{root / 'index.md'}:{line_of(root, 'index.md', 'Hyperparathyroidism')}"
    assert has(found, where, "readability", "Flesch-Kincaid grade", "is over 8", "hardest sentences:",
               'index.md:' + where.rsplit(":", 1)[1] + ': "Hyperparathyroidism necessitates')


def test_readability_average_is_stricter_on_the_leaflet(build):
    sentence = "Your kidney team will look at the lumps on your skin and ask about your pills."  # 16 words
    passage = (f"{sentence} {sentence} {{cite}}`ref01`\n\n"
               "- Skin that hurts a lot and turns dark in patches can be a sign of calciphylaxis in your body.\n"
               "- Red and hot skin near one of the lumps can be a sign of an infection in the skin.\n"
               "- Thirst and feeling sick for a day or more can be a sign of high calcium in your blood.\n")
    page = PAGES["symptoms.md"]
    start, end = page.index("Get help now"), page.index("::::\n", page.index(":box:"))
    root, _app, found = build(extra={"symptoms.md": page[:start] + passage + page[end:]})
    # Located at the longest sentence it names.
    assert has(found, f"{root / 'symptoms.md'}:{line_of(root, 'symptoms.md', '- Skin that hurts')}", "readability",
               "leaflet (all passages): average sentence", "is over 15")
    assert not any("average" in w and "leaflet" not in w for w in found), found


def test_the_build_fails_when_an_override_is_wrong(build, monkeypatch):
    monkeypatch.setitem(syl.SYLLABLE_OVERRIDES, "calciphylaxis", 3)
    syl.syllables.cache_clear()
    try:
        _root, _app, found = build()
    finally:
        syl.syllables.cache_clear()
    module = Path(syl.__file__)
    overrides = next(i for i, line in enumerate(module.read_text().splitlines(), 1) if line.startswith("SYLLABLE_OVERRIDES"))
    assert has(found, f"{module}:{overrides}", "readability", 'syllable count of "calciphylaxis" is 3, expected 5')


def test_maintainer_pages_are_not_scored_but_are_checked_for_doses(build):
    long = "You can " + "read and " * 13 + "stop now."
    page = f"# For maintainers\n\n{long}\n\nNever write 5 mg here.\n"
    root, _app, found = build(extra={"maintainers/notes.md": page},
                              edits={"index.md": ("references\n", "references\nmaintainers/notes\n")})
    assert not any("[calcinosis.readability]" in w for w in found), found
    assert has(found, f"{root / 'maintainers/notes.md'}:5", "safety", 'dose amount "5 mg"')


# --------------------------------------------------------------------------
# plain-words
# --------------------------------------------------------------------------


def test_plain_words_fails_on_an_unlinked_first_use_and_an_unused_entry(build):
    root, _app, found = build(
        edits={"symptoms.md": ("They can hurt", "A biopsy can show what they are. Another biopsy is rare. They can hurt"),
               "glossary.md": ("biopsy\n", "zebra lump\n  A made-up word that no page uses.\n\nbiopsy\n")})
    first = f"{root / 'symptoms.md'}:{line_of(root, 'symptoms.md', 'A biopsy can')}"
    assert has(found, first, "plain-words", 'first use of glossary term "biopsy" is not linked',
               "write {term}`biopsy`", 'in "A biopsy can show what they are."')
    assert sum("biopsy" in w for w in found) == 1  # only the first use on the page
    assert has(found, f"{root / 'glossary.md'}:{line_of(root, 'glossary.md', 'zebra lump')}", "plain-words",
               'glossary entry "zebra lump" is linked from no page')


def test_plain_words_fails_without_glossary_entries(build):
    _root, _app, found = build(confoverrides={"calcinosis_glossary_page": "references"})
    assert any('no glossary entries found on page "references"' in w and w.endswith("[calcinosis.plain-words]")
               for w in found)


# --------------------------------------------------------------------------
# lists
# --------------------------------------------------------------------------


def test_lists_fail_over_seven_items_and_tables_over_seven_rows(build):
    items = "".join(f"- item {i}\n" for i in range(1, 9))
    rows = "| Row | Text |\n|---|---|\n" + "".join(f"| {i} | row |\n" for i in range(1, 9))
    seven = "".join(f"- short {i}\n" for i in range(1, 8))
    root, _app, found = build(edits={"index.md": ("They are there to help you.\n",
                                                  f"They are there to help you.\n\n{items}\n{rows}\n{seven}\n")})
    assert has(found, f"{root / 'index.md'}:{line_of(root, 'index.md', '- item 1')}", "lists",
               'list of 8 items (limit 7), starting "item 1"')
    assert has(found, f"{root / 'index.md'}:{line_of(root, 'index.md', '| Row |')}", "lists", "table of 8 rows (limit 7)")
    assert not any("short" in w for w in found)


def test_captions_fail_on_a_table_without_one_on_any_page(build):
    bare = "| Sign | What to do |\n|---|---|\n| Red skin | Call your team |\n"
    captioned = ":::{table} Signs and what to do\n" + bare + ":::\n"
    root, _app, found = build(
        edits={"index.md": ("They are there to help you.\n", f"They are there to help you.\n\n{captioned}\n{bare}\n")},
        extra={"maintainers/notes.md": f"# For maintainers\n\nA table.\n\n{bare}"},
        conf='\ncalcinosis_maintainer_pages = ["maintainers/*"]\n')
    lines = (root / "index.md").read_text(encoding="utf-8").splitlines()
    bare_line = max(i for i, line in enumerate(lines, 1) if line.startswith("| Sign |"))
    assert has(found, f"{root / 'index.md'}:{bare_line}", "captions", 'table without a caption, starting "Sign"')
    assert has(found, f"{root / 'maintainers/notes.md'}:5", "captions", "table without a caption")
    assert sum("[calcinosis.captions]" in w for w in found) == 2, found


def test_the_glossary_is_exempt_from_the_list_limit(build):
    words = [f"word{i}" for i in range(1, 9)]
    entries = "".join(f"{w}\n  A word.\n\n" for w in words)
    links = " ".join(f"{{term}}`{w}`" for w in words)
    _root, _app, found = build(edits={"glossary.md": ("biopsy\n", entries + "biopsy\n"),
                                      "index.md": ("They are there", f"Words: {links}. They are there")})
    assert not any("[calcinosis.lists]" in w for w in found), found


# --------------------------------------------------------------------------
# evidence: read from sphinxcontrib-bibtex's parsed bibliography
# --------------------------------------------------------------------------

UNCITED = "\n@misc{ref99,\n  title = {Never cited},\n  year = {2020},\n  url = {https://example.org/99},\n  organization = {Org},\n}\n"


def test_evidence_fails_on_a_section_without_a_citation(build):
    root, _app, found = build(edits={"symptoms.md": ("## When to get help now", "## A section with no source\n\nThis has no citation.\n\n## When to get help now")})
    assert has(found, f"{root / 'symptoms.md'}:{line_of(root, 'symptoms.md', '## A section with no source')}",
               "evidence", 'section "A section with no source" cites no reference')


def test_evidence_fails_on_an_uncited_entry_and_a_key_not_in_the_bib(build):
    root, _app, found = build(bib=BIB + UNCITED, edits={"index.md": ("{cite}`ref01`.", "{cite}`ref01,ref77`.")})
    assert has(found, f"{root / 'refs.bib'}:{line_of(root, 'refs.bib', '@misc{ref99,')}", "evidence",
               "entry ref99 is cited nowhere")
    assert has(found, f"{root / 'index.md'}:3", "evidence", "ref77 is cited but is in no bib file (refs.bib)")


def test_evidence_fails_when_a_doi_or_pmid_is_not_a_link(build):
    # A reference-list style that prints identifiers as plain text.
    style = '''
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style
from pybtex.style.template import field, join


class PlainIdentifiers(Style):
    def format_doi(self, e):
        return join["doi:", field("doi", raw=True)]

    def format_pubmed(self, e):
        return join["PMID:", field("pubmed", raw=True)]


register_plugin("pybtex.style.formatting", "plainids", PlainIdentifiers)
bibtex_default_style = "plainids"
'''
    root, _app, found = build(conf=style)
    where = f"{root / 'refs.bib'}:1"
    assert has(found, where, "evidence", "entry ref01: DOI 10.1016/j.jaad.2010.08.038 is not shown as a link",
               "references.md:3")
    assert has(found, where, "evidence", "entry ref01: PMID 21679810 is not shown as a link")


def test_evidence_fails_when_a_clinical_page_is_missing(build):
    root, _app, found = build(confoverrides={"calcinosis_clinical_pages": ["symptoms", "treatment"]})
    assert has(found, f"{root / 'conf.py'}:{line_of(root, 'conf.py', 'calcinosis_clinical_pages')}", "evidence",
               'clinical page "treatment" (calcinosis_clinical_pages) is not in the book')


def test_safety_fails_when_the_help_page_is_missing(build):
    root, _app, found = build(confoverrides={"calcinosis_help_page": "urgent"})
    assert has(found, f"{root / 'conf.py'}:1", "safety", 'help page "urgent" (calcinosis_help_page) is not in the book')


# --------------------------------------------------------------------------
# bibliography: every entry can be found by a reader
# --------------------------------------------------------------------------

INCOMPLETE = '''
@misc{noauthor,
  title = {A page},
  year  = {2020},
  url   = {https://example.org/a},
}

@misc{noyear,
  author = {Smith, J.},
  title  = {Another page},
  doi    = {10.1000/xyz},
}

@misc{noid,
  author = {Smith, J.},
  title  = {A book chapter},
  year   = {2019},
}

@misc{notitle,
  organization = {NHS},
  year         = {2021},
  pubmed       = {123456},
}

@misc{orgauthor,
  author = {{Kidney Care UK}},
  title  = {Phosphate},
  year   = {2022},
  url    = {https://example.org/kidney},
}

@misc{organisation,
  organization = {DermNet},
  title        = {Calcinosis cutis},
  year         = {2016},
  url          = {https://example.org/dermnet},
}
'''


def test_bibliography_fails_on_an_entry_a_reader_cannot_find(build):
    keys = ["noauthor", "noyear", "noid", "notitle", "orgauthor", "organisation"]
    root, _app, found = build(bib=BIB + INCOMPLETE,
                              edits={"index.md": ("{cite}`ref01`.", "{cite}`ref01," + ",".join(keys) + "`.")})
    bib = root / "refs.bib"

    def at(key: str) -> str:
        return f"{bib}:{line_of(root, 'refs.bib', '{' + key + ',')}"

    assert has(found, at("noauthor"), "bibliography", "entry noauthor lacks an author (or organization)")
    assert has(found, at("noyear"), "bibliography", "entry noyear lacks a year")
    assert has(found, at("noid"), "bibliography", "entry noid lacks a DOI, PMID (pubmed field) or URL")
    assert has(found, at("notitle"), "bibliography", "entry notitle lacks a title")
    bibliography = [w for w in found if w.endswith("[calcinosis.bibliography]")]
    assert len(bibliography) == 4, bibliography  # an organisation as author is an author


def test_a_known_gap_is_held_back_but_the_list_can_only_shrink(build):
    keys = ["noauthor", "noyear", "orgauthor"]
    gaps = {"noauthor": "record seen without authors", "orgauthor": "was incomplete", "gone": "removed entry"}
    root, app, found = build(bib=BIB + INCOMPLETE, conf=f"calcinosis_bibliography_gaps = {gaps!r}\n",
                             edits={"index.md": ("{cite}`ref01`.", "{cite}`ref01," + ",".join(keys) + "`.")})
    bibliography = [w for w in found if w.endswith("[calcinosis.bibliography]")]
    assert not [w for w in bibliography if "entry noauthor lacks" in w]  # the listed gap
    assert any("entry noyear lacks a year" in w for w in bibliography)  # not listed: still fails
    assert any("entry orgauthor is complete now: remove it from calcinosis_bibliography_gaps" in w
               for w in bibliography)
    assert any("calcinosis_bibliography_gaps names gone, which the bibliography does not have" in w
               for w in bibliography)
    assert app.env.calcinosis_bibliography_gaps == ["noauthor lacks an author (or organization) "
                                                     "(record seen without authors)"]


# --------------------------------------------------------------------------
# safety
# --------------------------------------------------------------------------


def test_safety_fails_on_a_dose_on_a_page_and_in_the_leaflet(build):
    root, _app, found = build(edits={"symptoms.md": ("Do not wait.", "Do not wait. Take 500 mg of calcium.")})
    where = f"{root / 'symptoms.md'}:{line_of(root, 'symptoms.md', '500 mg')}"
    assert has(found, where, "safety", 'dose amount "500 mg": give no doses')
    assert has(found, where, "safety", 'leaflet passage "When to get help now": dose amount "500 mg"')


def test_safety_fails_without_when_to_get_help_now(build):
    root, _app, found = build(edits={"symptoms.md": ("## When to get help now\n\n::::{leaflet} When to get help now",
                                                     "## Urgent signs\n\n::::{leaflet} Urgent signs")})
    page = root / "symptoms.md"
    assert has(found, str(page), "safety", 'no "## When to get help now" section')
    assert has(found, str(page), "safety", 'the leaflet has no passage headed "When to get help now"')


def test_safety_fails_when_help_does_not_name_the_dangers(build):
    root, _app, found = build(edits={"symptoms.md": ("- Thirst and feeling sick can mean high calcium.\n", "")})
    page = root / "symptoms.md"
    assert has(found, f"{page}:{line_of(root, 'symptoms.md', '## When to get help now')}", "safety",
               '"When to get help now" does not mention high calcium')
    assert has(found, f"{page}:{line_of(root, 'symptoms.md', '::::{leaflet} When to get help now')}", "safety",
               'leaflet passage "When to get help now" does not mention high calcium')


# --------------------------------------------------------------------------
# review dates: plain builds never fail on them, make check does
# --------------------------------------------------------------------------


@pytest.mark.parametrize("today, status", [("2030-01-01", "ok"), ("2030-05-01", "soon"), ("2030-07-01", "overdue")])
def test_a_plain_build_records_the_review_status_and_never_fails(build, capsys, today, status):
    root, _app, found = build(confoverrides={"calcinosis_today": today})
    assert found == []
    assert json.loads(report_path(root / "_build", "en").read_text())["review"]["status"] == status
    capsys.readouterr()
    print_review_status(root / "_build", "en")  # what make prints after every build
    printed = capsys.readouterr().out
    if status == "ok":
        assert printed == ""
    else:
        assert printed.startswith("WARNING review: ") and ("in 31 days" if status == "soon" else "30 days ago") in printed


def test_a_past_review_fails_when_make_check_asks(build):
    root, _app, found = build(confoverrides={"calcinosis_today": "2030-06-02", "calcinosis_review_overdue_fails": True})
    assert has(found, f"{root / 'book.toml'}:{line_of(root, 'book.toml', 'next_review')}", "review",
               "the next review was due on 2030-06-01, 1 days ago")


def test_a_review_due_soon_does_not_fail_even_when_make_check_asks(build):
    _root, _app, found = build(confoverrides={"calcinosis_today": "2030-05-30", "calcinosis_review_overdue_fails": True})
    assert found == []


# --------------------------------------------------------------------------
# suppress_warnings, the report page, the build's language
# --------------------------------------------------------------------------


def test_suppress_warnings_silences_exactly_one_check(build):
    edits = {"symptoms.md": ("They can hurt", "Take 2 tablets. They can hurt"),
             "index.md": ("They are there to help you.\n", "They are there to help you.\n\n"
                          + "".join(f"- item {i}\n" for i in range(1, 9)))}
    _root, _app, both = build(edits=edits)
    assert {m for w in both for m in re.findall(r"\[calcinosis\.([\w-]+)\]$", w)} == {"lists", "safety"}
    _root, _app, found = build(edits=edits, confoverrides={"suppress_warnings": ["calcinosis.lists"]})
    assert {m for w in found for m in re.findall(r"\[calcinosis\.([\w-]+)\]$", w)} == {"safety"}
    assert len(found) == len(both) - 1


def test_the_report_page_shows_the_rows_the_check_judged(build):
    report_page = "# Quality\n\n```{readability-report}\n```\n"
    root, app, found = build(extra={"maintainers/quality.md": report_page},
                             edits={"index.md": ("references\n", "references\nmaintainers/quality\n")})
    assert found == []
    from bs4 import BeautifulSoup

    page = BeautifulSoup((Path(app.outdir) / "maintainers" / "quality.html").read_text(encoding="utf-8"), "html.parser")
    shown = [[cell.get_text(strip=True) for cell in row.find_all(["td", "th"])]
             for row in page.select("table.readability-report tr")]
    report = json.loads(report_path(root / "_build", "en").read_text(encoding="utf-8"))["readability"]
    assert shown == [report["header"], *report["body"]]
    assert app.env.calcinosis_readability[0].name == "index"


def test_the_report_is_named_by_the_language_of_the_build(build):
    # A language is built from its catalogs: an empty one is enough here.
    catalog = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    root, _app, _found = build(confoverrides={"language": "es"},
                               extra={"locales/es/LC_MESSAGES/calcinosis.po": catalog})
    assert report_path(root / "_build", "es").exists()
    assert not report_path(root / "_build", "en").exists()


# --------------------------------------------------------------------------
# make check (scripts/check_content.py): the strict build, codespell, the table
# --------------------------------------------------------------------------


def test_make_check_passes_the_good_book_and_prints_the_table(tmp_path, capsys):
    root = write_book(tmp_path / "book")
    assert cli.main(["--source", str(root), "--build-dir", str(tmp_path / "build"), "--today", "2030-01-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Readability (prose only;")
    assert re.search(r"^\| leaflet \(all passages\)\s*\|", out, re.M) and re.search(r"^\| symptoms\s*\|", out, re.M)
    assert "review: " in out and "next review due 2030-06-01, in 151 days" in out
    assert "check_content: all checks passed" in out


def test_make_check_fails_on_a_past_review_and_a_misspelling(tmp_path, capsys):
    root = write_book(tmp_path / "book", edits={"index.md": ("You can ask", "You will\nrecieve a leaflet. You can ask")})
    assert cli.main(["--source", str(root), "--build-dir", str(tmp_path / "build"), "--today", "2030-06-02"]) == 1
    out = capsys.readouterr().out
    fails = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert any(f.startswith("FAIL [review] ") and "book.toml:12: the next review was due on 2030-06-01" in f for f in fails), out
    assert any(f.startswith("FAIL [spelling] ") and "index.md:5: recieve" in f for f in fails), out
    assert len(fails) == 2 and "check_content: 2 problem(s) found" in out
    assert "| index " in out  # the table is printed even when the build fails


def test_make_check_names_each_problem_with_its_check(tmp_path, capsys):
    root = write_book(tmp_path / "book", edits={"symptoms.md": ("They can hurt", "Take 2 tablets. They can hurt")})
    assert cli.main(["--source", str(root), "--build-dir", str(tmp_path / "build"), "--today", "2030-01-01"]) == 1
    fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert any(f.startswith("FAIL [safety] ") and "symptoms.md:5: dose amount \"2 tablets\"" in f for f in fails), fails


def test_a_broken_book_toml_fails_make_check(tmp_path, capsys):
    broken = BOOK_TOML.replace("last_reviewed = 2029-12-01", "last_reviewed = 2030-07-01")  # after next_review
    root = write_book(tmp_path / "book", book_toml=broken)
    assert cli.main(["--source", str(root), "--build-dir", str(tmp_path / "build")]) == 1
    out = capsys.readouterr().out
    assert "FAIL [build]" in out and "next_review" in out
