"""Catch MyST mistakes that the parser accepts silently.

An unclosed code or directive fence does not make MyST complain: everything
after it simply becomes part of the fenced block, and a page (or the
leaflet) quietly loses text. This extension warns, with file and line, so
the strict build (warnings are errors) stops instead.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})\s*(.*?)\s*$")


def unclosed_fences(text: str) -> list[tuple[int, str]]:
    """(line, message) for each fence that is opened and never closed, or closed unopened."""
    problems: list[tuple[int, str]] = []
    stack: list[tuple[str, int, int]] = []  # (fence character, length, line)
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if not match:
            continue
        fence, info = match.groups()
        char, length = fence[0], len(fence)
        if stack and stack[-1][0] in "`~":
            # Inside a code block only its own closing fence counts.
            if char == stack[-1][0] and length >= stack[-1][1] and not info:
                stack.pop()
            continue
        if not info and stack and char == stack[-1][0] and length >= stack[-1][1]:
            stack.pop()
        elif not info and char == ":":
            problems.append((number, f"closing fence '{fence}' has no matching opening fence"))
        else:
            stack.append((char, length, number))
    problems += [(line, f"fence '{char * length}' opened here is never closed") for char, length, line in stack]
    return sorted(problems)


def check_fences(app: Sphinx, docname: str, source: list[str]) -> None:
    for line, message in unclosed_fences(source[0]):
        logger.warning(message, location=(docname, line), type="mystlint")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", check_fences)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
