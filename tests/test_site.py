"""Both books side by side: addresses, alternates, the switcher and the assembled site."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DOCS, ROOT, run_build_book


def tiny_spanish(docs: Path) -> None:
    """The repository's Spanish catalogs replaced by two entries (any state of the translation builds)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    shutil.rmtree(docs / "locales" / "es", ignore_errors=True)
    folder = docs / "locales" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for domain, messages in {"calcinosis": {"Key points": "Puntos clave",
                                            "Metastatic calcinosis cutis": "Calcinosis cutánea metastásica"},
                             "sphinx": {"This page in other languages": "Esta página en otros idiomas",
                                        "Link to this heading": "Enlace a este título"},
                             # Sphinx's own sort puts an accented letter after z (dializado before diálisis).
                             "glossary": {"dialysis": "diálisis", "dialysate": "dializado", "ulcer": "úlcera",
                                          "ultrasound scan": "ultrasonido"}}.items():
        catalog = Catalog(locale="es", domain=domain)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        with open(folder / f"{domain}.po", "wb") as f:
            write_po(f, catalog)


@pytest.fixture(scope="module")
def site(book, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    docs = root / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("_build", "__pycache__", "*.mo"))
    tiny_spanish(docs)
    build = root / "_build"
    # The English book is the session's: no catalog changes an English page.
    shutil.copytree(book / "html", build / "html", symlinks=True)
    result = run_build_book("--source", docs, "--build-dir", build, "--language", "es")
    assert result.returncode == 0, result.stderr
    result = subprocess.run([sys.executable, "-m", "calcinosis_guide.site", "--source", str(docs),
                             "--build-dir", str(build)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return build / "site"


def head_links(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page))


def test_each_page_has_its_language_canonical_link_and_alternates(site):
    for language, other in (("en", "es"), ("es", "en")):
        page = (site / language / "latest" / "causes.html").read_text(encoding="utf-8")
        assert f'<html lang="{language}"' in page
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)[1]
        assert canonical == f"https://calcinosis-cutis-guide.readthedocs.io/{language}/latest/causes.html"
        assert head_links(page) == {
            "en": "https://calcinosis-cutis-guide.readthedocs.io/en/latest/causes.html",
            "es": "https://calcinosis-cutis-guide.readthedocs.io/es/latest/causes.html",
            "x-default": "https://calcinosis-cutis-guide.readthedocs.io/en/latest/causes.html"}
        sitemap = (site / language / "latest" / "sitemap.xml").read_text(encoding="utf-8")
        assert f"/{language}/latest/causes.html" in sitemap and f"/{other}/latest/" not in sitemap.split("hreflang")[0]


def test_the_switcher_goes_to_the_same_page_in_the_other_language(site):
    for language, other in (("en", "es"), ("es", "en")):
        for page in ("index.html", "causes.html", "maintainers/leaflet.html"):
            path = site / language / "latest" / page
            html = path.read_text(encoding="utf-8")
            nav = re.search(r'<nav class="book-languages" aria-label="([^"]+)">(.*?)</nav>', html, re.S)
            assert nav, page
            link = re.search(r'<a href="([^"]+)" hreflang="([^"]+)" lang="([^"]+)"', nav[2])
            assert link[2] == link[3] == other
            target = (path.parent / link[1]).resolve()
            assert target == (site / other / "latest" / page).resolve() and target.is_file()
    assert 'aria-label="Esta página en otros idiomas"' in (site / "es" / "latest" / "index.html").read_text(encoding="utf-8")


def test_spanish_book_links_spanish_leaflets_and_has_a_spanish_title(site):
    index = (site / "es" / "latest" / "index.html").read_text(encoding="utf-8")
    assert "leaflet/calcinosis-leaflet-es-a4.pdf" in index and "calcinosis-leaflet-en-" not in index
    assert re.search(r"<title>[^<]*Calcinosis cutánea metastásica</title>", index)
    assert "Puntos clave" in index


def test_spanish_admonition_titles_and_sphinx_labels_are_spanish(site):
    """The titles of {important} and {warning} boxes come from Sphinx's own catalog; the
    heading links' title, which that catalog leaves empty in Spanish, from the book's sphinx.po."""
    titles = {}
    for page in ("causes.html", "tests.html", "treatment.html"):
        for language in ("en", "es"):
            html = (site / language / "latest" / page).read_text(encoding="utf-8")
            titles[language, page] = re.findall(r'<p class="admonition-title">([^<]+)</p>', html)
        assert titles["en", page] and len(titles["es", page]) == len(titles["en", page]), page
    assert set(titles["es", "treatment.html"]) == {"Importante", "Advertencia"}
    assert set(titles["en", "treatment.html"]) == {"Important", "Warning"}
    assert titles["es", "causes.html"] == titles["es", "tests.html"] == ["Importante"]
    causes = (site / "es" / "latest" / "causes.html").read_text(encoding="utf-8")
    assert 'title="Enlace a este título"' in causes and "Link to this heading" not in causes


def test_spanish_glossary_is_in_spanish_a_to_z_order(site):
    from calcinosis_guide.languages import collation_key

    def terms(language):
        page = (site / language / "latest" / "glossary.html").read_text(encoding="utf-8")
        glossary = page[page.index('<dl class="simple glossary">'):]
        # Each entry's first term (an entry may have a second, "catheter" under "dialysis line").
        return [re.sub(r"<[^>]+>|#", "", entry).strip()
                for entry in re.findall(r'(?:<dl class="simple glossary">|</dd>)\s*<dt id="term-[^"]*">(.*?)</dt>', glossary, re.S)]

    english, spanish = terms("en"), terms("es")
    assert len(spanish) == len(english) > 50 and english == sorted(english, key=str.casefold)
    assert spanish == sorted(spanish, key=collation_key)
    assert spanish.index("diálisis") < spanish.index("dializado")
    assert spanish.index("úlcera") < spanish.index("ultrasonido")


def test_root_page_links_both_books_and_never_redirects(site):
    root = (site / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<li data-lang="(\w+)" lang="\w+"><a href="([^"]+)"', root)
    assert dict(hrefs) == {"en": "en/latest/", "es": "es/latest/"}
    for _lang, href in hrefs:
        assert (site / href / "index.html").is_file()
    assert "http-equiv" not in root and "location" not in root.lower()
    index = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert index.count("<sitemap>") == 2 and "/es/latest/sitemap.xml" in index
    assert "Sitemap: https://calcinosis-cutis-guide.readthedocs.io/sitemap.xml" in (site / "robots.txt").read_text()


def test_site_without_a_built_language_is_one_line(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("_build", "__pycache__", "*.mo"))
    tiny_spanish(docs)
    result = subprocess.run([sys.executable, "-m", "calcinosis_guide.site", "--source", str(docs),
                             "--build-dir", str(tmp_path / "_build")], capture_output=True, text=True)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "no built book for 'en'" in result.stderr
