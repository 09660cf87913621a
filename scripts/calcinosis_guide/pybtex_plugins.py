"""Look pybtex's plugins up once per build, not once per citation.

sphinxcontrib-bibtex asks pybtex for its style plugins again and again, and
pybtex answers each time by scanning every installed package's entry points
(``importlib.metadata.entry_points``): about a second of every book build,
incremental ones included. The installed packages do not change during a
build, so the answers are cached for the life of the process.
"""

from __future__ import annotations

import functools
import importlib.metadata
from typing import Any

from sphinx.application import Sphinx


@functools.lru_cache(maxsize=None)
def _entry_points(**selection: str) -> tuple[importlib.metadata.EntryPoint, ...]:
    return tuple(importlib.metadata.entry_points(**selection))


def setup(app: Sphinx) -> dict[str, Any]:
    import pybtex.plugin

    # pybtex.plugin calls the name it imported; the cached function answers alike.
    pybtex.plugin.entry_points = _entry_points
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
