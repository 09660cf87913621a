"""The web book's extensions, calcinosis_guide.webpage and calcinosis_guide.theme,
each on a small test root built with sphinx.testing (not the whole book)."""

from __future__ import annotations

import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from importlib.metadata import version
from pathlib import Path

import pytest
import tinycss2
from bs4 import BeautifulSoup

from calcinosis_guide.outputs import MAKER_LIBRARIES
from calcinosis_guide.theme import (BOOK_STYLESHEET, THEME_CSS, UNUSED_DIRS, UNUSED_FILES, ThemeChanged, class_names_in_use,
                                    name_section_toggles, rule_tree, slim_static_folder, without_icon_rules,
                                    without_unused_rules)

pytest_plugins = ("sphinx.testing.fixtures",)

DOCS = Path(__file__).resolve().parent.parent / "docs"
BASE_URL = "https://example.org/book/"
PYDATA_THEME = f"pydata-sphinx-theme {version('pydata-sphinx-theme')}"

CONF = f"""
from calcinosis_guide.book import load_book_metadata

book_metadata = load_book_metadata({str(DOCS / "book.toml")!r})
project = "Test book"
html_baseurl = {BASE_URL!r}
extensions = ["myst_parser", "calcinosis_guide.webpage"]
exclude_patterns = ["_build"]
webpage_condition = "Test condition"
webpage_search_description = "Search the test book."
sitemap_url_scheme = "{{link}}"
sitemap_excludes = ["search.html", "404.html", "genindex.html"]
"""

# A book in the theme, with the book's own templates and slots, and a
# section with pages under it (so the contents have a section toggle).
THEME_CONF = CONF.replace('"calcinosis_guide.webpage"]', '"calcinosis_guide.webpage", "calcinosis_guide.theme"]') + f"""
html_theme = "sphinx_book_theme"
templates_path = [{str(DOCS / "_templates")!r}]
html_sidebars = {{"**": ["book-sidebar-title.html", "book-sidebar-nav.html"]}}
html_theme_options = {{"home_page_in_toc": True, "show_prev_next": False, "back_to_top_button": False,
                       "article_header_start": ["book-menu-button.html"],
                       "article_header_end": ["book-dark-mode-button.html", "book-search-button.html"],
                       "article_footer_items": ["book-prev-next.html"]}}
"""

INDEX = """\
# Test book

```{toctree}
part/index
other
```
"""


def write_root(root: Path, conf: str, pages: dict[str, str]) -> Path:
    root.mkdir()
    (root / "conf.py").write_text(textwrap.dedent(conf), encoding="utf-8")
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def html(app, page: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / page).read_text(encoding="utf-8"), "html.parser")


def sitemap(app) -> list[str]:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(Path(app.outdir) / "sitemap.xml").getroot()
    return sorted(loc.text for loc in root.findall("s:url/s:loc", ns))


@pytest.fixture
def book_root(tmp_path) -> Path:
    return write_root(tmp_path / "src", CONF, {
        "index.md": INDEX,
        "part/index.md": "# A part\n\n```{toctree}\nchapter\n```\n",
        "part/chapter.md": "# A chapter\n\nText of the chapter, long enough to be a summary.\n",
        "other.md": textwrap.dedent("""\
            # Other

            ```{admonition} Key points
            :class: key-points
            - The first key point.
            - The second key point.
            ```

            Bare: <https://example.org/a?b=1&c=2>. Named: [a site](https://example.org/named).
            Address as text, another target: [https://example.org/x](https://example.org/y).
            Internal: [the chapter](part/chapter.md).
            """),
        "404.md": "---\norphan: true\n---\n\n# Page not found\n\nGo to [the start](index.md) or [a chapter](part/chapter.md#a-chapter).\n",
        "cited.rst": "Cited\n=====\n\nSee [CIT1]_.\n\n.. [CIT1] A source. https://example.org/source\n.. [CIT2] Another source.\n",
    })


@pytest.fixture
def built(make_app, book_root):
    app = make_app("html", srcdir=book_root, confoverrides={"notfound_urls_prefix": "/book/"})
    app.build()
    return app


# --- calcinosis_guide.webpage -----------------------------------------------------

