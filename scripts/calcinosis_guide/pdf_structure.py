"""Repair the tagged structure WeasyPrint 70 writes, after it writes it.

A screen reader reads a PDF by its structure tree, not by its page. WeasyPrint
70 (``pdf_variant="pdf/ua-1"``) tags every box, but in ways that lose readers
and fail PDF/UA-1 (ISO 14289-1). Each fault is WeasyPrint's, and each has a
small reproduction in tests/test_pdf_structure.py that asserts it is still
there, so this module (and its one call in ``render.render_pdf``) can go when
WeasyPrint fixes them:

1. A list item holds ``Lbl`` and ``P`` with no ``LBody`` (7.2-20): the item's
   body is wrapped in an ``LBody``.
2. The structure of the page-margin boxes (our running footer) is built but
   linked to nothing, so the approval line cannot be reached. The first
   page's footer is read once, at the end of the document; the later pages'
   copies become ``/Pagination /Footer`` artifacts; text whose HTML element
   has ``data-pdf-artifact="pagination"`` (the page numbers) too, and
   ``data-pdf-artifact="continued"`` (a triage card's "Today (continued)"
   line, see ``render.lay_out``) becomes a ``/Pagination /Header`` artifact.
3. Every page and every column starts new elements: a paragraph or list
   broken by a page or column turn becomes two. Fragments of one HTML element
   are joined again, and the anonymous column boxes dissolve into their
   element.
4. The space at a soft line break is dropped from the text ("hard" "lumps"
   reads "hardlumps"): the span before such a break gets ``/ActualText`` with
   the space, where the rendered text lines up with the element's own text.
5. ``Figure`` ``BBox``es are in CSS pixels from the top left; they become PDF
   points in the page's user space.
6. Lists have no ``/ListNumbering``: it is set from the list's
   ``list-style-type``.
7. A tick box (``pdf_forms``) has no default appearance (``/DA``): a viewer
   that draws the fields itself, as poppler does when ``/NeedAppearances`` is
   set, draws no tick, so a ticked box prints empty. Each gets the usual
   ZapfDingbats check mark (``/DA``, ``/MK /CA`` and the font in ``/DR``), and
   an empty appearance for the unticked state (``/AP /N /Off``). Every
   field's ``/Rect`` is written top before bottom; it is put in the usual
   order, which a program filling the form (pdf-lib) relies on.

Which element made which structure element is not in the PDF, so the
WeasyPrint document is walked beside the structure tree, the way
``weasyprint.pdf.tags`` built it; anything unexpected stops with
``StructureMismatch`` rather than writing a wrong tree. The marked-content ids
are numbered again in content order and the parent tree is rebuilt, so the
output stays deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

# WeasyPrint draws in CSS pixels from the page's top left: 1px is 0.75pt.
PX = 0.75
ARTIFACT_ATTRIBUTE = "data-pdf-artifact"
# Its values, and the artifact subtype each becomes: page numbers are part of the
# footer; a "continued" line is a running head, repeated page furniture.
ARTIFACT_SUBTYPES = {"pagination": "/Footer", "continued": "/Header"}
LIST_NUMBERING = {
    "disc": "/Disc", "circle": "/Circle", "square": "/Square", "decimal": "/Decimal",
    "decimal-leading-zero": "/Decimal", "lower-roman": "/LowerRoman", "upper-roman": "/UpperRoman",
    "lower-alpha": "/LowerAlpha", "lower-latin": "/LowerAlpha", "upper-alpha": "/UpperAlpha",
    "upper-latin": "/UpperAlpha", "none": "/None",
}


class StructureMismatch(RuntimeError):
    """The structure tree is not the one this module expects WeasyPrint to write."""


def repair(path: Path | str, document) -> None:
    """Repair the structure of the PDF at ``path``, which WeasyPrint wrote from ``document``."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        _Repair(pdf, document).run()
        repair_form_fields(pdf)
        # deterministic_id: the file's /ID comes from its bytes, never from the time.
        pdf.save(path, deterministic_id=True, compress_streams=True)


