"""evidence and bibliography: what the book cites, read from the bibliography
sphinxcontrib-bibtex has parsed (its ``cite`` domain: the pybtex entries of
every bib file, each citation with its page and line, and each entry as the
reference list formats it).

evidence (target C7)
    Every ``##`` section of the clinical pages cites a reference (checked as
    each page is read); every bib entry is cited; every cited key is in a bib
    file; an entry with a DOI or PMID shows it as a link in the reference list.
bibliography (target C12)
    Every entry has an author (or an organisation as author), a title and a
    year, and at least one of DOI, PMID (``pubmed`` field) or URL, so a
    reader can find the source.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from calcinosis_guide.checks.pages import collected, config_location, facts, file_location, is_citation, line_matching, line_of, warn

CHECK = "evidence"
BIBLIOGRAPHY = "bibliography"

# A bib entry may name its author as an organisation in these fields instead.
ORGANISATION_FIELDS = ("organization", "institution")
IDENTIFIER_FIELDS = ("doi", "pubmed", "url")


def check_sections(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    # sphinxcontrib-bibtex records no line for a MyST {cite}: keep where each one is.
    facts(app.env, docname)["citations"] = [(xref.get("reftarget", ""), line_of(xref))
                                            for xref in doctree.findall(is_citation)]
    if docname not in app.config.calcinosis_clinical_pages:
        return
    for section in doctree.findall(nodes.section):
        # A `##` section sits inside the page's one `#` section.
        if sum(1 for a in _ancestors(section) if isinstance(a, nodes.section)) != 1:
            continue
        if not any(section.findall(is_citation)):
            title = section.next_node(nodes.title)
            warn(CHECK, f'section "{title.astext() if title else "?"}" cites no reference',
                 (docname, line_of(title or section)))


def _ancestors(node: nodes.Node) -> Iterator[nodes.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _cite_domain(env: BuildEnvironment) -> Any:
    return env.get_domain("cite")


def bib_entries(env: BuildEnvironment) -> Iterator[tuple[Path, str, Any]]:
    """(bib file, key, pybtex entry) for every entry, in file order."""
    domain = _cite_domain(env)
    for path, bibfile in domain.bibdata.bibfiles.items():
        for key in bibfile.keys:
            yield path, key, domain.bibdata.data.entries[key]


def entry_location(path: Path, key: str) -> str:
    # pybtex keeps no positions: find the entry's "@type{key," line.
    return file_location(path, line_matching(path, rf"^\s*@\w+\s*[{{(]\s*{re.escape(key)}\s*,"))


def check_citations(app: Sphinx, env: BuildEnvironment) -> None:
    for docname in app.config.calcinosis_clinical_pages:
        if docname not in env.found_docs:
            warn(CHECK, f'clinical page "{docname}" (calcinosis_clinical_pages) is not in the book',
                 config_location(app, "calcinosis_clinical_pages"))
    domain = _cite_domain(env)
    cited: dict[str, tuple[str, int | None]] = {}
    for ref in sorted(domain.citation_refs, key=lambda r: (r.docname, r.line or 0)):
        for target in ref.targets:
            cited.setdefault(target.key, (ref.docname, ref.line or _citation_line(env, ref.docname, target.key)))
    entries = list(bib_entries(env))
    known = {key for _path, key, _entry in entries}
    for path, key, _entry in entries:
        if key not in cited:
            warn(CHECK, f"entry {key} is cited nowhere: cite it where it supports a sentence, or remove it",
                 entry_location(path, key))
    for key, location in sorted(cited.items()):
        if key not in known:
            warn(CHECK, f"{key} is cited but is in no bib file ({', '.join(app.config.bibtex_bibfiles)})", location)
    check_links(env, entries)


def _citation_line(env: BuildEnvironment, docname: str, key: str) -> int | None:
    found = dict(collected(env, "citations", [docname])).get(docname, [])
    return next((line for target, line in found if key in re.split(r"[\s,]+", target)), None)


def _hrefs(text: Any) -> Iterator[str]:
    """Every link address in a pybtex rich text."""
    url = getattr(text, "url", None)
    if url:
        yield url
    for part in getattr(text, "parts", ()):
        yield from _hrefs(part)


def check_links(env: BuildEnvironment, entries: list[tuple[Path, str, Any]]) -> None:
    """A DOI or PMID is shown as a link in the reference list that lists the entry."""
    domain = _cite_domain(env)
    files = {key: path for path, key, _entry in entries}
    for citation in domain.citations:
        fields = citation.entry.fields
        links = set(_hrefs(citation.formatted_entry.text))
        bibliography = domain.bibliographies[citation.bibliography_key]
        where = f"in the reference list ({env.doc2path(citation.bibliography_key.docname, False)}:{bibliography.line})"
        location = entry_location(files[citation.key], citation.key) if citation.key in files else None
        doi = fields.get("doi")
        if doi and f"https://doi.org/{doi}" not in links:
            warn(CHECK, f"entry {citation.key}: DOI {doi} is not shown as a link {where}", location)
        pmid = fields.get("pubmed")
        if pmid and not any(re.search(rf"pubmed(?:\.ncbi\.nlm\.nih\.gov)?/{re.escape(pmid)}\b", u) for u in links):
            warn(CHECK, f"entry {citation.key}: PMID {pmid} is not shown as a link {where}", location)


def missing_details(entry: Any) -> list[str]:
    """What a reader needs to find the source and this entry lacks."""
    fields = {name.lower(): value for name, value in entry.fields.items() if str(value).strip()}
    missing = []
    if not entry.persons.get("author") and not any(f in fields for f in ORGANISATION_FIELDS):
        missing.append("an author (or organization)")
    if "title" not in fields:
        missing.append("a title")
    if "year" not in fields and "date" not in fields:
        missing.append("a year")
    if not any(f in fields for f in IDENTIFIER_FIELDS):
        missing.append("a DOI, PMID (pubmed field) or URL")
    return missing


def check_bibliography(app: Sphinx, env: BuildEnvironment) -> None:
    """Every entry complete, except the known gaps conf.py lists with their reason.

    The list can only shrink: an entry on it that is complete now, or that is no
    longer in the bibliography, is itself a warning. ``make check`` prints the
    gaps that remain, so they stay in view.
    """
    gaps = app.config.calcinosis_bibliography_gaps
    env.calcinosis_bibliography_gaps = []
    seen = set()
    for path, key, entry in bib_entries(env):
        seen.add(key)
        missing = missing_details(entry)
        listed = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else (missing or [""])[0]
        if missing and key in gaps:
            env.calcinosis_bibliography_gaps.append(f"{key} lacks {listed} ({gaps[key]})")
        elif missing:
            warn(BIBLIOGRAPHY, f"entry {key} lacks {listed}: a reader cannot find the source", entry_location(path, key))
        elif key in gaps:
            warn(BIBLIOGRAPHY, f"entry {key} is complete now: remove it from calcinosis_bibliography_gaps in conf.py",
                 entry_location(path, key))
    for key in sorted(set(gaps) - seen):
        warn(BIBLIOGRAPHY, f"calcinosis_bibliography_gaps names {key}, which the bibliography does not have",
             (app.config.root_doc, None))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.connect("doctree-read", check_sections)
    app.connect("env-check-consistency", check_citations)
    app.connect("env-check-consistency", check_bibliography)
    app.add_config_value("calcinosis_bibliography_gaps", {}, "", types=[dict])
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
