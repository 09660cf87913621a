"""safety: no dose amounts anywhere, on a page or on the leaflet (target
C10), and a "When to get help now" section on the help page and in the
leaflet that names calciphylaxis, infection and high calcium (target C6).

Pages are checked as they are read; the leaflet once every page is read,
on its passages as the leaflet prints them (``{get-help}`` cards filled in).
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from calcinosis_guide.checks.pages import config_location, inside, line_of, printed_leaflet, reader_text, section_titled, shown, warn

CHECK = "safety"

DOSE_UNITS = (r"mg|mcg|µg|μg|ug|micrograms?|milligrams?|grams?|g|IU|i\.u\.|units?|mL|ml|millilit(?:re|er)s?"
              r"|lit(?:re|er)s?|L|mmol|mEq|tablets?|capsules?|puffs?|drops?|sachets?")
NUMBER = r"(?:\d+(?:[.,]\d+)?(?:\s*(?:-|–|to)\s*\d+(?:[.,]\d+)?)?|one|two|three|four|five|six|seven|eight|nine|ten|half an?)"
DOSE_RE = re.compile(rf"(?<![\w.]){NUMBER}\s*(?:{DOSE_UNITS})(?![\w])", re.I)

# The three dangers a help section must name (C6; facts.md section 3), as
# patterns a sentence naming them matches. A translation sets its own.
DEFAULT_DANGERS = {"calciphylaxis": "calciphylaxis", "infection": "infect",
                   "high calcium": "high calcium|hypercalcaemia"}

NOT_READ = (nodes.literal_block, nodes.comment)


def find_doses(text: str) -> list[str]:
    return [m.group(0) for m in DOSE_RE.finditer(text)]


def missing_dangers(config: Any, text: str) -> list[str]:
    return [name for name, pattern in config.calcinosis_help_dangers.items() if not re.search(pattern, text, re.I)]


def dose_problems(tree: nodes.Node) -> list[tuple[int | None, str]]:
    """(line, dose) for every dose amount in the paragraphs and terms of ``tree``."""
    found = []
    for para in tree.findall(lambda n: isinstance(n, (nodes.paragraph, nodes.term))):
        if inside(para, NOT_READ):
            continue
        found += [(line_of(para), dose) for dose in find_doses(reader_text(para))]
    return found


def check_page(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    for line, dose in dose_problems(doctree):
        warn(CHECK, f'dose amount "{dose}": give no doses; say "ask your care team" instead', (docname, line))
    # The section and its danger signs are checked in English, the source
    # of every translation; doses (numbers with units) in every language.
    if docname == app.config.calcinosis_help_page and (app.config.language or "en") == "en":
        heading = app.config.calcinosis_help_heading
        section = section_titled(doctree, heading)
        if section is None:
            warn(CHECK, f'no "## {heading}" section (calcinosis_help_heading)', (docname, None))
        elif missing := missing_dangers(app.config, reader_text(section)):
            warn(CHECK, f'"{heading}" does not mention {", ".join(missing)}', (docname, line_of(section)))


def check_leaflet(app: Sphinx, env: BuildEnvironment) -> None:
    help_page, heading = app.config.calcinosis_help_page, app.config.calcinosis_help_heading
    if help_page not in env.found_docs:
        warn(CHECK, f'help page "{help_page}" (calcinosis_help_page) is not in the book',
             config_location(app, "calcinosis_help_page"))
    passages = printed_leaflet(env)
    for passage in passages:
        for line, dose in dose_problems(passage.node):
            warn(CHECK, f'leaflet passage "{passage.heading}": dose amount "{dose}"', (passage.docname, line))
    if (app.config.language or "en") != "en":
        return
    urgent = next((p for p in passages if p.heading.strip() == heading), None)
    if urgent is None:
        warn(CHECK, f'the leaflet has no passage headed "{heading}": add a {{leaflet}} passage '
                    f"to {shown(env, help_page)}", (help_page, None) if help_page in env.found_docs else None)
    elif missing := missing_dangers(app.config, reader_text(urgent.node)):
        warn(CHECK, f'leaflet passage "{heading}" does not mention {", ".join(missing)}',
             (urgent.docname, urgent.line))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("calcinosis_help_dangers", DEFAULT_DANGERS, "env", types=[dict])
    app.connect("doctree-read", check_page)
    app.connect("env-check-consistency", check_leaflet)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
