"""readability: Flesch-Kincaid grade, SMOG, average and longest sentence of
each patient page and of the leaflet, on prose only.

Each page is scored when Sphinx reads it (``doctree-read``); the leaflet is
scored once every page is read (``env-updated``), on its passages as the
leaflet prints them (``calcinosis_guide.leaflet.as_print_text``), in the
leaflet's reading order. The rows are kept in the environment, and the
``{readability-report}`` table, the table ``make check`` prints and the
warnings all read those same rows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from calcinosis_guide.checks.pages import (Location, book_order, collected, facts, file_location, inside,
                                           is_patient_page, line_matching, line_of, printed_leaflet, reader_text,
                                           shown, warn)
from calcinosis_guide.checks import syllables as syllables_module
from calcinosis_guide.checks import spanish
from calcinosis_guide.checks.syllables import miscounted_test_words, split_sentences, syllables, words_of

CHECK = "readability"

# The limits: targets R1-R3 in docs/maintainers/standards.md.
# R1: NIH/NLM advise grade 6-7 for patient material, AMA/HHS grade 6 or
# below; the leaflet is held to 7 and each web page to 8.
PAGE_MAX_FK = 8.0
LEAFLET_MAX_FK = 7.0
# R2: SMOG at most 9, common practice for health material. SMOG is defined
# on a sample of 30 sentences, so shorter texts get no SMOG score.
MAX_SMOG = 9.0
SMOG_MIN_SENTENCES = 30
# R3: GOV.UK and the Plain English Campaign: 15-20 words a sentence on
# average (15 on the leaflet, 18 on pages), and none over 25.
PAGE_MAX_AVG = 18.0
LEAFLET_MAX_AVG = 15.0
MAX_SENTENCE_WORDS = 25

TABLE_TITLE = "Readability (prose only; FK = Flesch-Kincaid grade; SMOG only with 30+ sentences):"
# Spanish (es): the Szigriszt-Pazos perspicuity on the INFLESZ scale, and
# Fernández-Huerta, reported; the leaflet must be "bastante fácil" (65) or
# easier, each page at least "normal" (55). Sentence lengths as in English.
LEAFLET_MIN_INFLESZ = 65.0
PAGE_MIN_INFLESZ = 55.0
TABLE_TITLE_ES = ("Readability in Spanish (prose only; Szigriszt-Pazos on the INFLESZ scale, "
                  "Fernández-Huerta; syllables by Spanish spelling rules):")

# Not prose: headings, tables, glossary terms, captions, code, the reference list.
SKIP_CONTAINERS = (nodes.title, nodes.table, nodes.term, nodes.figure, nodes.caption,
                   nodes.literal_block, nodes.comment, nodes.raw, nodes.rubric, nodes.citation,
                   nodes.system_message)


@dataclass
class Sentence:
    text: str
    docname: str
    line: int | None
    where: str  # "page.md:LINE", for messages
    words: int

    @property
    def location(self) -> Location:
        return self.docname, self.line


@dataclass
class Readability:
    """Scores for one page or for the leaflet."""

    name: str
    kind: str  # "page" or "leaflet"
    language: str = "en"
    sentences: list[Sentence] = field(default_factory=list)
    fragments: list[Sentence] = field(default_factory=list)  # list items that are not sentences
    word_count: int = 0
    syllable_count: int = 0
    polysyllables: int = 0

    def add(self, text: str, docname: str, line: int | None, where: str, fragment: bool = False) -> None:
        spanish_text = self.language == "es"
        for sentence in split_sentences(text):
            words = spanish.words_of(sentence) if spanish_text else words_of(sentence)
            item = Sentence(sentence, docname, line, where, len(words))
            if fragment:
                self.fragments.append(item)
                continue
            self.sentences.append(item)
            self.word_count += len(words)
            counts = [spanish.syllables(w) if spanish_text else syllables(w) for w in words]
            self.syllable_count += sum(counts)
            # A number read digit by digit ("999") is no hard word for SMOG.
            self.polysyllables += sum(1 for w, c in zip(words, counts) if c >= 3 and not w.isdigit())

    @property
    def n(self) -> int:
        return len(self.sentences)

    @property
    def avg(self) -> float:
        return self.word_count / self.n if self.n else 0.0

    @property
    def fk(self) -> float:
        if not self.n or not self.word_count:
            return 0.0
        return fk_grade(self.word_count, self.syllable_count, self.n)

    @property
    def smog(self) -> float | None:
        if self.n < SMOG_MIN_SENTENCES:
            return None
        return 1.0430 * math.sqrt(self.polysyllables * 30 / self.n) + 3.1291

    @property
    def inflesz(self) -> float:
        return spanish.szigriszt_pazos(self.word_count, self.syllable_count, self.n)

    @property
    def fernandez_huerta(self) -> float:
        return spanish.fernandez_huerta(self.word_count, self.syllable_count, self.n)

    @property
    def longest(self) -> Sentence | None:
        pool = self.sentences + self.fragments
        return max(pool, key=lambda s: s.words) if pool else None

    @property
    def limits(self) -> tuple[float, float]:
        if self.kind == "leaflet":
            return LEAFLET_MAX_FK, LEAFLET_MAX_AVG
        return PAGE_MAX_FK, PAGE_MAX_AVG

    def problems(self) -> list[tuple[Location | None, str]]:
        """(location, message) per broken limit; a score of the whole text is
        located at the first sentence its message names."""
        max_fk, max_avg = self.limits
        prefix = f"{self.name}: " if self.kind == "leaflet" else ""
        found: list[tuple[Location | None, str]] = []
        if self.language not in ("en", "es"):
            return found  # no formula for this language yet: the English source is checked
        if self.language == "es":
            least = LEAFLET_MIN_INFLESZ if self.kind == "leaflet" else PAGE_MIN_INFLESZ
            if self.n and self.inflesz < least:
                hardest = sorted(self.sentences, key=lambda s: -len(s.text) / max(1, s.words))[:3]
                found.append((hardest[0].location,
                              f"{prefix}Szigriszt-Pazos {self.inflesz:.1f} ({spanish.inflesz_grade(self.inflesz)}) "
                              f"is under {least:g} ({spanish.inflesz_grade(least)}); longest words in: "
                              + " | ".join(f'{s.where}: "{s.text}"' for s in hardest)))
        elif self.fk > max_fk:
            hardest = sorted(self.sentences, key=lambda s: -_sentence_difficulty(s.text))[:3]
            found.append((hardest[0].location,
                          f"{prefix}Flesch-Kincaid grade {self.fk:.1f} is over {max_fk:g}; hardest sentences: "
                          + " | ".join(f'{s.where}: "{s.text}"' for s in hardest)))
        if self.avg > max_avg:
            longest = sorted(self.sentences, key=lambda s: -s.words)[:3]
            found.append((longest[0].location,
                          f"{prefix}average sentence {self.avg:.1f} words is over {max_avg:g}; longest: "
                          + " | ".join(f'{s.where}: "{s.text}"' for s in longest)))
        smog = self.smog
        if smog is not None and smog > MAX_SMOG and self.language != "es":
            first = self.sentences[0].location if self.sentences else None
            found.append((first, f"{prefix}SMOG {smog:.1f} is over {MAX_SMOG:g}"))
        for s in self.sentences + self.fragments:
            if s.words > MAX_SENTENCE_WORDS:
                found.append((s.location, f'{prefix}sentence of {s.words} words (limit {MAX_SENTENCE_WORDS}): "{s.text}"'))
        return found


def fk_grade(words: int, syllables_in_words: int, sentences: int) -> float:
    """The Flesch-Kincaid grade level."""
    return 0.39 * (words / sentences) + 11.8 * syllables_in_words / words - 15.59


def _sentence_difficulty(text: str) -> float:
    """One sentence's Flesch-Kincaid grade: the hardest sentences are named by it."""
    words = words_of(text)
    if not words:
        return 0.0
    return fk_grade(len(words), sum(syllables(w) for w in words), 1)


