"""Chromium's own PDF viewer (headless) shows the fillable leaflet's fields and what was typed in them.

The viewer is a browser extension drawing with PDFium on a canvas the page
cannot read, so the check is by screenshot: the same page of the empty and
the filled form (typed values, one tick) must differ, in the form's part of
the page only.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from calcinosis_guide.audit import serve
from test_fillable import fill
from web.walk import chromium
from web.webpages import ROOT

pytestmark = pytest.mark.browser


def test_chromiums_pdf_viewer_draws_the_typed_values_of_the_fillable_edition(book, tmp_path):
    from PIL import Image, ImageChops

    html = book / "html"
    empty = html / "leaflet" / "calcinosis-leaflet-en-a4-fillable.pdf"
    fill(empty, html / "leaflet" / "filled-for-test.pdf")
    config = {"chrome": chromium(), "settleMs": 6000, "out": str(tmp_path / "viewer.json"), "pdfs": []}
    with serve(html) as base:
        for name in ("calcinosis-leaflet-en-a4-fillable", "filled-for-test"):
            # Page 2 holds the form; the viewer's own toolbar stays out of the comparison.
            config["pdfs"].append({"url": f"{base}leaflet/{name}.pdf#page=2&toolbar=0&zoom=100",
                                   "screenshot": str(tmp_path / f"{name}.png")})
        (tmp_path / "config.json").write_text(json.dumps(config))
        result = subprocess.run(["node", str(Path(__file__).with_name("pdf_viewer.mjs")), str(tmp_path / "config.json")],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert all(opened["viewer"] for opened in json.loads((tmp_path / "viewer.json").read_text()))
    shots = [Image.open(pdf["screenshot"]).convert("L") for pdf in config["pdfs"]]
    changed = ImageChops.difference(*shots).getbbox()
    assert changed is not None, "the viewer drew nothing of what was typed"
    # What changed lies in the lower part of the page, where the form is, not in the text above.
    assert changed[1] > shots[0].height * 0.3, changed
