"""The Spanish edition's workflow: languages checked in one line, a third
language from a tiny catalog, labels right after one build, the completeness gate."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import DOCS, ROOT, run_build_book, run_leaflet


@pytest.mark.parametrize("language, words", [("sp", "unknown language 'sp'"), ("fr", "no catalog for language 'fr'")])
def test_unknown_or_uncatalogued_language_is_one_line_and_exit_2(tmp_path, language, words):
    if (DOCS / "locales" / language).exists():
        pytest.skip(f"docs/locales/{language} exists")
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_content.py"), "--source", str(DOCS),
                            "--build-dir", str(tmp_path), "--language", language], capture_output=True, text=True)
    for result in (run_build_book("--source", DOCS, "--build-dir", tmp_path, "--language", language),
                   run_leaflet("--source", DOCS, "--build-dir", tmp_path, "--language", language, "--paper", "a4"),
                   check):
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], result.stderr
    assert not (tmp_path / "html-sp").exists() and not (tmp_path / "leaflet").exists()


def fill(po_path, translations: dict[str, str]) -> None:
    from babel.messages.pofile import read_po, write_po

    with open(po_path, "rb") as f:
        catalog = read_po(f)
    for msgid, msgstr in translations.items():
        assert msgid in catalog, msgid
        catalog[msgid].string = msgstr
    with open(po_path, "wb") as f:
        write_po(f, catalog, width=0)


def test_a_third_language_from_the_readme_steps(tmp_path):
    """README, 'Translating': make update-po LANGUAGE=fr, translate two entries, make LANGUAGE=fr;
    then change a label and build once more: every page shows the new one."""
    import shutil

    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("_build", "__pycache__", "*.mo"))
    build = tmp_path / "_build"
    make = ["make", "-C", str(ROOT), f"SOURCEDIR={docs}", f"BUILDDIR={build}", "LANGUAGE=fr"]
    result = subprocess.run([*make, "update-po"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    folder = docs / "locales" / "fr" / "LC_MESSAGES"
    assert (folder / "calcinosis.po").exists() and (folder / "maintainers" / "index.po").exists()
    fill(folder / "calcinosis.po", {"Key points": "Points clés", "Your care team": "Votre équipe soignante"})
    fill(folder / "index.po", {"The main message": "Le message principal"})
    result = run_leaflet("--source", docs, "--build-dir", build, "--language", "fr", "--paper", "a4")
    assert result.returncode == 0, result.stderr
    pdf = build / "leaflet" / "calcinosis-leaflet-fr-a4.pdf"
    reader = PdfReader(pdf)
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Votre équipe soignante" in text and "Le message principal" in text
    assert "Your care team" not in text
    assert str(reader.trailer["/Root"]["/Lang"]) == "fr"
    index = (build / "html-fr" / "index.html").read_text(encoding="utf-8")
    assert "Points clés" in index and 'lang="fr"' in index
    assert not list(docs.rglob("*.mo")), "a build compiled catalogs into docs/"

    fill(folder / "calcinosis.po", {"Key points": "L'essentiel"})
    result = run_build_book("--source", docs, "--build-dir", build, "--language", "fr")
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "causes.html", "symptoms.html"):
        html = (build / "html-fr" / page).read_text(encoding="utf-8")
        assert "essentiel" in html, page  # L’essentiel, with Sphinx's typographic apostrophe
        assert "Points clés" not in html, page


def test_spanish_heading_syllables_and_formula():
    from calcinosis_guide.checks.spanish import inflesz_grade, syllables, szigriszt_pazos

    counts = {"calcinosis": 4, "cutánea": 4, "diálisis": 3, "día": 2, "aéreo": 4, "que": 1, "prohíbe": 3,
              "muy": 1, "paratiroides": 5, "riñón": 2}
    assert {word: syllables(word) for word in counts} == counts
    # 206.835 - 62.3 * 2.0 - 12.5 = 69.7: "bastante fácil"; 84.7: "muy fácil".
    assert inflesz_grade(szigriszt_pazos(100, 200, 8)) == "bastante fácil"
    assert inflesz_grade(szigriszt_pazos(100, 180, 10)) == "muy fácil"


def spanish_gaps():
    from calcinosis_guide.catalogs import catalog_gaps

    return catalog_gaps(DOCS, "es")


@pytest.mark.skipif(not (DOCS / "locales" / "es").is_dir(), reason="no Spanish catalogs")
def test_spanish_catalogs_are_complete():
    """No untranslated, fuzzy or obsolete entry in docs/locales/es (make check LANGUAGE=es)."""
    gaps = spanish_gaps()
    assert not gaps, f"{len(gaps)} entries not ready:\n" + "\n".join(map(str, gaps))


def test_gaps_name_file_line_and_kind(tmp_path):
    from calcinosis_guide.catalogs import catalog_gaps

    folder = tmp_path / "locales" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "calcinosis.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Key points"\nmsgstr "Points clés"\n\n'
        'msgid "Your care team"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Phone"\nmsgstr "Téléphone"\n\n'
        '#~ msgid "Old"\n#~ msgstr "Vieux"\n', encoding="utf-8")
    found = {(gap.kind, gap.msgid) for gap in catalog_gaps(tmp_path, "fr")}
    assert found == {("untranslated", "Your care team"), ("fuzzy", "Phone"), ("obsolete", "Old")}
    result = subprocess.run([sys.executable, "-m", "calcinosis_guide.catalogs", "--source", str(tmp_path),
                             "gaps", "fr"], capture_output=True, text=True)
    assert result.returncode == 2 and "calcinosis.po:" in result.stderr and "untranslated: Your care team" in result.stderr


def test_glossary_order_ignores_accents_and_keeps_n_tilde_after_n():
    from calcinosis_guide.languages import collation_key

    words = ["vitamina D", "vía de diálisis", "uso fuera de indicación", "úlcera", "dializado",
             "diálisis", "ñandú", "nube", "oso", "Calcio", "calcinosis"]
    assert sorted(words, key=collation_key) == [
        "calcinosis", "Calcio", "diálisis", "dializado", "nube", "ñandú", "oso",
        "úlcera", "uso fuera de indicación", "vía de diálisis", "vitamina D"]
    english = ["vitamin D", "ulcer", "ultrasound scan", "PTH", "phosphate", "acute limb ischaemia"]
    assert sorted(english, key=collation_key) == sorted(english, key=str.casefold)
