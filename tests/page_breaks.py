"""Where a leaflet's text turns a page or a column, measured from the PDF.

The PDF's tagged structure (repaired by calcinosis_guide.pdf_structure, so
one HTML element is one structure element even where a page or column turn
splits it) says which paragraph, list item, list, heading and triage card
each glyph belongs to; pdfplumber says where each glyph is drawn. Together
they give the leaflet's text lines in reading order, and every place where
the reading goes on at the top of a new page or column: a *turn*. The rules
of standards.md L6 are checked at each turn:

1. no paragraph broken mid-sentence (the line before the turn ends a sentence);
2. no list split leaving one item alone on either side, no list item split;
3. no heading without two lines of text after it in its page or column;
4. no web address broken (at its hyphen or anywhere), no postcode split;
5. a triage card that runs on shows its level at the top of the continuation
   ("Today (continued)"), and no such label stands anywhere else.

Nothing here knows the stylesheet: the checks read only the PDF (and, for
rule 4, the addresses that should be printed, and for rule 5 the label's
wording from the hand-over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

MM = 72 / 25.4
# Structure types that sit inside a line; any other element holding text is that text's block.
INLINE = {"/Span", "/Link", "/Strong", "/Em", "/Code", "/Quote", "/Reference", "/Form", "/Annot", "/NonStruct"}
HEADINGS = {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}
SENTENCE_END = re.compile(r"[.!?:]['\"\u201d\u2019)\]]*$")
# Text a web or email address is made of, either side of a line end.
ADDRESS_PART = re.compile(r"[\w@.:/%~+-]+$")
ADDRESS_PART_START = re.compile(r"[\w@.:/%~+-]+")


@dataclass
class Line:
    """One line of one block (paragraph or heading), as printed."""

    page: int  # 0-based
    baseline: float  # from the page's top, in points
    x0: float
    text: str
    block: int  # the structure element's index in reading order
    tag: str  # its structure type: /P, /H2, ...
    element: tuple  # its objgen
    ancestors: tuple  # (type, objgen) of every element above it, the nearest last
    chars: list = field(default_factory=list, repr=False)

    def nearest(self, *types: str):
        return next((objgen for kind, objgen in reversed(self.ancestors) if kind in types), None)

    @property
    def in_main(self) -> bool:
        return any(kind == "/Part" for kind, _ in self.ancestors)


@dataclass
class Turn:
    """The reading goes on from ``before`` (the last line of a page or column) to ``after``."""

    before: Line
    after: Line
    kind: str  # "page" | "column"

    def where(self) -> str:
        return (f"{self.kind} turn after page {self.before.page + 1}: "
                f"...{self.before.text[-40:]!r} / {self.after.text[:40]!r}...")


class Layout:
    """A leaflet PDF's text lines in reading order, and its page and column turns."""

    def __init__(self, path: Path, footer_height: float):
        import pdfplumber
        import pikepdf

        self.path = Path(path)
        pdf = pikepdf.open(self.path)
        page_of = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        self.element_text: dict[tuple, str] = {}
        self.kids: dict[tuple, list] = {}
        # (page, MCID) -> (block index, block type, ancestors), in reading order
        owner: dict[tuple[int, int], tuple] = {}
        order: list[tuple[int, int]] = []
        markers: set[tuple[int, int]] = set()

        def marks(element, page):
            if "/Pg" in element:
                page = page_of[element.Pg.objgen]
            for kid in kids_of(element):
                if isinstance(kid, int):
                    yield page, int(kid)
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    yield (page_of[kid.Pg.objgen] if "/Pg" in kid else page), int(kid.MCID)
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    yield from marks(kid, page)

        def kids_of(element):
            kids = element.get("/K")
            if kids is None:
                return []
            return list(kids) if isinstance(kids, pikepdf.Array) else [kids]

        block_of: dict[tuple, tuple] = {}

        def block(ancestors):
            """The deepest element above a marked-content sequence that is not inline:
            its paragraph, heading or list item body."""
            for position in range(len(ancestors) - 1, -1, -1):
                kind, objgen = ancestors[position]
                if kind not in INLINE:
                    if objgen not in block_of:
                        block_of[objgen] = (len(block_of), kind, ancestors[:position], objgen)
                    return block_of[objgen]
            return None

        def walk(element, page, ancestors):
            if "/Pg" in element:
                page = page_of[element.Pg.objgen]
            kind = str(element.get("/S"))
            chain = ancestors + ((kind, element.objgen),)
            if kind == "/Lbl":  # list markers: drawn apart from the text, not part of a line's words
                markers.update(mark for mark in marks(element, page))
                return
            for kid in kids_of(element):
                mark = None
                if isinstance(kid, int):
                    mark = (page, int(kid))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    mark = (page_of[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.get("/Type") not in ("/OBJR", "/MCR"):
                    self.kids.setdefault(element.objgen, []).append((str(kid.S), kid.objgen))
                    walk(kid, page, chain)
                if mark is not None and block(chain) is not None:
                    owner[mark] = block(chain)
                    order.append(mark)

        for top in kids_of(pdf.Root.StructTreeRoot):
            walk(top, None, ())
        chars: dict[tuple[int, int], list] = {}
        self.artifact_chars: list[dict] = []
        with pdfplumber.open(self.path) as plumber:
            self.page_sizes = [(page.width, page.height) for page in plumber.pages]
            for number, page in enumerate(plumber.pages):
                body_bottom = page.height - footer_height
                for char in page.chars:
                    if char["top"] >= body_bottom:
                        continue  # the running footer
                    if (number, char.get("mcid")) in markers:
                        continue
                    if char.get("mcid") is None or (number, char["mcid"]) not in owner:
                        if char["text"].strip():
                            self.artifact_chars.append({**char, "page": number})
                        continue
                    chars.setdefault((number, char["mcid"]), []).append(char)
        self.lines: list[Line] = []
        for key in order:
            index, kind, ancestors, objgen = owner[key]
            for char in chars.get(key, []):
                baseline = char["top"] + (char["bottom"] - char["top"]) * 0.8
                last = self.lines[-1] if self.lines else None
                if (last is None or last.block != index or last.page != key[0]
                        or abs(last.baseline - baseline) > 0.3 * char["size"]):
                    last = Line(key[0], baseline, char["x0"], "", index, kind, objgen, ancestors)
                    self.lines.append(last)
                if last.chars and char["x0"] - last.chars[-1]["x1"] > 0.2 * char["size"] and not last.text.endswith(" "):
                    last.text += " "
                last.text += char["text"]
                last.chars.append(char)
        for line in self.lines:
            line.text = line.text.replace("\u00a0", " ").strip()
        self.lines = [line for line in self.lines if line.text]
        self.turns = self._turns()

    def _turns(self) -> list[Turn]:
        turns = []
        for before, after in zip(self.lines, self.lines[1:]):
            if after.page != before.page:
                turns.append(Turn(before, after, "page"))
            elif (before.in_main and after.in_main and after.baseline < before.baseline + 1
                  and after.x0 > before.x0 + 20 * MM):  # the next column: up (or level) and to the right
                turns.append(Turn(before, after, "column"))
        return turns

    def region_of(self, index: int) -> int:
        """Which page or column the line at ``index`` is in (counted in reading order)."""
        starts = [self.lines.index(turn.after) for turn in self.turns]
        return sum(1 for start in starts if start <= index)

    # -- the rules ---------------------------------------------------------
    def mid_sentence_breaks(self) -> list[str]:
        """Rule 1: a paragraph (or heading) that a turn splits must be split at the end of a sentence."""
        return [f"paragraph broken mid-sentence at the {turn.where()}" for turn in self.turns
                if turn.before.block == turn.after.block and not SENTENCE_END.search(turn.before.text)]

    def list_splits(self) -> list[str]:
        """Rule 2: a list a turn splits keeps at least two items on each side; no item is split."""
        faults = []
        for turn in self.turns:
            item_before, item_after = turn.before.nearest("/LI"), turn.after.nearest("/LI")
            if item_before is not None and item_before == item_after:
                faults.append(f"list item split at the {turn.where()}")
                continue
            the_list = turn.before.nearest("/L")
            if the_list is None or the_list != turn.after.nearest("/L"):
                continue
            start = self.lines.index(turn.after)
            items = [line.nearest("/LI") for line in self.lines if line.nearest("/L") == the_list]
            lines = [index for index, line in enumerate(self.lines) if line.nearest("/L") == the_list]
            before = {item for item, index in zip(items, lines) if index < start}
            after = {item for item, index in zip(items, lines) if index >= start}
            if len(before) < 2 or len(after) < 2:
                faults.append(f"list split {len(before)} + {len(after)} items at the {turn.where()}")
        return faults

    def stranded_headings(self) -> list[str]:
        """Rule 3: every heading has two lines of text after it in its own page or column
        (or all there are, if fewer follow it in the whole leaflet)."""
        faults = []
        regions = [self.region_of(index) for index in range(len(self.lines))]
        for index, line in enumerate(self.lines):
            if line.tag not in HEADINGS or (index and self.lines[index - 1].block == line.block):
                continue
            text_after = [i for i in range(index + 1, len(self.lines)) if self.lines[i].tag not in HEADINGS]
            needed = min(2, len(text_after))
            here = [i for i in text_after if regions[i] == regions[index]]
            if len(here) < needed:
                faults.append(f"heading {line.text!r} on page {line.page + 1} has {len(here)} line(s) "
                              f"of text after it before the page or column turns")
        return faults

    def broken_addresses(self, whole: list[str]) -> list[str]:
        """Rule 4: each of ``whole`` (web and email addresses, postcodes) is printed on one line,
        and no line ends inside something that looks like a web address."""
        faults = []
        texts = [line.text for line in self.lines]
        for expected in whole:
            if not any(expected in text for text in texts):
                faults.append(f"{expected!r} is not printed whole on one line")
        for before, after in zip(self.lines, self.lines[1:]):
            if before.block != after.block or before.page != after.page:
                continue
            tail, head = ADDRESS_PART.search(before.text), ADDRESS_PART_START.match(after.text)
            if not tail or not head:
                continue
            tail, head = tail.group(0), head.group(0)
            # "calcinosis-" / "cutis-guide.org": a hyphen at the line end, a domain after it;
            # "www.example." / "org" or "example.org/" / "renal": a break inside an address.
            at_hyphen = tail.endswith("-") and re.search(r"\w\.\w", tail + head)
            inside = tail[-1] in "./@:" and re.search(r"[./@:]", tail[:-1]) and re.match(r"\w", head)
            if at_hyphen or inside:
                faults.append(f"address broken across lines on page {before.page + 1}: {tail!r} / {head!r}")
        return faults

    def card_of(self, line: Line):
        """The triage card (a structure element whose first element is an H3) that ``line`` is in."""
        for kind, objgen in reversed(line.ancestors):
            kids = self.kids.get(objgen, [])
            if kids and kids[0][0] == "/H3":
                return objgen
        return None

    def card_level(self, card) -> str:
        heading = self.kids[card][0][1]
        return " ".join(line.text for line in self.lines if line.element == heading)

    def artifact_lines(self) -> list[tuple[int, float, float, str]]:
        """(page, top, x0, text) of each line of body text that is not in the structure tree."""
        lines: list[list] = []
        for char in sorted(self.artifact_chars, key=lambda c: (c["page"], round(c["top"]), c["x0"])):
            last = lines[-1] if lines else None
            if last is None or last[0] != char["page"] or abs(last[1] - char["top"]) > 0.3 * char["size"]:
                last = [char["page"], char["top"], char["x0"], "", char]
                lines.append(last)
            elif char["x0"] - last[4]["x1"] > 0.2 * char["size"] and not last[3].endswith(" "):
                last[3] += " "
            last[3] += char["text"]
            last[4] = char
        return [(page, top, x0, text.strip()) for page, top, x0, text, _ in lines]

    def unlabelled_continuations(self, continued: str) -> list[str]:
        """Rule 5: where a triage card runs on, the continuation starts with its level and
        ``continued`` (the hand-over's label, "{level} (continued)"); no such label elsewhere."""
        faults, expected = [], []
        for turn in self.turns:
            card = self.card_of(turn.before)
            if card is None or card != self.card_of(turn.after):
                continue
            label = continued.format(level=self.card_level(card))
            expected.append((turn.after.page, label))
            above = [text for page, top, x0, text in self.artifact_lines()
                     if page == turn.after.page and top < turn.after.baseline
                     and abs(x0 - turn.after.x0) < 25 * MM
                     and not any(line.page == page and top < line.baseline < turn.after.baseline
                                 and abs(line.x0 - turn.after.x0) < 25 * MM
                                 for line in self.lines if line is not turn.after)]
            if label not in above:
                faults.append(f"triage card runs on without {label!r} at the {turn.where()}")
        pattern = re.compile(re.escape(continued).replace(re.escape("{level}"), ".+"))
        labels = [(page, text) for page, top, x0, text in self.artifact_lines() if pattern.fullmatch(text)]
        for page, text in labels:
            if (page, text) not in expected:
                faults.append(f"page {page + 1}: {text!r} printed where no card runs on")
        return faults