def repair_form_fields(pdf) -> None:
    """Fault 7: field rectangles in the usual order; every tick box a default appearance (a ZapfDingbats check mark)."""
    import pikepdf

    form = pdf.Root.get("/AcroForm")
    for field in (form.get("/Fields", []) if form is not None else []):
        # WeasyPrint writes each field's /Rect top before bottom: a program filling the form
        # (pdf-lib) then lays a box of several lines out upside down, above the box, unseen.
        x0, y0, x1, y1 = (float(v) for v in field.Rect)
        field.Rect = pikepdf.Array([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)])
    ticks = [field for field in (form.get("/Fields", []) if form is not None else [])
             if field.get("/FT") == "/Btn" and "/DA" not in field]
    if not ticks:
        return
    resources = form.get("/DR")
    if resources is None:
        resources = form.DR = pikepdf.Dictionary()
    if "/Font" not in resources:
        resources.Font = pikepdf.Dictionary()
    if "/ZaDb" not in resources.Font:
        # One of the 14 standard fonts: readers carry it, so it is not embedded.
        resources.Font.ZaDb = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.ZapfDingbats))
    for field in ticks:
        field.DA = pikepdf.String("/ZaDb 0 Tf 0 g")  # size 0: the check mark fits the box
        normal = field.get("/AP", {}).get("/N")
        if normal is not None and "/Off" not in normal and "/on" in normal:
            # An empty look for the unticked state: a viewer that does not redraw the
            # fields otherwise draws a border of its own inside the printed box.
            normal.Off = pdf.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                         BBox=normal.on.BBox, Resources=pikepdf.Dictionary())
        if "/MK" not in field:
            field.MK = pikepdf.Dictionary()
        field.MK.CA = pikepdf.String("4")  # ZapfDingbats' check mark


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(obj) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and obj.get("/Type") != "/OBJR" \
        and obj.get("/Type") != "/MCR"


