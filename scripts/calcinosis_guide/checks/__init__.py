"""The content checks, run inside the Sphinx build.

Each check turns targets of docs/maintainers/standards.md into warnings
with file and line, of type ``calcinosis`` and a subtype naming the check,
so the strict build (warnings are errors) fails on them and
``suppress_warnings = ["calcinosis.<check>"]`` silences one check:

==============  ===================================================  ==========
subtype         what it enforces                                     module
==============  ===================================================  ==========
readability     Flesch-Kincaid, SMOG, sentence lengths (R1-R4)       readability
plain-words     glossary terms linked at first use; entries used     plainwords
lists           at most 7 list items and 7 table body rows (C5)      lists
captions        every table has a caption, on every page             captions
evidence        sections cite; bib entries cited; DOI/PMID links     evidence
bibliography    every entry: author, title, year, DOI/PMID/URL       evidence
safety          no doses; "When to get help now" (C6, C10)           safety
review          the next review date is not past (C8)                review
==============  ===================================================  ==========

Checks of one page run as Sphinx reads it (``doctree-read``); checks that
need the whole book (the glossary, the bibliography, the leaflet) run once
every page is read (``env-check-consistency``); the review date at the end
of the build (``build-finished``), which also writes the readability table
and the review status for ``make`` (``calcinosis_guide.checks.report``).
Spelling is not a Sphinx check: ``make check`` runs codespell
(``calcinosis_guide.checks.cli``).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from calcinosis_guide.checks import pages

CHECK_MODULES = (
    "calcinosis_guide.checks.readability",
    "calcinosis_guide.checks.plainwords",
    "calcinosis_guide.checks.lists",
    "calcinosis_guide.checks.captions",
    "calcinosis_guide.checks.evidence",
    "calcinosis_guide.checks.safety",
    "calcinosis_guide.checks.review",
    "calcinosis_guide.checks.report",
    "calcinosis_guide.qualityreport",
)


def setup(app: Sphinx) -> dict[str, Any]:
    # The checks read what these collect: review dates, leaflet passages.
    app.setup_extension("calcinosis_guide.book")
    app.setup_extension("calcinosis_guide.leaflet")
    pages.add_config_values(app)
    app.connect("env-purge-doc", pages.purge_facts)
    app.connect("env-merge-info", pages.merge_facts)
    for module in CHECK_MODULES:
        app.setup_extension(module)
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