def test_a_link_whose_text_is_its_address_is_marked_bare(built):
    links = {a["href"]: a.get("class", []) for a in html(built, "other.html").select("article a, .body a")}
    assert "book-bare-url" in links["https://example.org/a?b=1&c=2"]
    assert "book-bare-url" not in links["https://example.org/named"]
    assert "book-bare-url" not in links["https://example.org/y"]
    assert not any("book-bare-url" in c for href, c in links.items() if not href.startswith("http"))


def test_bibliography_entries_are_items_of_their_list(built):
    page = html(built, "cited.html")
    items = page.select('[role="list"] > [role="listitem"].citation')
    assert len(items) == 2
    assert not page.select('[role="doc-biblioentry"]')


def test_page_summary_is_the_description_and_og_description(built):
    page = html(built, "other.html")
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert description == "The first key point. The second key point."
    assert page.find("meta", property="og:description")["content"] == description
    assert len(page.find_all("meta", attrs={"name": "description"})) == 1
    chapter = html(built, "part/chapter.html").find("meta", attrs={"name": "description"})["content"]
    assert chapter.startswith("Text of the chapter")
    search = html(built, "search.html").find("meta", attrs={"name": "description"})["content"]
    assert search == "Search the test book."


def test_long_summary_is_cut_at_a_word(make_app, book_root):
    app = make_app("html", srcdir=book_root, confoverrides={"webpage_description_length": 30})
    app.build()
    description = html(app, "other.html").find("meta", attrs={"name": "description"})["content"]
    assert description == "The first key point. The…"


def test_every_page_but_404_gets_medical_web_page_data(make_app, book_root):
    app = make_app("html", srcdir=book_root)
    seen: dict[str, object] = {}
    app.connect("html-page-context", lambda app, page, t, context, d: seen.__setitem__(page, context.get("webpage_jsonld")),
                priority=900)
    app.build()
    data = json.loads(str(seen["other"]))
    assert data["@type"] == "MedicalWebPage" and data["url"] == BASE_URL + "other.html"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Test condition"}
    assert data["lastReviewed"] == app.config.book_metadata["review"]["last_reviewed"].isoformat()
    assert seen["404"] is None and seen["search"] is None


def test_404_page_links_and_assets_start_at_the_site_root(built):
    page = html(built, "404.html")
    assert page.html["data-content_root"] == "/book/"
    urls = [t.get("href") or t.get("src") or t.get("action") for t in page.find_all(["a", "link", "script", "form"])]
    local = [u for u in urls if u and not u.startswith("#") and "://" not in u]
    assert "/book/index.html" in local and "/book/part/chapter.html#a-chapter" in local
    assert local and all(u.startswith("/book/") for u in local), local


def test_robots_txt_names_the_sitemap(built):
    text = (Path(built.outdir) / "robots.txt").read_text()
    assert text == f"User-agent: *\nAllow: /\n\nSitemap: {BASE_URL}sitemap.xml\n"


def test_sitemap_lists_every_page_after_an_incremental_build(make_app, book_root):
    pages = sorted(BASE_URL + p for p in ("index.html", "other.html", "part/index.html",
                                          "part/chapter.html", "cited.html"))
    make_app("html", srcdir=book_root).build()
    later = os.stat(book_root / "other.md").st_mtime + 10
    os.utime(book_root / "other.md", (later, later))

    app = make_app("html", srcdir=book_root)
    app.build()
    assert "0 added, 1 changed, 0 removed" in app.status.getvalue()  # it was incremental
    assert sitemap(app) == pages


# --- calcinosis_guide.theme --------------------------------------------------------

@pytest.fixture
def theme_root(tmp_path) -> Path:
    return write_root(tmp_path / "src", THEME_CONF, {
        "index.md": INDEX,
        "part/index.md": "# A part\n\n```{toctree}\nchapter\n```\n",
        "part/chapter.md": "# A chapter\n\nText.\n",
        "other.md": "# Other\n\nText.\n",
    })


def test_theme_files_no_page_loads_are_dropped_and_the_css_keeps_the_rest(make_app, theme_root):
    app = make_app("html", srcdir=theme_root)
    app.build()
    static = Path(app.outdir) / "_static"
    assert not [n for n in (*UNUSED_FILES, *UNUSED_DIRS) if (static / n).exists()]
    css = (static / THEME_CSS).read_text(encoding="utf-8")
    assert "--fa:" not in css and "fa-solid-900" not in css and "sourceMappingURL" not in css
    assert ".bd-sidebar-primary" in css  # the theme's own rules stay

    page = html(app, "other.html")
    scripts = [s.get("src", "") for s in page.find_all("script")]
    assert not [s for s in scripts if re.search(r"(fontawesome|bootstrap)\.js", s)]
    later = [s["src"] for s in page.find("template", id="book-scripts").find_all("script")]
    assert later[-1] == f"_static/scripts/pydata-sphinx-theme.js?v={version('pydata-sphinx-theme')}"
    assert not page.select("i.fa-solid, .fa-chevron-down")


