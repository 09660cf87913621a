"""What veraPDF does not see: the structure a screen reader walks, measured from the PDFs.

Each check reads the files (pikepdf for the structure tree, pdfplumber for what
each marked-content sequence draws) of every edition. The last part renders a
tiny document with WeasyPrint alone and asserts that each fault
``calcinosis_guide.pdf_structure`` repairs is still WeasyPrint's: when one of
those tests fails, WeasyPrint fixed it, and the matching repair can go.
"""

from __future__ import annotations

import base64
import json
import re
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from leaflet_editions import png

EDITIONS = ["a4", "letter", "a4-large-print", "letter-large-print",
            "a4-fillable", "letter-fillable", "a4-large-print-fillable", "letter-large-print-fillable",
            "clinic-svg-a4", "clinic-svg-letter-large-print", "clinic-png-a4"]


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class Tagged:
    """A tagged PDF as a screen reader sees it: the structure tree and the text of each element."""

    def __init__(self, path: Path):
        self.path = path
        self.pdf = pikepdf.open(path)
        self.page_of = {page.obj.objgen: number for number, page in enumerate(self.pdf.pages)}
        self.drawn = defaultdict(str)     # (page, MCID) -> text it draws
        self.objects = defaultdict(list)  # (page, MCID) -> what it draws (pdfplumber objects)
        self.artifact_text = {}           # page -> text drawn as artifact
        self.content_mcids = set()        # (page, MCID) in the content streams
        with pdfplumber.open(path) as plumber:
            self.page_size = [(page.width, page.height) for page in plumber.pages]
            for number, page in enumerate(plumber.pages):
                for char in page.chars:
                    if char["mcid"] is not None:
                        self.drawn[(number, char["mcid"])] += char["text"]
                for obj in page.chars + page.rects + page.curves + page.lines + page.images:
                    if obj.get("mcid") is not None:
                        self.objects[(number, obj["mcid"])].append(obj)
                        self.content_mcids.add((number, obj["mcid"]))
                self.artifact_text[number] = "".join(c["text"] for c in page.chars if c["tag"] == "Artifact")
        self.root = self.pdf.Root.StructTreeRoot

    @staticmethod
    def kids(element) -> list:
        kids = element.get("/K")
        if kids is None:
            return []
        return list(kids) if isinstance(kids, pikepdf.Array) else [kids]

    @staticmethod
    def is_element(obj) -> bool:
        return isinstance(obj, pikepdf.Dictionary) and "/S" in obj

    def elements(self, element=None):
        """Every element reachable from the StructTreeRoot, in reading order."""
        for kid in self.kids(self.root if element is None else element):
            if self.is_element(kid):
                yield kid
                yield from self.elements(kid)

    def mcids(self, element) -> list[tuple[int, int]]:
        """(page, MCID) of the marked content that is ``element``'s own."""
        page = self.page_of.get(element.Pg.objgen) if "/Pg" in element else None
        found = []
        for kid in self.kids(element):
            if isinstance(kid, int):
                found.append((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                found.append((self.page_of[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)))
        return found

    def all_mcids(self, element) -> list[tuple[int, int]]:
        found = self.mcids(element)
        for kid in self.kids(element):
            if self.is_element(kid):
                found += self.all_mcids(kid)
        return found

    def text(self, element=None) -> str:
        """The text a reader gets from the structure: ActualText where there is one."""
        if element is not None and "/ActualText" in element:
            return str(element.ActualText)
        parts = []
        page = self.page_of.get(element.Pg.objgen) if element is not None and "/Pg" in element else None
        for kid in self.kids(self.root if element is None else element):
            if isinstance(kid, int):
                parts.append(self.drawn[(page, int(kid))])
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                parts.append(self.drawn[(self.page_of[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID))])
            elif self.is_element(kid):
                parts.append(self.text(kid))
        return "".join(parts)

    def parent_tree(self) -> dict:
        """Key -> the parent tree's value (an array for a page, an element for an annotation)."""
        nums = self.root.ParentTree.Nums
        return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}

    def of(self, tag: str) -> list:
        return [element for element in self.elements() if element.S == tag]


@pytest.fixture(scope="session")
def tagged(pdf_editions):
    files = pdf_editions
    return {name: Tagged(files[name]) for name in EDITIONS}


@pytest.fixture(scope="session")
def handover(book) -> dict:
    return json.loads((book / "leaflet-content" / "en.json").read_text(encoding="utf-8"))


def passages_soup(handover, edition: str = ""):
    """The passages' HTML, in the order the edition prints them."""
    from bs4 import BeautifulSoup

    from calcinosis_guide.render import reading_order_for

    passages = reading_order_for(handover["passages"], "large-print" in edition)
    return BeautifulSoup("".join(p["html"] for p in passages), "html.parser")


# -- every element reachable, footer read, page numbers artifacts -------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_every_structure_element_is_reachable_from_the_struct_tree_root(tagged, edition):
    doc = tagged[edition]
    reachable = {element.objgen for element in doc.elements()}
    in_file = {obj.objgen for obj in doc.pdf.objects
               if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"}
    assert in_file == reachable
    for element in doc.elements():  # each names its real parent
        for kid in doc.kids(element):
            if doc.is_element(kid):
                assert kid.P.objgen == element.objgen
    # Every marked-content sequence drawn belongs, through the parent tree, to a reachable element that lists it.
    tree = doc.parent_tree()
    for page_number, page in enumerate(doc.pdf.pages):
        mapped = tree[int(page.obj.StructParents)]
        for _, mcid in sorted(m for m in doc.content_mcids if m[0] == page_number):
            owner = mapped[mcid]
            assert owner.objgen in reachable
            assert (page_number, mcid) in doc.mcids(owner)


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_footer_is_read_once_with_the_approval_line(tagged, handover, edition):
    text = collapse(tagged[edition].text())
    approval = ("Approved for local use by Patient Information Group on 2026-11-20 (ref. PIL-RKU-0042)."
                if edition.startswith("clinic-svg") else "This leaflet has not been approved for local use")
    assert text.count(approval) == 1
    assert text.count(handover["review"]["clinical"]) == 1
    assert text.count("Licence: CC BY 4.0") == 1
    assert text.rstrip().endswith("Licence: CC BY 4.0 ·")  # after everything on the pages


@pytest.mark.parametrize("edition", EDITIONS)
def test_page_numbers_and_repeated_footers_are_pagination_artifacts(tagged, handover, edition):
    doc = tagged[edition]
    pages = len(doc.pdf.pages)
    assert not re.search(r"Page \d+ of \d+", doc.text())
    for number, page in enumerate(doc.pdf.pages):
        artifact = collapse(doc.artifact_text[number])
        if number == 0:
            assert artifact == f"Page 1 of {pages}"  # the only text the first page draws as an artifact
        else:
            # A footer line that wraps is drawn as two runs, with no space between them.
            assert handover["review"]["clinical"].replace(" ", "") in artifact.replace(" ", "")
            assert f"Page {number + 1} of {pages}" in artifact
        kinds = [operands[1] for operands, operator in pikepdf.parse_content_stream(page)
                 if operator == pikepdf.Operator("BDC") and operands[0] == "/Artifact"]
        assert kinds and all(k.Type == "/Pagination" and k.Subtype in ("/Footer", "/Header") for k in kinds)
        # A running head only where a triage card runs on: its "Today (continued)" line (test_page_breaks.py).
        if any(k.Subtype == "/Header" for k in kinds):
            label = re.escape(handover["labels"]["continued"].replace(" ", "")).replace(re.escape("{level}"), r"\w+")
            assert re.search(label, artifact.replace(" ", "")), artifact


# -- figures, lists ----------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_figure_bboxes_are_in_pdf_points_around_what_the_figure_draws(tagged, edition):
    doc = tagged[edition]
    figures = doc.of("/Figure")
    assert len(figures) == (2 if edition.startswith("clinic") else 1)
    for figure in figures:
        x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
        page = doc.all_mcids(figure)[0][0]
        width, height = doc.page_size[page]
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        drawn = [obj for mcid in doc.all_mcids(figure) for obj in doc.objects[mcid]]
        assert drawn
        for obj in drawn:  # pdfplumber's y0/y1 are PDF coordinates, from the bottom
            assert x1 - 0.5 <= obj["x0"] and obj["x1"] <= x2 + 0.5, (obj["x0"], obj["x1"], x1, x2)
            assert y1 - 0.5 <= obj["y0"] and obj["y1"] <= y2 + 0.5, (obj["y0"], obj["y1"], y1, y2)
        images = [obj for obj in drawn if obj["object_type"] == "image"]
        for image in images:  # a bitmap logo fills its box
            assert [round(v, 1) for v in (image["x0"], image["y0"], image["x1"], image["y1"])] == \
                   [round(v, 1) for v in (x1, y1, x2, y2)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_list_items_hold_a_label_and_a_body_and_lists_say_how_they_are_numbered(tagged, handover, edition):
    doc = tagged[edition]
    numbering = []
    for element in doc.of("/L"):
        labels = []
        for item in doc.kids(element):
            assert item.S == "/LI"
            kinds = [kid.S for kid in doc.kids(item)]
            assert kinds == ["/Lbl", "/LBody"]
            labels.append(collapse(doc.text(doc.kids(item)[0])))
        expected = "/Decimal" if labels == [f"{n}." for n in range(1, len(labels) + 1)] else "/Disc"
        assert expected == "/Decimal" or set(labels) == {"•"}
        assert element.A.O == "/List" and element.A.ListNumbering == expected
        numbering.append(expected)
    lists = passages_soup(handover, edition).find_all(["ul", "ol"])
    assert numbering == ["/Decimal" if tag.name == "ol" else "/Disc" for tag in lists]


# -- text read by structure: spaces, paragraphs and lists in one piece -------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_structure_text_keeps_the_space_at_each_line_end(tagged, edition):
    text = tagged[edition].text()
    assert "hard lumps of calcium" in text
    assert "hardlumps" not in text
    # Every paragraph of the passages reads as written: see the next test.


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_paragraph_is_one_element_with_its_whole_text(tagged, handover, edition):
    doc = tagged[edition]
    paragraphs = [collapse(p.get_text()) for p in passages_soup(handover, edition).find_all("p")]
    texts = [collapse(doc.text(element)) for element in doc.of("/P")]
    for paragraph in paragraphs:
        assert texts.count(paragraph) == 1, paragraph
    # The layout never turns the page inside a paragraph (the repair joining such
    # a paragraph is tested on its own, below).
    broken = [collapse(doc.text(p)) for p in doc.of("/P") if len({page for page, _ in doc.all_mcids(p)}) > 1]
    assert broken == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_list_is_one_element_with_all_its_items(tagged, handover, edition):
    doc = tagged[edition]
    lists = [[collapse(li.get_text()) for li in tag.find_all("li")]
             for tag in passages_soup(handover, edition).find_all(["ul", "ol"])]
    found = [[collapse(doc.text(doc.kids(item)[1])) for item in doc.kids(element)] for element in doc.of("/L")]
    assert found == lists


# -- links ---------------------------------------------------------------------------

@pytest.mark.parametrize("edition", EDITIONS)
def test_web_address_email_website_and_form_fields_are_tagged_annotations(tagged, handover, edition):
    doc = tagged[edition]
    tree = doc.parent_tree()
    targets = {}
    widgets = set()
    reachable = {element.objgen for element in doc.elements()}
    for page in doc.pdf.pages:
        annotations = list(page.obj.get("/Annots", []))
        if annotations:
            assert page.obj.Tabs == "/S"
        for annotation in annotations:
            element = tree[int(annotation.StructParent)]
            assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                       and k.Obj.objgen == annotation.objgen for k in doc.kids(element))
            assert element.objgen in reachable
            if annotation.Subtype == "/Widget":  # a field of the fillable edition, in a Form element
                assert element.S == "/Form" and str(annotation.TU).strip()
                widgets.add(str(annotation.T))
                continue
            assert annotation.Subtype == "/Link"
            assert str(annotation.Contents).strip()
            assert element.S == "/Link"
            targets[str(annotation.A.URI)] = collapse(doc.text(element))
    from calcinosis_guide.render import FORM_FIELDS

    assert widgets == (set(FORM_FIELDS) if edition.endswith("fillable") else set())
    base_url = handover["book"]["base_url"]
    expected = {base_url: base_url.split("://", 1)[1].rstrip("/")}
    if edition.startswith("clinic-svg"):
        expected |= {"mailto:kidney.unit@example.org": "kidney.unit@example.org",
                     "https://www.example.org/kidney-unit": "https://www.example.org/kidney-unit"}
    elif edition == "clinic-png-a4":
        expected |= {"mailto:team@example.org": "team@example.org",
                     "https://www.example.org/renal": "https://www.example.org/renal"}
    assert targets == expected


# -- reproducible -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "options"), [("clinic-svg-a4", ["--paper", "a4"]),
                                              ("clinic-svg-letter-large-print", ["--paper", "letter", "--large-print"])])
