"""What every content check shares: which pages are which, the reading order,
the text a reader sees, where a node is, how a problem is reported, and the
per-page facts the checks collect while Sphinx reads.

The page roles are config values (defaults: this book's pages today), so a
check never names a file:

``calcinosis_maintainer_pages``
    Patterns (fnmatch) of pages for maintainers and clinicians; every other
    page is a patient page. Only the dose check reads maintainer pages.
``calcinosis_clinical_pages``
    Pages whose every ``##`` section must cite a reference.
``calcinosis_glossary_page``
    The page with the ``{glossary}``.
``calcinosis_help_page`` and ``calcinosis_help_heading``
    The page and heading of the urgent-help section (the leaflet passage
    must have the same heading).
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any, Iterable

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from calcinosis_guide.leaflet import printed_leaflet, reading_order

logger = logging.getLogger(__name__)

WARNING_TYPE = "calcinosis"

Location = tuple[str, "int | None"]


def add_config_values(app: Sphinx) -> None:
    app.add_config_value("calcinosis_maintainer_pages", ["maintainers/*"], "env", types=[list])
    app.add_config_value("calcinosis_clinical_pages",
                         ["what-it-is", "causes", "symptoms", "tests", "treatment", "medicines"],
                         "env", types=[list])
    app.add_config_value("calcinosis_glossary_page", "glossary", "env", types=[str])
    app.add_config_value("calcinosis_help_page", "symptoms", "env", types=[str])
    app.add_config_value("calcinosis_help_heading", "When to get help now", "env", types=[str])


def warn(check: str, message: str, location: Location | str | None) -> None:
    """Report one problem; ``suppress_warnings = ["calcinosis.<check>"]`` silences it."""
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=check)


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------


def is_patient_page(config: Any, docname: str) -> bool:
    return not any(fnmatch.fnmatch(docname, pattern) for pattern in config.calcinosis_maintainer_pages)


def book_order(env: BuildEnvironment) -> list[str]:
    """Every page: the toctree reading order first, then the pages outside it."""
    order = reading_order(env.toctree_includes, env.config.root_doc)
    order = [d for d in order if d in env.found_docs]
    return order + sorted(env.found_docs - set(order))


def patient_pages(env: BuildEnvironment) -> list[str]:
    return [d for d in book_order(env) if is_patient_page(env.config, d)]


def shown(env: BuildEnvironment, docname: str, line: int | None = None) -> str:
    """``page.md:LINE``, as a message names a place on another page."""
    path = str(env.doc2path(docname, False))
    return f"{path}:{line}" if line else path


def line_of(node: nodes.Node) -> int | None:
    """The line of ``node``, or of the nearest ancestor that has one."""
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return None


def inside(node: nodes.Node, kinds: tuple[type, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False


def is_citation(node: nodes.Node) -> bool:
    return isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "cite"


def is_term_link(node: nodes.Node) -> bool:
    return (isinstance(node, addnodes.pending_xref) and node.get("refdomain") == "std"
            and node.get("reftype") == "term")


def reader_text(node: nodes.Node) -> str:
    """The words a reader sees in ``node``: its text without citation marks.

    The one place the checks drop citations; every check that reads
    sentences, doses or headings goes through it.
    """
    parts: list[str] = []

    def walk(n: nodes.Node) -> None:
        if is_citation(n):
            return
        if isinstance(n, nodes.Text):
            parts.append(str(n))
            return
        for child in getattr(n, "children", ()):
            walk(child)

    walk(node)
    text = "".join(parts)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)  # "skin {cite}`x`." leaves "skin ."
    return re.sub(r"\s+", " ", text).strip()


def section_titled(doctree: nodes.Node, heading: str) -> nodes.section | None:
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is not None and title.astext().strip() == heading:
            return section
    return None


# --------------------------------------------------------------------------
# Facts collected per page while Sphinx reads (kept in the environment, so
# incremental and parallel builds see every page, read now or earlier)
# --------------------------------------------------------------------------


def facts(env: BuildEnvironment, docname: str) -> dict[str, Any]:
    """The facts the checks collected from one page, by check name."""
    store = _store(env)
    return store.setdefault(docname, {})


def collected(env: BuildEnvironment, check: str, docnames: Iterable[str]) -> Iterable[tuple[str, Any]]:
    """(docname, fact) for each page in ``docnames`` that has a fact for ``check``."""
    store = _store(env)
    for docname in docnames:
        if check in store.get(docname, {}):
            yield docname, store[docname][check]


def _store(env: BuildEnvironment) -> dict[str, dict[str, Any]]:
    if not hasattr(env, "calcinosis_facts"):
        env.calcinosis_facts = {}
    return env.calcinosis_facts


def purge_facts(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env).pop(docname, None)


def merge_facts(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    store = _store(env)
    for docname, found in getattr(other, "calcinosis_facts", {}).items():
        if docname in docnames:
            store[docname] = found


# --------------------------------------------------------------------------
# Files outside the pages (bib files, book.toml): Sphinx prints a location
# that holds a colon as it is, so these name path:line like a page does.
# --------------------------------------------------------------------------


def file_location(path: str | Path, line: int | None = None) -> str:
    # Without a line the colon would still be needed; line 1 is where to start looking.
    return f"{path}:{line or 1}"


def config_location(app: Sphinx, name: str) -> str:
    """conf.py:LINE where config value ``name`` is set (line 1 while it keeps its default)."""
    conf = Path(app.confdir) / "conf.py"
    return file_location(conf, line_matching(conf, rf"^\s*{re.escape(name)}\s*[+]?="))


def line_matching(path: str | Path, pattern: str) -> int | None:
    """The first line of a file that matches ``pattern`` (a regular expression)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    regex = re.compile(pattern)
    return next((number for number, text in enumerate(lines, 1) if regex.search(text)), None)


def report_path(build_dir: str | Path, language: str) -> Path:
    """Where a build leaves its readability table and review status for ``make``."""
    return Path(build_dir) / "checks" / f"{language}.json"