def test_a_page_waits_for_one_stylesheet_and_no_script(make_app, theme_root):
    app = make_app("html", srcdir=theme_root)
    app.build()
    page = html(app, "part/chapter.html")
    sheets = [link["href"] for link in page.select('link[rel~="stylesheet"]')]
    assert len(sheets) == 1 and sheets[0].startswith(f"../_static/{BOOK_STYLESHEET}?v="), sheets
    bundle = (Path(app.outdir) / "_static" / BOOK_STYLESHEET).read_text(encoding="utf-8")
    assert "@import" not in bundle and "div.body" in bundle  # basic.css, inlined from theme.css
    assert ".bd-sidebar-primary" in bundle and ".bd-sidebar-primary" in (Path(app.outdir) / "_static" / THEME_CSS).read_text()
    # Every script file waits, inert, until the page is drawn; the settings they read are in the page.
    loaded_now = [s["src"] for s in page.find_all("script", src=True) if s.find_parent("template") is None]
    assert loaded_now == []
    assert "const DOCUMENTATION_OPTIONS" in page.find("script").find_next("script").get_text()
    later = [s["src"] for s in page.find("template", id="book-scripts").find_all("script")]
    assert "../_static/doctools.js" in [src.split("?")[0] for src in later]
    assert not [src for src in later if "documentation_options" in src]  # it is in the page


def test_section_toggles_in_the_contents_have_a_name(make_app, theme_root):
    app = make_app("html", srcdir=theme_root)
    app.build()
    toggle = html(app, "other.html").select_one("li.has-children > details > summary > span.toctree-toggle")
    assert toggle.select_one("svg.book-icon[aria-hidden=true]")
    assert toggle.get_text(strip=True) == "Pages in: A part"


def test_build_fails_naming_the_theme_when_its_stylesheet_changed(make_app, theme_root):
    # A later theme that draws its icons another way: the build stops.
    with (theme_root / "conf.py").open("a") as conf:
        conf.write(textwrap.dedent("""
            def _new_theme_css(app, exception):
                css = app.outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
                css.write_text(".bd-main{display:flex}.fa-x::before{content:'x'}")

            def setup(app):
                app.connect("build-finished", _new_theme_css, priority=100)
            """))
    app = make_app("html", srcdir=theme_root)
    with pytest.raises(ThemeChanged, match=re.escape(PYDATA_THEME)):
        app.build()


def test_stylesheet_without_icon_rules_is_a_changed_theme():
    css = ".a{color:red}@font-face{font-family:X;src:url(x.woff2)}.fa-x::before{content:'x'}"
    with pytest.raises(ThemeChanged, match="0 Font Awesome icon rules.*" + re.escape(PYDATA_THEME)):
        without_icon_rules(css)


def test_icon_rules_go_and_everything_else_stays_byte_for_byte():
    keep_before = '@charset "UTF-8";.a{color:red}\n@media (min-width:1px){.b{margin:0 auto}}'
    keep_after = ".c:nth-child(n+3){x:y}/* note */"
    icons = '.fa-a,.fa-b{--fa:"\\f000"}.fa-c{--fa:"c"}'
    font = "@font-face{font-family:Font Awesome;src:url(../vendor/fontawesome/webfonts/fa-solid-900.woff2)}"
    css = keep_before + icons + font + keep_after + "\n/*# sourceMappingURL=pydata-sphinx-theme.css.map*/"
    assert without_icon_rules(css) == keep_before + keep_after + "\n"


def unused_rules_removed(css: str, names: set[str]) -> str:
    return without_unused_rules(rule_tree(tinycss2.parse_stylesheet(css, skip_comments=False)), frozenset(names))


