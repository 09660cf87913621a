"""One triage scale (calcinosis_guide.triage), tested on small books of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytest_plugins = ("sphinx.testing.fixtures",)

CONF = 'extensions = ["myst_parser", "calcinosis_guide.triage"]\nmyst_enable_extensions = ["colon_fence"]\n{extra}'
HELP = """# Help

## When to get help now

:::{{triage}} emergency
- {{sign}}`limb-sudden` A finger suddenly turns cold and pale.
:::

:::{{triage}} today
- {{sign}}`lump-hot` A lump is red and hot.
:::

```{{toctree}}
other
```
"""


def build(make_app, root: Path, other: str, extra: str = "", help_page: str = HELP):
    root.mkdir(parents=True, exist_ok=True)
    (root / "conf.py").write_text(CONF.format(extra=extra), encoding="utf-8")
    (root / "index.md").write_text(help_page.format(), encoding="utf-8")
    (root / "other.md").write_text(other, encoding="utf-8")
    app = make_app("html", srcdir=root, freshenv=True)
    app.build()
    return app


def warnings(app) -> str:
    return app.warning.getvalue()


def page(app, name: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / f"{name}.html").read_text(encoding="utf-8"), "html.parser")


def test_a_card_names_its_level_as_a_heading_and_says_what_to_do(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\nText.\n")
    assert warnings(app) == ""
    cards = page(app, "index").select("div.triage")
    assert [c["class"] for c in cards] == [["triage", "triage-emergency"], ["triage", "triage-today"]]
    emergency, today = cards
    assert emergency.find("h3").get_text() == "Emergency"  # one below the "##" section
    assert "Call 999 (UK), 911 (US) or 112 (EU) now" in emergency.get_text()
    assert today.find("h3").get_text() == "Today"
    assert "the same day" in today.get_text() and "urgent care" in today.get_text()
    assert emergency.select_one("li#sign-limb-sudden").get_text(strip=True) == "A finger suddenly turns cold and pale."


def test_get_help_shows_the_defining_card_of_each_sign_in_scale_order(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\n:::{get-help} lump-hot limb-sudden\n:::\n")
    assert warnings(app) == ""
    cards = page(app, "other").select("div.triage")
    assert [c.find("h2").get_text() for c in cards] == ["Emergency", "Today"]
    assert cards[0].find("li").get_text(strip=True) == "A finger suddenly turns cold and pale."
    assert cards[1].find("li").get_text(strip=True) == "A lump is red and hot."
    assert not page(app, "other").select("[id^=sign-]")  # the anchor stays with the definition


def test_one_sign_given_two_levels_fails_naming_both_places(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\n:::{triage} soon\n- {sign}`lump-hot` A hot lump.\n:::\n")
    text = warnings(app)
    assert "other.md:3: WARNING: sign \"lump-hot\" is given level Soon here, but Today at index.md:" in text
    assert "[calcinosis.triage]" in text


def test_one_sign_defined_twice_at_the_same_level_fails_too(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\n:::{triage} today\n- {sign}`lump-hot` A hot lump.\n:::\n")
    assert 'sign "lump-hot" is defined again' in warnings(app)


@pytest.mark.parametrize("wording", ["Call 999 if it hurts.", "Get urgent care.", "See a doctor the same day.",
                                     "Get advice promptly.", "This is an emergency.", "Dial 911.", "Ring 112."])
def test_urgency_wording_outside_a_card_fails_with_its_line(make_app, tmp_path, wording):
    app = build(make_app, tmp_path, f"# Other\n\nSome text.\n\n{wording}\n")
    assert "other.md:5: WARNING: urgency wording" in warnings(app)
    assert "outside a triage card" in warnings(app)


def test_urgency_wording_in_exempt_pages_is_allowed(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\nThe emergency level, for maintainers.\n",
                extra='calcinosis_triage_exempt_pages = ["other"]\n')
    assert warnings(app) == ""


def test_the_triage_checks_can_be_silenced_alone(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\nCall 999.\n\n{term}`nowhere`\n",
                extra='suppress_warnings = ["calcinosis.triage"]\n')
    assert "urgency wording" not in warnings(app)
    assert "nowhere" in warnings(app)  # other warnings still show


def test_unknown_sign_in_get_help_fails(make_app, tmp_path):
    app = build(make_app, tmp_path, "# Other\n\n:::{get-help} no-such-sign\n:::\n")
    assert 'other.md:3: WARNING: {get-help} names sign "no-such-sign", which no {triage} card defines' in warnings(app)


@pytest.mark.parametrize(("card", "message"), [
    (":::{triage} whenever\n- {sign}`x` X.\n:::", "triage level 'whenever' is not one of emergency, today, soon"),
    (":::{triage} soon\n- A sign with no id.\n:::", "does not start with {sign}`id`"),
    (":::{triage} soon\nA paragraph, not a list.\n:::", "holds one bulleted list of signs"),
])
def test_a_malformed_card_is_an_error_with_its_line(make_app, tmp_path, card, message):
    app = build(make_app, tmp_path, f"# Other\n\n{card}\n")
    assert "other.md:3:" in warnings(app) and message in warnings(app)


def test_no_fixed_leaflet_label_carries_its_own_urgency():
    """The leaflet's labels point at the scale; only a clinic's own line adds to it."""
    from calcinosis_guide.leaflet import leaflet_labels
    from calcinosis_guide.triage import URGENCY_WORDING

    assert [label for label in leaflet_labels().values() if URGENCY_WORDING.search(str(label))] == []
