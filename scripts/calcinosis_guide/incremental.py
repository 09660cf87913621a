"""Keep an incremental build as complete as a fresh one.

Sphinx saves its build environment after reading the pages and before
writing them, but the search index collects each page's index entries (the
glossary's terms, for one) while it writes. A later incremental build starts
from the saved environment, writes only the pages that changed, and so
drops the entries of every page it did not write: search stops finding the
glossary. Saving the environment once more after a successful build keeps
what the writing collected.

The other way round, a word taken out of a page stays in the search index,
listed for no page: Sphinx drops the rewritten pages from each word's list
but keeps the emptied words. They are dropped before the index is written,
so an incremental build writes the same index as a fresh one.
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


def drop_words_of_no_page(app: Sphinx):
    indexer = getattr(app.builder, "indexer", None)
    if indexer is not None:
        for mapping in (indexer._mapping, indexer._title_mapping):
            for word in [word for word, pages in mapping.items() if not pages]:
                del mapping[word]
    return []


def setup(app: Sphinx) -> dict[str, Any]:
    # Before the search index is written: Sphinx writes it after collecting these pages.
    app.connect("html-collect-pages", drop_words_of_no_page)
    # Late, after every other extension has stored what it collected.
    app.connect("build-finished", save_environment_again, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
