"""Keep an incremental build as complete as a fresh one.

Sphinx saves its build environment after reading the pages and before
writing them, but the search index collects each page's index entries (the
glossary's terms, for one) while it writes. A later incremental build starts
from the saved environment, writes only the pages that changed, and so
drops the entries of every page it did not write: search stops finding the
glossary. Saving the environment once more after a successful build keeps
what the writing collected.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from sphinx.application import ENV_PICKLE_FILENAME, Sphinx


def save_environment_again(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    with open(Path(app.doctreedir) / ENV_PICKLE_FILENAME, "wb") as f:
        pickle.dump(app.env, f, pickle.HIGHEST_PROTOCOL)


def setup(app: Sphinx) -> dict[str, Any]:
    # Late, after every other extension has stored what it collected.
    app.connect("build-finished", save_environment_again, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