class _Repair:
    def __init__(self, pdf, document):
        import pikepdf

        self.pikepdf = pikepdf
        self.pdf = pdf
        self.document = document
        self.tree_root = pdf.Root.StructTreeRoot
        self.top = _kids(self.tree_root)[0]
        self.page_of = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        self.key: dict[tuple, object] = {}        # element objgen -> the HTML element it came from
        self.box: dict[tuple, object] = {}        # element objgen -> its first box
        self.text_box: dict[tuple, object] = {}   # Span objgen -> its TextBox
        self.link_boxes: dict[tuple, list] = {}   # Link objgen -> the TextBoxes it marks directly
        self.margin: dict[int, list] = {}         # page -> top elements of its margin boxes
        self.artifacts: dict[tuple[int, int], str] = {}  # (page, MCID) -> artifact subtype

    # -- which box made which element ------------------------------------
    def run(self) -> None:
        self.map_elements()
        self.footer_and_pagination()
        self.join(self.top)
        self.list_bodies_and_numbering(self.top)
        self.figure_boxes(self.top)
        self.line_end_spaces(self.top)
        self.renumber_and_rebuild_parent_tree()

    def map_elements(self) -> None:
        from weasyprint.formatting_structure import boxes

        top_kids = iter([kid for kid in _kids(self.top) if _is_element(kid)])
        listed = {kid.objgen for kid in _kids(self.top)}
        orphans: dict[int, list] = {}
        for obj in sorted(self.pdf.objects, key=lambda o: o.objgen if hasattr(o, "objgen") else (0, 0)):
            if (isinstance(obj, self.pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"
                    and "/P" in obj and obj.P.objgen == self.top.objgen and obj.objgen not in listed):
                orphans.setdefault(self.page_of[obj.Pg.objgen], []).append(obj)
        for number, page in enumerate(self.document.pages):
            page_box = page._page_box
            for produced, tag in self.produced(page_box, "/Document"):
                self.match(produced, tag, self._next(top_kids, "a page's element"))
            page_orphans = iter(orphans.get(number, []))
            for margin_box in page_box.children:
                if isinstance(margin_box, boxes.MarginBox):
                    for child in margin_box.children:
                        for produced, tag in self.produced(child, "/Document"):
                            element = self._next(page_orphans, "a margin box's element")
                            self.match(produced, tag, element)
                            self.margin.setdefault(number, []).append(element)
            if next(page_orphans, None) is not None:
                raise StructureMismatch(f"page {number + 1}: unlinked elements that no margin box made")
        if next(top_kids, None) is not None:
            raise StructureMismatch("the document has elements that no box made")

    @staticmethod
    def _next(kids, what: str):
        kid = next(kids, None)
        if kid is None:
            raise StructureMismatch(f"missing {what}")
        return kid

    def produced(self, box, parent_tag: str):
        """(box, tag) of each element ``weasyprint.pdf.tags._build_box_tree`` makes for ``box``."""
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder
        from weasyprint.pdf.tags import _get_pdf_tag

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        element_tag = None if box.element is None else box.element_tag
        tag = _get_pdf_tag(element_tag)
        if element_tag in ("html", "body") or isinstance(box, boxes.PageBox):
            if isinstance(box, boxes.ParentBox) and not isinstance(box, boxes.LineBox):
                for child in box.children:
                    yield from self.produced(child, parent_tag)
                return
        elif isinstance(box, boxes.MarginBox):
            return
        elif tag in ("TD", "TH"):
            if parent_tag in ("/TD", "/TH"):
                tag = "NonStruct"
        elif tag == "LI":
            no_bullet = box.element_tag == "li" and (
                "list-item" not in box.style["display"] or box.style["list_style_type"] == "none")
            if parent_tag == "/LI":
                tag = "LBody"
            elif parent_tag == "/LBody":
                tag = "NonStruct"
            elif box.element_tag in ("dt", "dd") or no_bullet:
                tag = "LI+LBody"
        yield box, tag

    def record(self, element, box) -> None:
        key = ("anonymous", id(box)) if box.element is None else (id(box.element), box.element_tag)
        self.key[element.objgen] = key
        self.box[element.objgen] = box

    def match(self, box, tag: str, element) -> None:
        if tag == "LI+LBody":
            if element.get("/S") != "/LI":
                raise StructureMismatch(f"expected a list item, found {element.get('/S')}")
            self.record(element, box)
            element = self._next(iter([k for k in _kids(element) if _is_element(k)]), "a list item's body")
            tag = "LBody"
        if element.get("/S") != f"/{tag}":
            raise StructureMismatch(f"expected /{tag} for <{box.element_tag}>, found {element.get('/S')}")
        self.record(element, box)
        self.match_children(box, tag, element)

    def match_children(self, box, tag: str, element) -> None:
        from weasyprint.formatting_structure import boxes

        if tag == "Table" and getattr(box, "is_table_wrapper", False):
            wrapper, table = box, box.get_wrapped_table()
            if table:
                box = table.copy_with_children([])
                for child in wrapper.children:
                    box.children.extend(child.children if child is table else [child])
        kids = iter([kid for kid in _kids(element) if _is_element(kid)])
        if getattr(box, "widget_annotation", None):
            self._next(kids, "a form element")
        for child in getattr(box, "children", ()):
            for grandchild in (child.children if isinstance(child, boxes.LineBox) else [child]):
                if isinstance(grandchild, boxes.TextBox):
                    if tag == "Link":
                        self.link_boxes.setdefault(element.objgen, []).append(grandchild)
                    else:
                        self.text_box[self._next(kids, "a text span").objgen] = grandchild
                    continue
                if grandchild.element_tag in ("ul", "ol") and tag == "LI":
                    raise StructureMismatch("a list nested in a list item (not handled here)")
                for produced, produced_tag in self.produced(grandchild, f"/{tag}"):
                    self.match(produced, produced_tag, self._next(kids, f"an element in /{tag}"))
        if next(kids, None) is not None:
            raise StructureMismatch(f"/{tag} for <{box.element_tag}> has elements no box made")

    # -- the fixes --------------------------------------------------------
    def mcids(self, element, page: int | None = None):
        """(page, MCID) of every marked-content sequence under ``element``."""
        if "/Pg" in element:
            page = self.page_of[element.Pg.objgen]
        for kid in _kids(element):
            if isinstance(kid, int):
                yield page, int(kid)
            elif isinstance(kid, self.pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                yield self.page_of[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)
            elif _is_element(kid):
                yield from self.mcids(kid, page)

    def footer_and_pagination(self) -> None:
        for number, elements in sorted(self.margin.items()):
            for element in elements:
                if number == 0:
                    self.top.K.append(element)  # read once, after the page's own content
                else:
                    for mcid in self.mcids(element):
                        self.artifacts[mcid] = "/Footer"
        self.drop_marked(self.top)

    def drop_marked(self, element) -> None:
        kept = []
        for kid in _kids(element):
            box = self.box.get(kid.objgen) if _is_element(kid) else None
            subtype = None if box is None or box.element is None else \
                ARTIFACT_SUBTYPES.get(box.element.get(ARTIFACT_ATTRIBUTE))
            if subtype is not None:
                for mcid in self.mcids(kid):
                    self.artifacts[mcid] = subtype
                continue
            if _is_element(kid):
                self.drop_marked(kid)
            kept.append(kid)
        if "/K" in element:
            element.K = self.pikepdf.Array(kept)

    def carry(self, kids: list, source, into) -> list:
        """``kids`` of ``source``, ready to be kids of ``into``: reparented, and a bare MCID
        made a marked-content reference when the two are on different pages."""
        pikepdf = self.pikepdf
        same_page = "/Pg" in into and "/Pg" in source and into.Pg.objgen == source.Pg.objgen
        carried = []
        for kid in kids:
            if isinstance(kid, int) and not same_page:
                kid = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=source.Pg, MCID=kid)
            elif _is_element(kid):
                kid.P = into
            carried.append(kid)
        return carried

    def absorb(self, into, kids: list, source) -> None:
        """Move ``kids`` of ``source`` to the end of ``into``."""
        into.K = self.pikepdf.Array(_kids(into) + self.carry(kids, source, into))

    def join(self, element) -> None:
        """Join the fragments of one HTML element: adjacent kids made from the same element,
        and kids made from the element itself (anonymous column or table boxes)."""
        queue = _kids(element)
        joined: list = []
        while queue:
            kid = queue.pop(0)
            key = self.key.get(kid.objgen) if _is_element(kid) else None
            if key is not None and key == self.key.get(element.objgen) and kid.S == element.S:
                queue[0:0] = self.carry(_kids(kid), kid, element)
                continue
            previous = joined[-1] if joined else None
            if (key is not None and previous is not None and _is_element(previous)
                    and self.key.get(previous.objgen) == key and previous.S == kid.S):
                self.absorb(previous, _kids(kid), kid)
                continue
            joined.append(kid)
        if "/K" in element:
            element.K = self.pikepdf.Array(joined)
        for kid in joined:
            if _is_element(kid):
                self.join(kid)

    def list_bodies_and_numbering(self, element) -> None:
        pikepdf = self.pikepdf
        for kid in _kids(element):
            if _is_element(kid):
                self.list_bodies_and_numbering(kid)
        if element.S == "/LI":
            kids = _kids(element)
            labels = [kid for kid in kids if _is_element(kid) and kid.S == "/Lbl"]
            body = [kid for kid in kids if not (_is_element(kid) and kid.S in ("/Lbl", "/LBody"))]
            if body:
                lbody = self.pdf.make_indirect(pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, P=element, K=pikepdf.Array()))
                if "/Pg" in element:
                    lbody.Pg = element.Pg
                self.absorb(lbody, body, element)
                bodies = [kid for kid in kids if _is_element(kid) and kid.S == "/LBody"]
                element.K = pikepdf.Array(labels + bodies + [lbody])
        elif element.S == "/L":
            box = self.box.get(element.objgen)
            style = box.style["list_style_type"] if box is not None else None
            numbering = LIST_NUMBERING.get(style) if isinstance(style, str) else None
            if numbering is None:
                # A string or symbols() marker: the label carries it, nothing to number.
                numbering = "/None"
            element.A = pikepdf.Dictionary(O=pikepdf.Name.List, ListNumbering=pikepdf.Name(numbering))

    def figure_boxes(self, element) -> None:
        for kid in _kids(element):
            if _is_element(kid):
                self.figure_boxes(kid)
        attributes = element.get("/A")
        if element.S != "/Figure" or attributes is None or "/BBox" not in attributes or "/Pg" not in element:
            return
        x1, y1, x2, y2 = (float(v) for v in attributes.BBox)
        page = self.pdf.pages[self.page_of[element.Pg.objgen]]
        top = float(page.mediabox[3])
        attributes.BBox = self.pikepdf.Array([round(x1 * PX, 3), round(top - y2 * PX, 3),
                                              round(x2 * PX, 3), round(top - y1 * PX, 3)])

    def line_end_spaces(self, element) -> None:
        from weasyprint.formatting_structure import boxes

        box = self.box.get(element.objgen)
        if box is not None and box.element is not None and any(
                isinstance(child, boxes.LineBox) for child in getattr(box, "children", ())):
            self.restore_spaces(element, box.element)
        for kid in _kids(element):
            if _is_element(kid):
                self.line_end_spaces(kid)

    def runs(self, element):
        """(element, text) of the text under ``element`` in reading order: Spans, and Links
        as one run; generated text (list markers, page numbers) left out."""
        for kid in _kids(element):
            if not _is_element(kid):
                continue
            if kid.objgen in self.text_box:
                text_box = self.text_box[kid.objgen]
                if "::" not in (text_box.element_tag or ""):
                    yield kid, text_box.text
            elif kid.S == "/Link":
                yield kid, "".join(box.text for box in self.link_boxes.get(kid.objgen, ()))
            elif kid.S != "/Lbl":
                yield from self.runs(kid)

    def restore_spaces(self, element, html_element) -> None:
        """Give the run before each soft line break its space back (as /ActualText)."""
        source = re.sub(r"[ \t\n\r\f]+", " ", "".join(html_element.itertext())).strip()
        position, previous, changes = 0, None, []

        def fits(candidate: str) -> bool:
            # The last run may end in the space before CSS-generated text that the source lacks.
            return source.startswith(candidate, position) or source[position:] == candidate.rstrip()

        for run, text in self.runs(element):
            if not text:
                continue
            if fits(text):
                position += len(text)
            elif fits(" " + text) and previous is not None and previous[0].S == "/Span":
                changes.append((previous[0], previous[1] + " "))
                position += 1 + len(text)
            else:
                # Rendered text that is not the element's own (a page number drawn by
                # CSS, say): the spaces found before it are right, nothing after it is touched.
                break
            previous = (run, text)
        for run, actual in changes:
            run.ActualText = self.pikepdf.String(actual)

    # -- marked content and the parent tree ---------------------------------
    def renumber_and_rebuild_parent_tree(self) -> None:
        pikepdf = self.pikepdf
        owner: dict[tuple[int, int], object] = {}
        annotations: dict[int, object] = {}

        def collect(element):
            for page_mcid in self.mcids_here(element):
                owner[page_mcid] = element
            for kid in _kids(element):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    annotations[int(kid.Obj.StructParent)] = element
                elif _is_element(kid):
                    collect(kid)

        collect(self.top)
        renumbered: dict[tuple[int, int], int] = {}
        nums = pikepdf.Array()
        for number, page in enumerate(self.pdf.pages):
            instructions = []
            order = []
            for operands, operator in pikepdf.parse_content_stream(page):
                if operator == pikepdf.Operator("BDC") and len(operands) == 2 and \
                        isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = (number, int(operands[1].MCID))
                    if mcid in self.artifacts:
                        operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(
                            Type=pikepdf.Name.Pagination, Subtype=pikepdf.Name(self.artifacts[mcid]))]
                    elif mcid in owner:
                        renumbered[mcid] = len(order)
                        order.append(owner[mcid])
                        operands = [operands[0], pikepdf.Dictionary(MCID=renumbered[mcid])]
                    else:
                        raise StructureMismatch(f"page {number + 1}: MCID {mcid[1]} belongs to no element")
                instructions.append(pikepdf.ContentStreamInstruction(operands, operator))
            page.obj.Contents = self.pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            page.obj.StructParents = number
            nums.append(number)
            nums.append(pikepdf.Array(order))
        self.renumber(self.top, renumbered)
        for key in sorted(annotations):
            nums.append(key)
            nums.append(annotations[key])
        self.tree_root.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.tree_root.ParentTreeNextKey = max([len(self.pdf.pages) - 1, *annotations]) + 1

    def mcids_here(self, element):
        """(page, MCID) of the marked content that is ``element``'s own kid."""
        page = self.page_of[element.Pg.objgen] if "/Pg" in element else None
        for kid in _kids(element):
            if isinstance(kid, int):
                yield page, int(kid)
            elif isinstance(kid, self.pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                yield (self.page_of[kid.Pg.objgen] if "/Pg" in kid else page), int(kid.MCID)

    def renumber(self, element, renumbered) -> None:
        pikepdf = self.pikepdf
        page = self.page_of[element.Pg.objgen] if "/Pg" in element else None
        kids = []
        for kid in _kids(element):
            if isinstance(kid, int):
                kid = renumbered[(page, int(kid))]
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                kid_page = self.page_of[kid.Pg.objgen] if "/Pg" in kid else page
                kid.MCID = renumbered[(kid_page, int(kid.MCID))]
            elif _is_element(kid):
                self.renumber(kid, renumbered)
            kids.append(kid)
        if "/K" in element:
            element.K = pikepdf.Array(kids)
