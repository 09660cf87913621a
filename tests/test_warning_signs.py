"""The warning signs as a reader meets them: each on the card its sources put it on.

The triage extension keeps one level per sign (tests/test_triage.py); these
tests check what the book's own cards say, on the built symptoms page and in
the leaflet's hand-over.
"""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup

FEVER = re.compile(r"\b38\s?°C")


def cards(book) -> dict[str, list[str]]:
    """Each level's signs on the symptoms page, as text."""
    page = BeautifulSoup((book / "html" / "symptoms.html").read_text(encoding="utf-8"), "html.parser")
    found: dict[str, list[str]] = {}
    for card in page.select("div.triage"):
        level = next(c.removeprefix("triage-") for c in card["class"] if c.startswith("triage-"))
        found.setdefault(level, []).extend(" ".join(li.get_text(" ").split()) for li in card.select("li"))
    return found


def test_a_fever_with_a_visible_infection_is_an_emergency_and_today_with_no_emergency_sign(book):
    # A fever of 38 °C with a red, hot or swollen lump, sore, wound or access is
    # a sign that the infection is spreading (facts F3.21, F3.30, refs 61, 119):
    # an Emergency. "A fever or infection" with being sick would send a cold or
    # a stomach bug to 999, so the Emergency card names no infection in general.
    # A fever with none of the Emergency signs is the same-day level (F3.30).
    signs = cards(book)
    assert any(FEVER.search(s) and "red, hot or swollen" in s for s in signs["emergency"]), signs["emergency"]
    assert not any("fever or infection" in s for s in signs["emergency"]), signs["emergency"]
    for level in ("today", "soon"):
        for sign in signs.get(level, []):
            if FEVER.search(sign):
                assert level == "today" and "no Emergency sign" in sign, (level, sign)


def test_the_printed_cards_say_which_card_wins_when_a_sign_fits_two(book):
    content = json.loads((book / "leaflet-content" / "en.json").read_text(encoding="utf-8"))
    urgent = next(p for p in content["passages"] if 'class="triage ' in p["html"])
    after_cards = BeautifulSoup(urgent["html"], "html.parser")
    for card in after_cards.select("div.triage"):
        card.decompose()
    assert "more urgent" in after_cards.get_text(" "), after_cards.get_text(" ")