def test_rules_no_page_uses_go_and_the_rest_stay():
    css = ("/*! licence */.used{a:1}.gone{a:2}.used .gone,.used>p{a:3}.gone .used{a:4}"
           "@media (min-width:9px){.gone{a:5}.used:not(.gone){a:6}}@media print{.gone{a:7}}"
           "[data-theme=dark] .used{a:8}p{a:9}#id{a:10}@font-face{font-family:F}")
    assert unused_rules_removed(css, {"used"}) == (
        "/*! licence */.used{a:1}.used .gone,.used>p{a:3}@media (min-width:9px){.used:not(.gone){a:6}}"
        "[data-theme=dark] .used{a:8}p{a:9}#id{a:10}@font-face{font-family:F}")


def test_a_stylesheet_with_no_rule_to_drop_is_a_changed_theme():
    with pytest.raises(ThemeChanged, match="every rule.*" + re.escape(PYDATA_THEME)):
        unused_rules_removed(".used{a:1}", {"used"})


def test_class_names_come_from_every_page_and_every_script(tmp_path):
    (tmp_path / "a.html").write_text('<p class="one two">x</p><div class = \'three\'></div>')
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "s.js").write_text('el.classList.add("shown-now")')
    assert {"one", "two", "three", "shown-now"} <= class_names_in_use(tmp_path)
    assert "four" not in class_names_in_use(tmp_path)


def test_the_maker_pages_pdf_libraries_keep_no_theme_rule(tmp_path):
    (tmp_path / "_static" / MAKER_LIBRARIES).mkdir(parents=True)
    (tmp_path / "_static" / MAKER_LIBRARIES / "pdf-lib.min.js").write_text('var shadow="shadow",col="col";')
    (tmp_path / "_static" / "page.js").write_text('el.classList.add("col")')
    assert "col" in class_names_in_use(tmp_path) and "shadow" not in class_names_in_use(tmp_path)


def test_the_built_theme_stylesheet_keeps_what_the_pages_use(book):
    css = (book / "html" / "_static" / THEME_CSS).read_text(encoding="utf-8")
    assert ".bd-sidebar-primary" in css and ".navbar-expand-lg" not in css


def test_static_folder_without_the_expected_theme_files_is_a_changed_theme(tmp_path):
    (tmp_path / "styles").mkdir()
    (tmp_path / THEME_CSS).write_text('.fa-a{--fa:"a"}@font-face{src:url(../vendor/fontawesome/w/fa-x-1.woff2)}')
    with pytest.raises(ThemeChanged, match=r"no scripts/fontawesome\.js.*" + re.escape(PYDATA_THEME)):
        slim_static_folder(tmp_path)


def test_contents_with_an_unknown_toggle_is_a_changed_theme():
    nav = ('<ul><li class="toctree-l1 has-children"><a class="reference internal" href="a.html">A</a>'
           '<details><summary><span class="toctree-toggle"><svg></svg></span></summary>'
           '<ul><li><a href="b.html">B</a></li></ul></details></li></ul>')
    with pytest.raises(ThemeChanged, match="not as expected.*" + re.escape(PYDATA_THEME)):
        name_section_toggles(nav)


def test_contents_with_toggles_of_another_kind_is_a_changed_theme():
    # As pydata-sphinx-theme 0.13 drew them: a checkbox and a label.
    nav = ('<ul><li class="toctree-l1 has-children"><a class="reference internal" href="a.html">A</a>'
           '<input class="toctree-checkbox" id="c1" type="checkbox"/><label for="c1">'
           '<i class="fa-solid fa-chevron-down"></i></label><ul><li><a href="b.html">B</a></li></ul></li></ul>')
    with pytest.raises(ThemeChanged, match="icon-font glyph.*" + re.escape(PYDATA_THEME)):
        name_section_toggles(nav)


def test_a_stylesheet_an_extension_adds_to_one_page_is_still_linked(make_app, tmp_path):
    conf = THEME_CONF + """
def setup(app):
    def one_page_only(app, pagename, templatename, context, doctree):
        if pagename == "other":
            app.add_css_file("extra.css")
    app.connect("html-page-context", one_page_only, priority=900)
"""
    root = write_root(tmp_path / "src", conf, {"index.md": INDEX, "other.md": "# Other\n\nText.\n",
                                               "part/index.md": "# A part\n", "part/chapter.md": "# C\n"})
    app = make_app("html", srcdir=root)
    app.build()
    links = lambda page: [l["href"].split("?")[0] for l in html(app, page).select('link[rel~="stylesheet"]')]
    assert links("other.html") == [f"_static/{BOOK_STYLESHEET}", "_static/extra.css"]
    assert links("index.html") == [f"_static/{BOOK_STYLESHEET}"]
