"""plain-words: every glossary term is linked with ``{term}`` at its first use
on each patient page where it appears, and every glossary entry is linked
from some page (target C2).

A page may be read before the glossary, so each page's words are collected
while it is read (``doctree-read``) and matched against the glossary once
all pages are read (``env-check-consistency``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from calcinosis_guide.checks.pages import (Location, collected, facts, is_citation, is_patient_page, is_term_link,
                                           line_matching, line_of, patient_pages, reader_text, warn)
from calcinosis_guide.checks.syllables import split_sentences

CHECK = "plain-words"

# Text a reader does not meet as running prose.
NOT_RUNNING_TEXT = (nodes.title, nodes.comment, nodes.literal_block, nodes.raw, nodes.system_message)
# Where the sentence quoted in a message is looked for.
SENTENCE_HOLDERS = (nodes.paragraph, nodes.entry, nodes.list_item)


@dataclass
class Run:
    """A piece of a page's text in reading order: plain text, or a {term} link."""

    text: str
    target: str | None  # the link's target; None for plain text
    line: int | None
    block: int  # index into PageWords.blocks; -1 outside any paragraph


@dataclass
class PageWords:
    runs: list[Run] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)


@dataclass
class Glossary:
    names: dict[str, str]  # lower-case name -> entry key (its first name)
    pattern: re.Pattern | None

    def entry(self, name: str) -> str | None:
        return self.names.get(re.sub(r"\s+", " ", name.strip().lower()))

    def singular(self, found: str) -> str | None:
        found = re.sub(r"\s+", " ", found.lower())
        for candidate in (found, re.sub(r"ies$", "y", found), re.sub(r"es$", "", found), re.sub(r"s$", "", found)):
            if candidate in self.names:
                return self.names[candidate]
        return None


def make_glossary(entries: list[list[str]]) -> Glossary:
    """The glossary from its entries, each a list of names (the first is the key)."""
    names: dict[str, str] = {}
    for terms in entries:
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


def page_words(doctree: nodes.Node) -> PageWords:
    found = PageWords()

    def walk(node: nodes.Node, block: int) -> None:
        if isinstance(node, NOT_RUNNING_TEXT) or is_citation(node):
            return
        if is_term_link(node):
            found.runs.append(Run(node.astext(), node.get("reftarget", ""), line_of(node), block))
            return
        if isinstance(node, nodes.Text):
            found.runs.append(Run(str(node), None, line_of(node.parent), block))
            return
        if isinstance(node, SENTENCE_HOLDERS):
            found.blocks.append(reader_text(node))
            block = len(found.blocks) - 1
        for child in node.children:
            walk(child, block)

    walk(doctree, -1)
    return found


def glossary_entries(doctree: nodes.Node) -> list[list[str]]:
    """The names of each glossary entry; the first name is the entry's key."""
    entries = []
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t.astext().strip() for t in item.children if isinstance(t, nodes.term)]
            if terms:
                entries.append(terms)
    return entries


def collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    if env.docname == app.config.calcinosis_glossary_page:
        facts(env, env.docname)["glossary"] = glossary_entries(doctree)
    elif is_patient_page(app.config, env.docname):
        facts(env, env.docname)[CHECK] = page_words(doctree)


def term_uses(words: PageWords, glossary: Glossary) -> Iterator[tuple[str, bool, Run, str]]:
    """(entry, linked, run, text) for each glossary term on a page, in order."""
    for run in words.runs:
        if run.target is not None:
            yield glossary.entry(run.target) or run.target.lower(), True, run, run.text
        elif glossary.pattern is not None:
            for match in glossary.pattern.finditer(run.text):
                entry = glossary.singular(match.group(1))
                if entry:
                    yield entry, False, run, match.group(1)


def _sentence_containing(words: PageWords, run: Run, text: str) -> str:
    if run.block < 0:
        return text
    block = words.blocks[run.block]
    return next((s for s in split_sentences(block) if text.lower() in s.lower()), block)


def check_book(app: Sphinx, env: BuildEnvironment) -> None:
    if (app.config.language or "en") != "en":
        # The English build checks the links; a translation keeps each {term}
        # role (its target stays the English entry), and words are not matched
        # across languages.
        return
    glossary_page = app.config.calcinosis_glossary_page
    entries = dict(collected(env, "glossary", [glossary_page])).get(glossary_page, [])
    glossary = make_glossary(entries)
    if not glossary.names:
        where: Location | None = (glossary_page, None) if glossary_page in env.found_docs else None
        warn(CHECK, f'no glossary entries found on page "{glossary_page}" (calcinosis_glossary_page)', where)
        return
    used: set[str] = set()
    for docname, words in collected(env, CHECK, patient_pages(env)):
        seen: set[str] = set()
        for entry, linked, run, text in term_uses(words, glossary):
            if linked:
                used.add(entry)
            if entry in seen:
                continue
            seen.add(entry)
            if not linked:
                target = f" <{entry}>" if text.lower() != entry else ""
                warn(CHECK, f'first use of glossary term "{text}" is not linked: write {{term}}`{text}{target}` '
                            f'in "{_sentence_containing(words, run, text)}"', (docname, run.line))
    for names in entries:
        if names[0].lower() not in used:
            warn(CHECK, f'glossary entry "{names[0].lower()}" is linked from no page: use it or remove it',
                 (glossary_page, entry_line(env, glossary_page, names[0])))


def entry_line(env: BuildEnvironment, docname: str, name: str) -> int | None:
    # Sphinx numbers glossary terms from the start of a MyST directive's
    # content, not of the file: find the term's own line in the page instead.
    return line_matching(env.doc2path(docname), rf"^\s*{re.escape(name)}\s*$")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", collect)
    app.connect("env-check-consistency", check_book)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