def test_a_clinic_edition_rendered_twice_is_byte_identical_with_no_time_of_building(book, pdf_editions, tmp_path,
                                                                                     name, options):
    from conftest import run_leaflet
    from leaflet_editions import EXAMPLE_CLINIC

    again = tmp_path / "again.pdf"
    result = run_leaflet("--build-dir", book, "--clinic", EXAMPLE_CLINIC, *options, "--output", again)
    assert result.returncode == 0, result.stderr
    # The other came from a batch (conftest's handout): one clinic alone gives the same bytes,
    # so what the PDF tests find in the batch's editions holds for a clinic's own.
    assert again.read_bytes() == pdf_editions[name].read_bytes()
    with pikepdf.open(again) as pdf:
        edition = json.loads((book / "leaflet-content" / "en.json").read_text())["review"]["last_reviewed"]["iso"]
        dates = [str(pdf.docinfo[key]) for key in ("/CreationDate", "/ModDate") if key in pdf.docinfo]
        assert dates and all(date.startswith("D:" + edition.replace("-", "")) for date in dates)
        xmp_dates = re.findall(r"Date>([^<]+)<", str(pdf.open_metadata()))
        assert all(date.startswith(edition) for date in xmp_dates)


# -- WeasyPrint's faults, reproduced small --------------------------------------------

