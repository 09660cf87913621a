"""Batch runs for many clinics, atomic output, and a renderer that stays home."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_leaflet

EXAMPLE = ROOT / "scripts" / "example-clinic"
GOOD = 'name = "{name}"\nphone = "0100 000000"\nhours = "Always"\nurgent_help = "Call 999."\n'


def clinic_folder(tmp_path, names: list[str], broken: bool = True):
    clinics = tmp_path / "clinics"
    clinics.mkdir()
    for name in names:
        (clinics / f"{name.lower()}.toml").write_text(GOOD.format(name=f"{name} Clinic"))
    if broken:
        (clinics / "broken.toml").write_text('name = "Broken"\n')
    return clinics


def manifest_rows(folder, stem="manifest"):
    import csv
    import json

    with open(folder / f"{stem}.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [{k: str(v) for k, v in row.items()} for row in json.loads((folder / f"{stem}.json").read_text())] == rows
    return rows


def test_batch_writes_the_good_clinics_and_reports_the_bad_one(book, tmp_path):
    import hashlib

    clinics = clinic_folder(tmp_path, ["North", "South"])
    out = tmp_path / "out"
    result = run_leaflet("--build-dir", book, "--clinics", clinics, "--output", out, "--paper", "a4", "--paper", "letter")
    assert result.returncode == 2
    pdfs = [
        "north-calcinosis-leaflet-en-a4.pdf", "north-calcinosis-leaflet-en-letter.pdf",
        "south-calcinosis-leaflet-en-a4.pdf", "south-calcinosis-leaflet-en-letter.pdf",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(pdfs + ["manifest.csv", "manifest.json"])
    assert "North Clinic" in PdfReader(out / "north-calcinosis-leaflet-en-a4.pdf").pages[1].extract_text()
    assert "broken.toml: phone: is missing" in result.stdout
    assert f"4 leaflet(s) written to {out}, 1 clinic file problem(s)" in result.stdout
    rows = manifest_rows(out)
    assert [row["pdf"] for row in rows] == pdfs
    for row in rows:
        assert (row["language"], row["edition"], row["pages"]) == ("en", "standard", "2")
        assert row["paper"] in row["pdf"] and row["clinic_file"].endswith(row["pdf"].split("-")[0] + ".toml")
        assert row["sha256"] == hashlib.sha256((out / row["pdf"]).read_bytes()).hexdigest()


def test_shards_together_are_the_whole_batch(book, tmp_path):
    clinics = clinic_folder(tmp_path, ["North", "South", "East"], broken=False)
    whole = tmp_path / "whole"
    common = ("--build-dir", book, "--clinics", clinics, "--paper", "a4", "--paper", "letter",
              "--edition", "standard", "--edition", "large-print")
    assert run_leaflet(*common, "--jobs", "2", "--output", whole).returncode == 0
    parts = tmp_path / "parts"
    seen = []
    for part in (1, 2, 3, 4, 5):
        # Two or three leaflets a part: one worker each (a second costs its start-up, and
        # the same bytes from one worker as from two are part of what is checked).
        result = run_leaflet(*common, "--jobs", "1", "--output", parts, "--shard", f"{part}/5")
        assert result.returncode == 0, result.stderr
        seen += [row["pdf"] for row in manifest_rows(parts, f"manifest-{part}-of-5")]
    expected = [row["pdf"] for row in manifest_rows(whole)]
    assert len(expected) == 12 and sorted(seen) == expected  # each leaflet in exactly one part
    for name in expected:
        assert (parts / name).read_bytes() == (whole / name).read_bytes(), name


@pytest.mark.parametrize(("options", "message"), [
    (("--shard", "3/2"), "--shard: '3/2' must be K/N"),
    (("--shard", "one"), "--shard: 'one' must be K/N"),
    (("--jobs", "0"), "--jobs must be 1 or more"),
])
def test_bad_batch_options_are_one_line_errors(tmp_path, options, message):
    result = run_leaflet("--clinics", tmp_path, *options)
    assert result.returncode == 2 and result.stderr.strip().endswith(message) or message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


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
