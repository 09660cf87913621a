"""The web book: accessible, private, printable, ready to host (standards W1-W6).

Browser tests (marked ``browser``) read the results of one Chromium session
over every page (see conftest.py and browser_checks.mjs). The other tests read
the built HTML files and need no browser.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from web.webpages import book_toml, source_pages

PAGES = source_pages()
CONTENT_PAGES = [p for p in PAGES if p != "search.html"]
COMBOS = [(v, t) for v in ("desktop", "320px") for t in ("light", "dark")]
BOOK = book_toml()
BASE_URL = BOOK["book"]["base_url"].replace("{language}", "en").rstrip("/") + "/"
LAST_REVIEWED = BOOK["review"]["last_reviewed"]

browser = pytest.mark.browser


def run(results: dict, page: str, viewport: str, theme: str) -> dict:
    return next(r for r in results["pages"][page]["runs"] if r["viewport"] == viewport and r["theme"] == theme)


def soup(html_dir: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((html_dir / page).read_text(encoding="utf-8"), "html.parser")


def test_every_source_page_is_built_and_checked(html_dir):
    from calcinosis_guide.audit import pages

    assert pages(html_dir) == PAGES


# --- W1: axe-core, every page, light and dark, desktop and 320 px ------------

@browser
@pytest.mark.parametrize("viewport,theme", COMBOS, ids=[f"{v}-{t}" for v, t in COMBOS])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violations(web_results, page, viewport, theme):
    r = run(web_results, page, viewport, theme)
    assert r["appliedTheme"] == theme, "the page did not switch to the theme under test"
    problems = [
        f"{v['id']} ({v['impact']}, {v['count']} element(s)): {v['help']}; "
        + "; ".join(n["target"] for n in v["nodes"])
        for v in r["violations"]
    ]
    assert not problems, "\n".join(problems)


@browser
def test_axe_ran_the_wcag_22_aa_and_best_practice_rules(web_results):
    assert set(web_results["axeTags"]) >= {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                            "best-practice"}


# --- W2: reflow at 320 px and text spacing --------------------------------------

@browser
@pytest.mark.parametrize("viewport,theme", COMBOS, ids=[f"{v}-{t}" for v, t in COMBOS])
@pytest.mark.parametrize("page", PAGES)
def test_nothing_cut_off_covered_or_out_of_reach(web_results, page, viewport, theme):
    r = run(web_results, page, viewport, theme)
    assert not r["clipped"], r["clipped"]
    assert not r["unreachable"], f"controls outside the page: {r['unreachable']}"


@browser
@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scrolling_at_320px(web_results, page):
    for theme in ("light", "dark"):
        o = run(web_results, page, "320px", theme)["overflow"]
        assert o["scrollWidth"] <= o["clientWidth"], f"{theme}: page is {o['scrollWidth']}px wide: {o['offenders']}"


@browser
@pytest.mark.parametrize("viewport,theme", COMBOS, ids=[f"{v}-{t}" for v, t in COMBOS])
@pytest.mark.parametrize("page", PAGES)
def test_text_spacing_cuts_nothing_off(web_results, page, viewport, theme):
    """WCAG 1.4.12: line height 1.5, letter 0.12em, word 0.16em, paragraph 2em."""
    r = run(web_results, page, viewport, theme)
    o = r["spacingOverflow"]
    assert o["scrollWidth"] <= o["clientWidth"], f"sideways scrolling: {o['offenders']}"
    assert not r["spacingClipped"], r["spacingClipped"]


# --- The keyboard: controls only, in visual order, rings that show, focus kept --

KEYBOARD = ("390px", "desktop")
# The box a wide table scrolls in (the theme's); the tables' styles are
# another change's, so its cut-off rings are a test of their own below.
TABLE_SCROLLER = "div.pst-scrollable-table-container"


def keyboard_run(results: dict, page: str, viewport: str) -> dict:
    return next(r for r in results["pages"][page]["keyboard"] if r["viewport"] == viewport)


def not_a_control_or_ring_astray(stops: list[dict]) -> list[str]:
    problems = []
    for s in stops:
        if s["isDialog"]:
            problems.append(f"the panel itself takes a Tab stop: {s['element']}")
        elif not (s["control"] or s["scrollRegion"]):
            problems.append(f"not a control: {s['element']}")
        if not s["ring"]:
            problems.append(f"no focus ring: {s['element']}")
        elif 0 in s["ringSize"] or not s["ringOverlaps"]:
            problems.append(f"focus ring {s['ringSize'][0]}x{s['ringSize'][1]} px, "
                            f"{'on' if s['ringOverlaps'] else 'away from'} its control: {s['element']}")
        elif s["ringClippedBy"]:
            problems.append(f"focus ring cut off by {s['ringClippedBy']}: {s['element']}")
    return problems


@browser
@pytest.mark.parametrize("viewport", KEYBOARD)
@pytest.mark.parametrize("page", PAGES)
def test_every_tab_stop_is_a_control_with_its_focus_ring_around_it(web_results, page, viewport):
    stops = keyboard_run(web_results, page, viewport)["stops"]
    assert len(stops) >= 5, f"the walk stopped after {len(stops)} stops: {[s['element'] for s in stops]}"
    problems = not_a_control_or_ring_astray(stops)
    assert not problems, "\n".join(problems)


@browser
def test_no_focus_ring_is_cut_off_by_a_table_that_scrolls(web_results):
    cut = [f"{page} {r['viewport']}: {s['element']}" for page in PAGES for r in web_results["pages"][page]["keyboard"]
           for s in r["stops"] if (s["ringClippedBy"] or "").startswith(TABLE_SCROLLER)]
    assert not cut, "\n".join(cut)


@browser
@pytest.mark.parametrize("viewport", KEYBOARD)
@pytest.mark.parametrize("page", PAGES)
def test_tab_order_in_the_bar_follows_what_the_eye_sees(web_results, page, viewport):
    bar = [s for s in keyboard_run(web_results, page, viewport)["stops"] if s["inHeader"]]
    for before, after in zip(bar, bar[1:]):
        a, b = before["rect"], after["rect"]
        same_row = b["top"] < a["bottom"] and b["bottom"] > a["top"]
        in_order = b["left"] >= a["right"] - 1 if same_row else b["top"] >= a["bottom"] - 1
        assert in_order, f"{after['element']} comes after {before['element']} but shows before it"


@browser
@pytest.mark.parametrize("viewport", ["320px", "desktop"])
@pytest.mark.parametrize("page", PAGES)
def test_bar_is_one_row_and_has_no_menu_beside_the_contents(web_results, page, viewport):
    for r in [run(web_results, page, viewport, t) for t in ("light", "dark")]:
        h = r["header"]
        assert h["rows"] == 1, f"{r['theme']}: the buttons {h['buttons']} take {h['rows']} rows"
        assert h["menuShown"] != h["contentsShown"], h
    h = keyboard_run(web_results, page, "390px")["header"]
    assert h["rows"] == 1 and h["menuShown"] and not h["contentsShown"], h


@browser
@pytest.mark.parametrize("page", PAGES)
def test_closing_a_panel_puts_the_focus_back_on_its_button(web_results, page):
    panels = keyboard_run(web_results, page, "390px")["panels"]
    assert any(p["button"] == ".primary-toggle" for p in panels), "no Menu at 390 px"
    for p in panels:
        assert p["opensWithKeyboard"] and p["opensWithClick"], p
        assert p["closedByEscape"] and p["closedByButton"], p
        assert p["focusAfterEscape"], f"{p['button']}: after Escape the focus is not on the button"
        assert p["focusAfterClose"], f"{p['button']}: after Close the focus is not on the button"
        inside = [s for s in p["panelStops"] if s["inDialog"] is None]
        assert not inside, f"{p['button']}: Tab left the open panel for {[s['element'] for s in inside]}"
        problems = not_a_control_or_ring_astray(p["panelStops"])
        assert not problems, "\n".join(problems)
    assert not keyboard_run(web_results, page, "desktop")["panels"], "a panel button at 1280 px"


# --- W4: nothing from other hosts ----------------------------------------------

@browser
@pytest.mark.parametrize("page", PAGES)
def test_no_request_leaves_the_site(web_results, page):
    result = web_results["pages"][page]
    runs = result["runs"] + result["keyboard"]
    foreign = {u for r in runs for u in r["foreignRequests"]} | set(result["print"]["foreignRequests"])
    assert not foreign, sorted(foreign)


@browser
@pytest.mark.parametrize("page", PAGES)
def test_no_web_fonts_and_no_script_errors(web_results, page):
    runs = web_results["pages"][page]["runs"] + web_results["pages"][page]["keyboard"]
    fonts = {u for r in runs for u in r["fontRequests"]}
    assert not fonts, f"web fonts loaded (the book uses the reader's system fonts): {sorted(fonts)}"
    errors = {e for r in runs for e in r["consoleErrors"]}
    assert not errors, sorted(errors)


@browser
def test_buttons_work_and_send_nothing_elsewhere(web_results):
    i = web_results["interactions"]
    assert i["menuOpens"] and i["menuHasLinks"] >= len(CONTENT_PAGES) - 2, i
    assert i["menuCloses"] and i["menuClosesWithEscape"], i
    assert (i["darkBefore"], i["darkAfter"], i["darkPressed"], i["darkKept"]) == ("light", "dark", "true", "dark")
    assert i["searchOpens"] and i["searchResults"] > 0, i
    assert not i["foreignRequests"] and not i["consoleErrors"], i


@browser
def test_missing_address_deep_in_the_site_gets_a_working_404_page(web_results):
    nf = web_results["interactions"]["notFound"]
    assert nf["status"] == 404
    assert nf["title"].startswith("Page not found")
    assert nf["styled"] and not nf["failedRequests"] and not nf["foreignRequests"], nf
    assert not nf["violations"], nf["violations"]


# --- W5: printing ---------------------------------------------------------------

@browser
@pytest.mark.parametrize("page", PAGES)
def test_print_shows_no_navigation_or_buttons_and_shows_link_addresses(web_results, page):
    p = web_results["pages"][page]["print"]
    assert not p["visibleChrome"], p["visibleChrome"]
    assert p["externalLinksWithAddress"] == p["externalLinks"]
    if p["bodyFontPx"] is not None:
        assert p["bodyFontPx"] >= 16, "printed body text under 12 pt"


@browser
@pytest.mark.parametrize("page", ["index.html", "symptoms.html", "references.html"])
def test_printed_pdf_is_a_clean_document(web_results, page):
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext missing (Debian package poppler-utils)"
    pdf = web_results["pages"][page]["print"]["pdf"]
    text = subprocess.run([pdftotext, "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    for screen_only in ("Skip to main content", "Dark mode", "Search this book", "Next page", "On this page"):
        assert screen_only not in text, f"{screen_only!r} printed"
    assert "Checked against its sources" in text
    assert re.search(r"\(https?://", text), "no link address printed"


# --- W6 and C8/C9: review dates, leaflet, report an error on every page ----------

@browser
@pytest.mark.parametrize("page", PAGES)
def test_page_shows_review_dates_leaflet_and_error_report(web_results, page):
    b = web_results["pages"][page]["banner"]
    if page != "search.html":
        assert b["reviewDates"] and "Checked against its sources" in b["reviewDates"] and "Next check due" in b["reviewDates"]
    assert b["footer"] and "Checked against its sources" in b["footer"]
    assert any(re.search(r"/leaflet/calcinosis-leaflet-en-a4\.pdf$", u) for u in b["leafletLinks"]), b
    assert BOOK["book"]["feedback_url"] in b["errorLinks"], b


# --- Ready to host (no browser needed) --------------------------------------------

@pytest.mark.parametrize("page", CONTENT_PAGES)
def test_page_head_has_canonical_description_opengraph_and_jsonld(html_dir, page):
    s = soup(html_dir, page)
    url = BASE_URL + page
    assert s.find("link", rel="canonical")["href"] == url
    description = s.find("meta", attrs={"name": "description"})
    assert description and 50 <= len(description["content"]) <= 160, description
    og = {m["property"]: m["content"] for m in s.find_all("meta", property=re.compile("^og:"))}
    assert og["og:url"] == url and og["og:title"] and og["og:description"] == description["content"]
    if page == "404.html":
        return
    data = [json.loads(t.string) for t in s.find_all("script", type="application/ld+json")]
    pages = [d for d in data if d.get("@type") == "MedicalWebPage"]
    assert len(pages) == 1
    assert pages[0]["lastReviewed"] == LAST_REVIEWED.isoformat()
    assert pages[0]["url"] == url
    assert pages[0]["publisher"]["name"] == BOOK["book"]["publisher"]


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_nothing_unused_and_nothing_from_elsewhere(html_dir, page):
    s = soup(html_dir, page)
    assets = [t.get("src") or t.get("href") for t in s.find_all(["script", "link", "img", "source", "iframe"])
              if (t.get("src") or t.get("href"))
              and not (t.name == "link" and set(t.get("rel", [])) & {"canonical", "alternate", "author", "next", "prev",
                                                                       "search", "index", "license"})]
    elsewhere = [a for a in assets if urlsplit(a).netloc]
    assert not elsewhere, elsewhere
    assert not [a for a in assets if re.search(r"(fontawesome|bootstrap)\.js", a)], "unused theme scripts"
    if page != "search.html":
        assert not [a for a in assets if "searchindex.js" in a], "search index loaded outside the search page"


@browser
@pytest.mark.parametrize("page", PAGES)
def test_no_script_is_fetched_before_the_first_text_is_on_the_screen(web_results, page):
    """A busy phone draws a frame well after its animation callback: scripts wait for the paint itself."""
    for run in web_results["pages"][page]["runs"]:
        seen = run["paintAndScripts"]
        assert seen["firstText"] is not None, f"{run['viewport']}: no first contentful paint"
        early = [s["url"] for s in seen["scripts"] if s["start"] < seen["firstText"]]
        assert seen["scripts"] and not early, f"{run['viewport']} {run['theme']}: fetched before the first paint: {early}"


def test_the_search_page_loads_its_index_only_to_answer_a_query(html_dir):
    later = soup(html_dir, "search.html").find("template", id="book-scripts").find_all("script")
    index = [s for s in later if s["src"].startswith("searchindex.js")]
    assert len(index) == 1 and index[0].has_attr("data-on-query")
    # ... and the search tools it needs come before it, whatever the address.
    names = [s["src"].split("?")[0].rsplit("/", 1)[-1] for s in later]
    assert names.index("searchtools.js") < names.index("searchindex.js")
    assert not [s for s in later if s is not index[0] and s.has_attr("data-on-query")]


def test_sitemap_lists_every_content_page_under_the_base_url(html_dir):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(html_dir / "sitemap.xml").getroot()
    urls = sorted(loc.text for loc in root.findall("s:url/s:loc", ns))
    expected = sorted(BASE_URL + p for p in CONTENT_PAGES if p != "404.html")
    assert urls == expected


def test_robots_txt_allows_crawling_and_names_the_sitemap(html_dir):
    text = (html_dir / "robots.txt").read_text()
    assert "User-agent: *" in text and "Disallow: /" not in text
    assert f"Sitemap: {BASE_URL}sitemap.xml" in text


def test_404_page_works_at_any_depth(html_dir):
    from calcinosis_guide.audit import site_path

    s = soup(html_dir, "404.html")
    assert s.h1.get_text(strip=True).startswith("Page not found")
    prefix = site_path(html_dir)
    # Built with no -D notfound_urls_prefix: the base address's path.
    assert prefix == urlsplit(BASE_URL).path != "/"
    for tag in s.find_all(["a", "link", "script", "img", "form"]):
        url = tag.get("href") or tag.get("src") or tag.get("action")
        if not url or url.startswith("#") or urlsplit(url).scheme:
            continue
        assert url.startswith(prefix), f"{tag.name} {url!r} would break below the site root"


def test_text_is_large_and_links_underlined(html_dir):
    css = (html_dir / "_static" / "book.css").read_text()
    size = re.search(r"--pst-font-size-base:\s*([\d.]+)rem", css)
    assert size and float(size.group(1)) >= 1.0625
    assert re.search(r"\.bd-article a[^{]*\{[^}]*text-decoration:\s*underline", css)
    assert "@media print" in css