def add_prose(result: Readability, tree: nodes.Node, docname: str, env: BuildEnvironment) -> None:
    """Add the prose paragraphs of ``tree`` to ``result``."""
    for para in tree.findall(nodes.paragraph):
        if inside(para, SKIP_CONTAINERS):
            continue
        text = reader_text(para)
        if not text:
            continue
        # A list item without end punctuation is a fragment ("- phosphate
        # binders"): only its length counts, not its words in the averages.
        fragment = isinstance(para.parent, nodes.list_item) and not re.search(r"[.!?][\"'”’)]*$", text)
        line = line_of(para)
        result.add(text, docname, line, shown(env, docname, line), fragment=fragment)


# --------------------------------------------------------------------------
# Collecting (while reading) and combining (once all pages are read)
# --------------------------------------------------------------------------


def score_page(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if not is_patient_page(app.config, env.docname):
        return
    row = Readability(env.docname, "page", app.config.language or "en")
    add_prose(row, doctree, env.docname, env)
    facts(env, env.docname)[CHECK] = row
    for location, message in row.problems():
        warn(CHECK, message, location)


def score_leaflet(env: BuildEnvironment) -> Readability:
    row = Readability("leaflet (all passages)", "leaflet", env.config.language or "en")
    for passage in printed_leaflet(env):
        add_prose(row, passage.node, passage.docname, env)
    return row


def combine(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The rows of this build, in reading order, for the checks and the tables."""
    rows = [row for _docname, row in collected(env, CHECK, book_order(env))]
    rows.append(score_leaflet(env))
    env.calcinosis_readability = rows
    return []


def rows_of(env: BuildEnvironment) -> list[Readability]:
    return getattr(env, "calcinosis_readability", [])


def check_book(app: Sphinx, env: BuildEnvironment) -> None:
    overrides = file_location(syllables_module.__file__,
                              line_matching(syllables_module.__file__, r"^SYLLABLE_OVERRIDES\b"))
    for message in miscounted_test_words():
        warn(CHECK, f"{message}: fix SYLLABLE_OVERRIDES", overrides)
    for row in rows_of(env):
        if row.kind == "leaflet":
            for location, message in row.problems():
                warn(CHECK, message, location)


# --------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------


def table_cells(rows: Sequence[Readability]) -> tuple[list[str], list[list[str]]]:
    if rows and rows[0].language == "es":
        header = ["Page", "Sentences", "Words", "Szigriszt-Pazos", "INFLESZ", "Fernández-Huerta",
                  "Avg words", "Longest", "Limits"]
        return header, [[
            r.name, str(r.n), str(r.word_count), f"{r.inflesz:.1f}", spanish.inflesz_grade(r.inflesz),
            f"{r.fernandez_huerta:.1f}", f"{r.avg:.1f}", str(r.longest.words if r.longest else 0),
            f"SP>={LEAFLET_MIN_INFLESZ if r.kind == 'leaflet' else PAGE_MIN_INFLESZ:g}, "
            f"avg<={r.limits[1]:g}, max {MAX_SENTENCE_WORDS}"] for r in rows]
    header = ["Page", "Sentences", "Words", "FK grade", "SMOG", "Avg words", "Longest", "Limits"]
    body = []
    for r in rows:
        max_fk, max_avg = r.limits
        smog = r.smog
        body.append([
            r.name, str(r.n), str(r.word_count), f"{r.fk:.1f}",
            f"{smog:.1f}" if smog is not None else f"n/a (<{SMOG_MIN_SENTENCES})",
            f"{r.avg:.1f}", str(r.longest.words if r.longest else 0),
            f"FK<={max_fk:g}, avg<={max_avg:g}, max {MAX_SENTENCE_WORDS}",
        ])
    return header, body


def format_table(header: list[str], body: list[list[str]]) -> str:
    """The table as plain text (also valid Markdown)."""
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def keep_syllable_counts(app: Sphinx) -> None:
    syllables_module.keep_counts_in(Path(app.doctreedir) / "cmudict-syllables.pickle")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", keep_syllable_counts)
    app.connect("doctree-read", score_page)
    app.connect("env-updated", combine)
    app.connect("env-check-consistency", check_book)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