DOT = base64.b64encode(png(4, 4)).decode()
TINY = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Tiny</title><style>
@page {{ size: 70mm 50mm; margin: 5mm 5mm 12mm; @bottom-left {{ content: element(foot); width: 100% }} }}
footer {{ position: running(foot); font-size: 7pt }}
body {{ font-size: 10pt; line-height: 1.3; margin: 0 }}
a {{ color: inherit; text-decoration: none }}
.pn::after {{ content: "Page " counter(page) }}
img {{ width: 8mm; height: 8mm; display: block; margin-left: 20mm }}
</style></head><body>
<footer><p>Footer line <span class="pn" data-pdf-artifact="pagination"></span></p></footer>
<ol><li><p>first item</p></li><li><p>second item</p></li></ol>
<img src="data:image/png;base64,{DOT}" alt="A dot">
<p>{" ".join(f"word{n}" for n in range(60))}</p>
<p><a href="https://example.org/">example.org</a></p>
</body></html>"""
LONG = " ".join(f"word{n}" for n in range(60))


def tiny_pdf(folder: Path, repaired: bool) -> Tagged:
    import weasyprint

    from calcinosis_guide import pdf_structure

    document = weasyprint.HTML(string=TINY).render(pdf_variant="pdf/ua-1")
    path = folder / ("repaired.pdf" if repaired else "weasyprint.pdf")
    document.write_pdf(path, pdf_variant="pdf/ua-1")
    if repaired:
        pdf_structure.repair(path, document)
    return Tagged(path)


def unreachable_elements(doc: Tagged) -> bool:
    reachable = {element.objgen for element in doc.elements()}
    tree = doc.parent_tree()
    return any(owner.objgen not in reachable for page in doc.pdf.pages
               for owner in tree[int(page.obj.StructParents)] if isinstance(owner, pikepdf.Dictionary))


def figure_box_is_off(doc: Tagged) -> bool:
    figure, = doc.of("/Figure")
    x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
    image, = [obj for mcid in doc.all_mcids(figure) for obj in doc.objects[mcid]]
    return max(abs(a - b) for a, b in zip((x1, y1, x2, y2), (image["x0"], image["y0"], image["x1"], image["y1"]))) > 0.5


FAULTS = {
    "list item without LBody": lambda doc: any(
        [kid.S for kid in doc.kids(item)] != ["/Lbl", "/LBody"] for item in doc.of("/LI")),
    "footer elements unreachable": unreachable_elements,
    "page number tagged as text": lambda doc: "Page 1" not in doc.artifact_text[0],
    "paragraph split in two at a page turn": lambda doc: sum(
        collapse(doc.text(p)).startswith("word") for p in doc.of("/P")) > 1,
    "space lost at a line end": lambda doc: LONG not in collapse(doc.text()),
    "figure bbox in CSS pixels": figure_box_is_off,
    "list without ListNumbering": lambda doc: any("/A" not in element for element in doc.of("/L")),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    return {"weasyprint": tiny_pdf(folder, repaired=False), "repaired": tiny_pdf(folder, repaired=True)}


def test_the_tiny_document_turns_a_page_inside_its_long_paragraph(tiny):
    assert len(tiny["weasyprint"].pdf.pages) >= 2


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_weasyprint_still_has_the_fault_that_pdf_structure_repairs(tiny, fault):
    assert FAULTS[fault](tiny["weasyprint"]), f"WeasyPrint no longer has '{fault}': drop its repair"


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_pdf_structure_repairs_the_fault(tiny, fault):
    assert not FAULTS[fault](tiny["repaired"])


def test_repair_refuses_a_structure_it_does_not_recognise(tmp_path):
    import weasyprint

    from calcinosis_guide import pdf_structure

    document = weasyprint.HTML(string=TINY).render(pdf_variant="pdf/ua-1")
    other = weasyprint.HTML(string=TINY.replace("<ol>", "<ul><li>extra</li></ul><ol>")).render(pdf_variant="pdf/ua-1")
    path = tmp_path / "tiny.pdf"
    other.write_pdf(path, pdf_variant="pdf/ua-1")
    before = path.read_bytes()
    with pytest.raises(pdf_structure.StructureMismatch):
        pdf_structure.repair(path, document)  # the tree of another document
    assert path.read_bytes() == before
