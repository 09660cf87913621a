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
