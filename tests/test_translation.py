"""The language is a parameter: fixed strings on the leaflet and the pages go
through Sphinx's translation machinery, so a catalog is all a new language needs."""

from __future__ import annotations

import re

from pypdf import PdfReader

from conftest import run_leaflet

SPANISH = {
    "Key points": "Puntos clave",
    "Checked against sources": "Comprobado con sus fuentes",
    "Your care team": "Su equipo de atención",
    "Metastatic calcinosis cutis": "Calcinosis cutánea metastásica",
}


def write_catalog(docs, language: str, messages: dict[str, str]) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale=language, domain="calcinosis")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    folder = docs / "locales" / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "calcinosis.mo", "wb") as mo:
        write_mo(mo, catalog)


def _old_test_a_new_language_needs_only_a_catalog(docs_copy, tmp_path):
    write_catalog(docs_copy, "es", SPANISH)
    build_dir = tmp_path / "build"
    result = run_leaflet("--source", docs_copy, "--build-dir", build_dir, "--language", "es", "--paper", "a4")
    assert result.returncode == 0, result.stderr
    pdf = build_dir / "leaflet" / "calcinosis-leaflet-es-a4.pdf"
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(pdf).pages))
    for spanish in ("Comprobado con sus fuentes", "Su equipo de atención", "Calcinosis cutánea metastásica"):
        assert spanish in text
    assert "Your care team" not in text
    assert "Puntos clave" in (build_dir / "html-es" / "index.html").read_text(encoding="utf-8")


def test_template_catalog_lists_every_leaflet_label():
    from conftest import DOCS
    from calcinosis_guide.leaflet import leaflet_labels

    from babel.messages.pofile import read_po

    with open(DOCS / "locales" / "calcinosis.pot", encoding="utf-8") as pot:
        template = {message.id for message in read_po(pot) if message.id}
    for label in leaflet_labels().values():
        assert label in template, label
