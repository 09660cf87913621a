"""Batch runs for many clinics, atomic output, and a renderer that stays home."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_leaflet

EXAMPLE = ROOT / "scripts" / "example-clinic"
GOOD = 'name = "{name}"\nphone = "0100 000000"\nhours = "Always"\nurgent_help = "Call 999."\n'


def test_batch_writes_the_good_clinics_and_reports_the_bad_one(book, tmp_path):
    clinics = tmp_path / "clinics"
    clinics.mkdir()
    (clinics / "north.toml").write_text(GOOD.format(name="North Clinic"))
    (clinics / "south.toml").write_text(GOOD.format(name="South Clinic"))
    (clinics / "broken.toml").write_text('name = "Broken"\n')
    out = tmp_path / "out"
    result = run_leaflet("--build-dir", book, "--clinics", clinics, "--output", out, "--paper", "a4", "--paper", "letter")
    assert result.returncode == 2
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "north-calcinosis-leaflet-en-a4.pdf", "north-calcinosis-leaflet-en-letter.pdf",
        "south-calcinosis-leaflet-en-a4.pdf", "south-calcinosis-leaflet-en-letter.pdf",
    ]
    assert "North Clinic" in PdfReader(out / "north-calcinosis-leaflet-en-a4.pdf").pages[1].extract_text()
    assert "broken.toml: phone: is missing" in result.stdout
    assert "4 leaflet(s) written, 1 clinic file problem(s)" in result.stdout


def test_batch_of_an_empty_folder_is_an_input_error(book, tmp_path):
    result = run_leaflet("--build-dir", book, "--clinics", tmp_path)
    assert result.returncode == 2
    assert "no *.toml clinic files" in result.stderr


def test_output_that_is_a_folder_is_refused_and_earlier_output_survives(book, leaflets, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--output", folder)
    assert result.returncode == 2 and "is a folder" in result.stderr
    assert list(folder.iterdir()) == []


def test_failed_render_leaves_the_earlier_good_pdf_untouched(book, tmp_path):
    output = tmp_path / "leaflet.pdf"
    assert run_leaflet("--build-dir", book, "--paper", "a4", "--output", output).returncode == 0
    before = output.read_bytes()
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n')
    result = run_leaflet("--build-dir", book, "--paper", "a4", "--clinic", bad, "--output", output)
    assert result.returncode == 2
    assert output.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.org/logo.png", "https://example.org/x.css"])
def test_renderer_refuses_anything_outside_the_project(url):
    from weasyprint.urls import FatalURLFetchingError

    from calcinosis_guide.render import project_only_fetcher

    with pytest.raises(FatalURLFetchingError):
        project_only_fetcher().fetch(url)


def test_renderer_reads_its_own_stylesheet():
    from calcinosis_guide.render import LEAFLET_DIR, project_only_fetcher

    response = project_only_fetcher().fetch((LEAFLET_DIR / "leaflet.css").as_uri())
    assert b"@page" in response.read()
