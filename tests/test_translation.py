"""The language is a parameter: fixed strings on the leaflet and the pages go
through Sphinx's translation machinery, so a catalog is all a new language needs."""

from __future__ import annotations


# A new language from its catalogs alone (the README's steps, with a French
# catalog in a temporary copy) is tests/test_languages.py::test_a_third_language_from_the_readme_steps.


def test_leaflet_headings_book_metadata_and_theme_labels_reach_the_templates(tmp_path):
    """make gettext: the {leaflet} headings in their page's template, the book's title in the labels'."""
    import subprocess

    from conftest import ROOT

    build = tmp_path / "_build"
    result = subprocess.run(["make", "-C", str(ROOT), f"BUILDDIR={build}", "gettext"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    from babel.messages.pofile import read_po

    def ids(name):
        with open(build / "gettext" / name, "rb") as f:
            return {m.id for m in read_po(f) if m.id}

    assert {"The main message"} <= ids("index.pot") and "About this leaflet" in ids("about.pot")
    assert {"Metastatic calcinosis cutis", "Information for patients and carers",
            "The Calcinosis Cutis Patient Information Project"} <= ids("calcinosis.pot")
    assert {"Dark mode", "Menu", "This page in other languages"} <= ids("sphinx.pot")
    medicines = ids("medicines.pot")
    assert "Cinacalcet (a {term}`calcimimetic`)" in medicines  # a table cell
    assert not list((ROOT / "docs").rglob("*.mo"))


def test_template_catalog_lists_every_leaflet_label():
    from conftest import DOCS
    from calcinosis_guide.leaflet import leaflet_labels

    from babel.messages.pofile import read_po

    with open(DOCS / "locales" / "calcinosis.pot", encoding="utf-8") as pot:
        template = {message.id for message in read_po(pot) if message.id}
    for label in leaflet_labels().values():
        assert label in template, label


def _label_calls():
    """Every ``_("…")`` call in the package's code, as (file, line, text)."""
    import ast

    from conftest import ROOT

    for path in sorted((ROOT / "scripts" / "calcinosis_guide").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                yield path, node.lineno, node.args[0].value


def test_every_label_in_the_code_reaches_the_template():
    """A label babel cannot extract (for example a _() inside an f-string) would stay English in every translation."""
    from babel.messages.pofile import read_po

    from conftest import DOCS
    from calcinosis_guide.catalogs import label_template

    fresh = {m.id for m in label_template(DOCS, DOCS.parent / "scripts" / "calcinosis_guide") if m.id}
    with open(DOCS / "locales" / "calcinosis.pot", encoding="utf-8") as pot:
        committed = {m.id for m in read_po(pot) if m.id}
    calls = list(_label_calls())
    assert len(calls) > 50
    missing = [f"{path.name}:{line}: {text}" for path, line, text in calls if text not in fresh]
    assert not missing, "labels babel does not extract:\n" + "\n".join(missing)
    stale = [f"{path.name}:{line}: {text}" for path, line, text in calls if text not in committed]
    assert not stale, "labels missing from docs/locales/calcinosis.pot (make gettext):\n" + "\n".join(stale)


def test_spanish_maker_page_shows_no_english_label(tmp_path):
    """The leaflet maker's form, with the Spanish catalogs: every label the maker's code has is translated."""
    import html
    import re

    import pytest
    from sphinx import locale

    from conftest import DOCS, ROOT
    from calcinosis_guide import maker
    from calcinosis_guide.book import MESSAGE_CATALOG
    from calcinosis_guide.catalogs import compile_catalogs

    if not (DOCS / "locales" / "es").is_dir():
        pytest.skip("no Spanish catalogs")
    compile_catalogs(DOCS, "es", tmp_path)
    saved = dict(locale.translators)
    try:
        locale.init([str(tmp_path)], "es", MESSAGE_CATALOG)
        page = html.unescape(maker.form_html("", "es"))
    finally:
        locale.translators.clear()
        locale.translators.update(saved)
    # What a reader sees or hears: the text between tags and the messages in <template> elements.
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "\n", page))
    english = {text for path, _line, text in _label_calls() if path.name == "maker.py"}
    assert {"Your clinic", "Make the leaflet", "Download the leaflet (PDF)"} <= english
    # Words the same in both languages (A4, Logo) are no English left over.
    words = [text.split("{")[0].strip() for text in english]
    left = sorted(word for word in words if len(word.split()) > 1 and word in shown)
    assert not left, "English on the Spanish maker page:\n" + "\n".join(left)
    for spanish in ("Su clínica", "Hacer el folleto", "Descargar el folleto (PDF)"):
        assert f">{spanish}<" in page, spanish


def test_a_translated_leaflet_says_who_translated_it_in_its_footer_line(tmp_path):
    """The leaflet's footer review line: in Spanish it also says that the project's maintainers translated it
    and that no professional medical translator checked it (the web banner says so in two sentences)."""
    import pytest
    from sphinx import locale

    from conftest import DOCS
    from calcinosis_guide.book import (MESSAGE_CATALOG, clinical_review_status, leaflet_review_status,
                                       load_book_metadata)
    from calcinosis_guide.catalogs import compile_catalogs

    if not (DOCS / "locales" / "es").is_dir():
        pytest.skip("no Spanish catalogs")
    metadata = load_book_metadata(DOCS / "book.toml")
    english = leaflet_review_status(metadata, "en")
    assert english == clinical_review_status(metadata, "en") and "translat" not in english
    compile_catalogs(DOCS, "es", tmp_path)
    saved = dict(locale.translators)
    try:
        locale.init([str(tmp_path)], "es", MESSAGE_CATALOG)
        spanish = leaflet_review_status(metadata, "es")
    finally:
        locale.translators.clear()
        locale.translators.update(saved)
    if metadata["review"].get("clinical_reviewer"):
        assert metadata["review"]["clinical_reviewer"] in spanish
    assert "traductor médico" in spanish and "traducido por" in spanish.lower()
    # One footer line in large print (about 70 characters at 16 pt): the footer stays above the printers' clip.
    assert len(spanish) <= 72, spanish
