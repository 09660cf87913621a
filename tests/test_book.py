"""The web book: every page built, reachable, summarised and sourced."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import DOCS

def is_orphan(path: Path) -> bool:
    """Pages such as the 404 page are deliberately outside the navigation."""
    return re.match(r"---\n(?:.*\n)*?orphan: true\n(?:.*\n)*?---", path.read_text(encoding="utf-8")) is not None


PAGES = sorted(
    p.relative_to(DOCS).with_suffix("").as_posix()
    for p in DOCS.rglob("*.md")
    if not any(part.startswith("_") for part in p.relative_to(DOCS).parts) and not is_orphan(p)
)
PATIENT_PAGES = [p for p in PAGES if "/" not in p]


def html_of(book: Path, page: str) -> str:
    return (book / "html" / f"{page}.html").read_text(encoding="utf-8")


def test_every_markdown_page_is_built(book):
    assert len(PAGES) >= 11
    for page in PAGES:
        assert (book / "html" / f"{page}.html").exists(), page


def test_every_page_is_in_the_navigation(book):
    nav = html_of(book, "index")
    for page in PAGES:
        if page != "index":
            assert re.search(rf'href="{page}\.html"', nav), f"{page} is not in the toctree"
    assert (book / "html" / "404.html").exists() or not (DOCS / "404.md").exists()


def test_every_page_opens_with_key_points(book):
    for page in PAGES:
        article = html_of(book, page).split('<article class="bd-article">', 1)[1]
        first_box = article.find('class="key-points')
        first_subheading = article.find("<h2")
        assert first_box != -1, f"{page} has no key points"
        assert first_subheading == -1 or first_box < first_subheading, f"{page}: key points are not first"
        opening = re.sub(r"<[^>]+>", " ", article[article.find("</h1>"):first_box])
        assert len(opening.split()) < 40, f"{page}: text before the key points"


# Pages that make no clinical statement: the reference list itself, and the code's map.
# The maker page tells clinic staff how to use a form; it makes no clinical statement.
NOTHING_TO_CITE = {"references", "maintainers/architecture", "clinic-leaflet"}


def test_every_page_cites_a_source(book):
    for page in PAGES:
        if page in NOTHING_TO_CITE:
            continue
        assert 'class="bibtex-citation"' in html_of(book, page), f"{page} cites nothing"


def test_every_citation_points_at_an_entry_in_the_bibliography(book):
    references = html_of(book, "references")
    anchors = set(re.findall(r'id="(id\d+)"', references))
    for page in PAGES:
        for target in re.findall(r'href="references\.html#(id\d+)"', html_of(book, page)):
            assert target in anchors, f"{page}: citation to missing entry {target}"


def test_bibliography_links_doi_and_pubmed(book):
    references = html_of(book, "references")
    assert "https://doi.org/10." in references
    assert "https://www.ncbi.nlm.nih.gov/pubmed/" in references


def test_every_page_shows_review_dates_from_book_toml(book):
    from calcinosis_guide.book import format_date, load_book_metadata

    review = load_book_metadata(DOCS / "book.toml")["review"]
    expected = format_date(review["last_reviewed"], "en")
    for page in PAGES:
        banner = re.search(r'<p class="review-dates">(.*?)</p>', html_of(book, page), re.S)
        assert banner, f"{page} has no review dates"
        assert expected in banner.group(1)
        assert format_date(review["next_review"], "en") in banner.group(1)


def test_home_page_links_to_leaflets_that_exist(book, leaflets):
    home = html_of(book, "index")
    for paper in ("a4", "letter"):
        href = f"leaflet/calcinosis-leaflet-en-{paper}.pdf"
        assert f'href="{href}"' in home
        assert (book / "html" / href).read_bytes() == leaflets[paper].read_bytes()


def test_no_leaflet_heading_leaks_into_the_web_page(book):
    """A passage's heading is for the leaflet: the web page shows the passage's
    text where it stands, under the page's own headings, and never that heading."""
    import json

    from bs4 import BeautifulSoup

    content = json.loads((book / "leaflet-content" / "en.json").read_text())
    assert content["passages"], "no passages were collected"
    by_page: dict[str, list[dict]] = {}
    for passage in content["passages"]:
        by_page.setdefault(passage["docname"], []).append(passage)
    for docname, passages in by_page.items():
        soup = BeautifulSoup(html_of(book, docname), "html.parser")
        shown = soup.select("div.leaflet-passage")
        assert len(shown) == len(passages), docname
        for div, passage in zip(shown, passages):
            headings = [h.get_text(" ", strip=True) for h in div.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
            assert passage["heading"] not in headings, (docname, passage["heading"])
            assert not div.get_text(" ", strip=True).startswith(passage["heading"]), (docname, passage["heading"])
            assert div.get_text(" ", strip=True), (docname, passage["heading"])
