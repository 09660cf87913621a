"""sphinx-book-theme, lighter and easier to use, filled through its slots.

A Sphinx extension (``calcinosis_guide.theme`` in ``extensions``). The book's
own components, ``docs/_templates/book-*.html``, go into the slots the theme
documents (``html_theme_options`` and ``html_sidebars`` in conf.py);
``layout.html`` there extends the theme's layout only for what has no slot.
Its ``setup()`` registers:

- ``html-page-context``: what the components need besides ``html_context``:
  ``book_review_line`` and ``book_leaflet_pdf`` (book-footer.html);
  ``book_named_section_toggles`` (book-sidebar-nav.html), which gives each
  section toggle in the contents a name ("Pages in: ...") and draws its arrow
  in SVG instead of with the icon font; and ``book_theme_script`` with
  ``book_theme_version``, for layout.html to load the theme's own script
  alone, where the theme's script block would also load Bootstrap, which the
  book does not use.
  It also gives ``book_stylesheet`` (with ``book_stylesheet_version``), the
  one stylesheet layout.html links, in place of the theme's and the book's
  (``book_bundled_stylesheets``, which it does not link).
- ``build-finished``: the built site loses what no page loads (the Font
  Awesome and Bootstrap scripts and fonts, source maps), and the theme's
  stylesheet its Font Awesome rules and the rules no page can use (64 KB to
  15 KB compressed for pydata-sphinx-theme 0.20). Then the theme's
  stylesheets and the book's become one, ``_static/book-styles.css``: every
  page must load its styles before it can draw anything, and on a slow
  phone connection one download is much sooner than five, one of them
  behind an @import.

The two things taken out of the theme's output are found by structure
(BeautifulSoup for the contents, tinycss2 for the stylesheet), and each is
checked: when the theme's output is not as this module knows it, the build
stops with :class:`ThemeChanged`, naming the theme versions, instead of
silently shipping nameless, empty toggles or a heavier page.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import posixpath
import re
import shutil
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import tinycss2
from bs4 import BeautifulSoup
from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.locale import get_translation

from calcinosis_guide.book import MESSAGE_CATALOG, review_line
from calcinosis_guide.outputs import MAKER_LIBRARIES, leaflet_filename

_ = get_translation(MESSAGE_CATALOG)

THEME_SCRIPT = "scripts/pydata-sphinx-theme.js"
THEME_CSS = "styles/pydata-sphinx-theme.css"
# Under _static/ of the built site; none is loaded by any page.
UNUSED_FILES = (
    "scripts/fontawesome.js", "scripts/fontawesome.js.map", "scripts/fontawesome.js.LICENSE.txt",
    "scripts/bootstrap.js", "scripts/bootstrap.js.map", "scripts/bootstrap.js.LICENSE.txt",
    f"{THEME_CSS}.map",
)
UNUSED_DIRS = ("vendor/fontawesome",)
# The theme's stylesheets, in their cascade order; then come the book's own
# (``html_css_files``). Each page links one file made of them all instead
# (``BOOK_STYLESHEET``): on a slow phone connection five downloads, one of
# them an @import chain, held back the first paint; one download does not.
THEME_STYLESHEETS = ("styles/theme.css", THEME_CSS, "pygments.css", "styles/sphinx-book-theme.css")
BOOK_STYLESHEET = "book-styles.css"



class ThemeChanged(SphinxError):
    """The theme's output is not what calcinosis_guide.theme was written for."""

    category = "Theme output not recognised"


def theme_versions() -> str:
    return (f"sphinx-book-theme {version('sphinx-book-theme')}, "
            f"pydata-sphinx-theme {version('pydata-sphinx-theme')}")


def _changed(what: str) -> ThemeChanged:
    return ThemeChanged(
        f"{what} ({theme_versions()}). calcinosis_guide.theme knows the output of "
        "the versions allowed in pyproject.toml; update it for this one.")


# --- The contents in the left column -----------------------------------------

def _chevron(soup: BeautifulSoup) -> Any:
    # Made as tags, not parsed: the parser would lower-case viewBox.
    svg = soup.new_tag("svg", attrs={"class": "book-icon", "aria-hidden": "true", "focusable": "false",
                                     "viewBox": "0 0 24 24"})
    path = soup.new_tag("path", attrs={"d": "M6 9l6 6 6-6"})
    path.can_be_empty_element = True
    svg.append(path)
    return svg


def name_section_toggles(toctree: Any) -> Markup:
    """The contents (pydata-sphinx-theme's generate_toctree_html) with named section toggles.

    The theme writes each toggle as an icon-font glyph with no text: without
    Font Awesome it would show nothing, and a screen reader would announce a
    nameless control.
    """
    # A copy: the theme caches the tree it returns, and renders this
    # component twice (once only to see whether it is empty).
    soup = copy.copy(toctree) if isinstance(toctree, BeautifulSoup) else BeautifulSoup(str(toctree), "html.parser")
    for summary in soup.find_all("summary"):
        item = summary.find_parent("li", class_="has-children")
        link = item.find("a", recursive=False) if item else None
        toggle = summary.find("span", class_="toctree-toggle", recursive=False)
        icon = toggle.find("i", class_="fa-chevron-down") if toggle else None
        if link is None or icon is None:
            raise _changed(f"a section toggle in the contents is not as expected: {str(item or summary)[:200]}")
        icon.replace_with(_chevron(soup))
        label = soup.new_tag("span", attrs={"class": "visually-hidden"})
        label.string = _("Pages in: {section}").format(section=link.get_text().strip())
        toggle.append(label)
        # Now that the toggle has a name, it is no longer decoration.
        del toggle["role"]
    # Whatever else the theme draws with the icon font would show nothing.
    if glyph := soup.find("i", class_=lambda c: c and c.startswith("fa-")):
        raise _changed(f"the contents have an icon-font glyph this module does not replace: {glyph}")
    return Markup(str(soup))


def add_component_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    context["book_stylesheet"] = f"_static/{BOOK_STYLESHEET}"
    context["book_stylesheet_version"] = _stylesheet_version(app)
    # layout.html links the others itself: extensions may add theirs after this runs.
    context["book_bundled_stylesheets"] = [f"_static/{name}" for name in bundled_stylesheets(app)]
    language = app.config.language or "en"
    context["book_review_line"] = review_line(app.config.book_metadata, language)
    context["book_leaflet_pdf"] = leaflet_filename(language, "a4")
    context["book_named_section_toggles"] = name_section_toggles
    context["book_theme_script"] = f"_static/{THEME_SCRIPT}"
    # A new theme version is a new file: browsers must not keep the old one.
    context["book_theme_version"] = version("pydata-sphinx-theme")


def bundled_stylesheets(app: Sphinx) -> tuple[str, ...]:
    """The theme's stylesheets and the book's, from ``html_css_files``, in order."""
    # Sphinx turns each entry into (name, attributes); one with attributes
    # other than its priority (media="print", say) keeps its own link.
    own = [entry if isinstance(entry, str) else entry[0] for entry in app.config.html_css_files
           if isinstance(entry, str) or set(entry[1]) <= {"priority"}]
    return (*THEME_STYLESHEETS, *own)


def _stylesheet_version(app: Sphinx) -> str:
    """A digest of the stylesheets the bundle is made of, as Sphinx copied them
    before writing the pages: a changed style is a new address for browsers."""
    if not hasattr(app, "_book_stylesheet_version"):
        static = Path(app.outdir) / "_static"
        digest = hashlib.sha256(theme_versions().encode())
        for name in bundled_stylesheets(app):
            path = static / name
            digest.update(path.read_bytes() if path.is_file() else name.encode())
        app._book_stylesheet_version = digest.hexdigest()[:16]
    return app._book_stylesheet_version


# --- What the built site does not need ----------------------------------------

def _is_icon_rule(rule: Any) -> bool:
    """``.fa-a,.fa-b{--fa:"\\f000"}``: one icon's glyph."""
    if rule.type != "qualified-rule":
        return False
    selector = [t for t in rule.prelude if t.type != "whitespace"]
    if not selector or not all((t.type == "literal" and t.value in ".,")
                               or (t.type == "ident" and t.value.startswith("fa-")) for t in selector):
        return False
    body = [d for d in tinycss2.parse_blocks_contents(rule.content) if d.type not in ("whitespace", "comment")]
    return len(body) == 1 and body[0].type == "declaration" and body[0].name == "--fa"


def _is_icon_font(rule: Any) -> bool:
    return (rule.type == "at-rule" and rule.lower_at_keyword == "font-face"
            and any(t.type == "url" and "/fontawesome/" in t.value for t in rule.content or ()))


def _is_source_map_comment(rule: Any) -> bool:
    return rule.type == "comment" and "sourceMappingURL" in rule.value


def without_icon_rules(css: str) -> str:
    """The theme's stylesheet without its Font Awesome rules and source map comment.

    Everything else is kept byte for byte: each top-level rule is cut from
    the original text, where tinycss2 found it.
    """
    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=False)
    line_starts = [0]
    for line in css.split("\n")[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    offsets = [line_starts[r.source_line - 1] + r.source_column - 1 for r in rules] + [len(css)]
    icons = [r for r in rules if _is_icon_rule(r)]
    fonts = [r for r in rules if _is_icon_font(r)]
    if not icons or not fonts:
        raise _changed(f"the stylesheet {THEME_CSS} has {len(icons)} Font Awesome icon rules "
                       f"and {len(fonts)} Font Awesome @font-face rules; expected some of each")
    dropped = {id(r) for r in icons + fonts} | {id(r) for r in rules if _is_source_map_comment(r)}
    return "".join(css[offsets[i]:offsets[i + 1]] for i, r in enumerate(rules) if id(r) not in dropped)


# --- Rules no page can use -----------------------------------------------------

@dataclass(frozen=True)
class StyleRule:
    text: str
    # For each selector of the rule's selector list, the class names it needs.
    needs: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class RuleBlock:
    head: str  # "@media (min-width:960px)"
    rules: tuple


@dataclass(frozen=True)
class KeptWhole:
    text: str  # a comment, @font-face, @keyframes...


def _classes_needed(prelude: list) -> tuple[frozenset[str], ...]:
    """For each selector of a selector list, the class names it needs.

    Classes inside functional pseudo-classes (:not(.a), :is(.b)) are not
    needed for a match, and tinycss2 keeps them inside a function block, so
    they are not counted; ids, elements and attributes never drop a rule.
    """
    selectors, current, previous = [], set(), None
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(frozenset(current))
            current = set()
        elif token.type == "ident" and previous is not None and previous.type == "literal" and previous.value == ".":
            current.add(token.value)
        previous = token
    selectors.append(frozenset(current))
    return tuple(selectors)


def rule_tree(nodes: list) -> tuple:
    """A stylesheet's rules (``tinycss2.parse_stylesheet``), with the classes each needs."""
    tree = []
    for node in nodes:
        if node.type == "qualified-rule":
            tree.append(StyleRule(node.serialize(), _classes_needed(node.prelude)))
        elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports") and node.content:
            tree.append(RuleBlock(f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}",
                                  rule_tree(tinycss2.parse_rule_list(node.content, skip_comments=False))))
        elif node.type != "whitespace" and not _is_plain_comment(node):
            tree.append(KeptWhole(node.serialize()))
    return tuple(tree)


def _used_rules(tree: tuple, names: frozenset[str]) -> tuple[str, int]:
    """The text of the rules some page may use, and how many rules went."""
    parts, dropped = [], 0
    for rule in tree:
        if isinstance(rule, KeptWhole):
            parts.append(rule.text)
        elif isinstance(rule, RuleBlock):
            inner, inner_dropped = _used_rules(rule.rules, names)
            dropped += inner_dropped
            if inner:
                parts.append(f"{rule.head}{{{inner}}}")
        elif any(classes <= names for classes in rule.needs):
            parts.append(rule.text)
        else:
            dropped += 1
    return "".join(parts), dropped


def without_unused_rules(tree: tuple, names: frozenset[str]) -> str:
    """The stylesheet without the style rules whose every selector needs a class
    that no page and no script uses (most of Bootstrap, in the theme's case)."""
    css, dropped = _used_rules(tree, names)
    if not dropped:
        raise _changed(f"every rule of {THEME_CSS} has a selector the pages may use; "
                       "its rules are not as expected")
    return css


CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""")
SCRIPT_WORD = re.compile(r"[A-Za-z_][\w-]*")


def class_names_in_use(site: Path) -> frozenset[str]:
    """Every class name a built page carries, and every word a script could add as one."""
    names: set[str] = set()
    for page in site.rglob("*.html"):
        for value in CLASS_ATTRIBUTE.findall(page.read_text(encoding="utf-8", errors="replace")):
            names.update(value.split())
    # The scripts in _static, not the search index or the offline worker
    # beside the pages: their words are the book's text and file names. Nor
    # the maker's PDF libraries: 1.3 MB of words that would keep theme rules
    # no page uses in the stylesheet every page waits for.
    libraries = site / "_static" / MAKER_LIBRARIES
    for script in (site / "_static").rglob("*.js"):
        if not script.is_relative_to(libraries):
            names.update(SCRIPT_WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return frozenset(names)


def slim_static_folder(static: Path, cache: Path | None = None, own_stylesheets: tuple[str, ...] = ()) -> None:
    """Drop the unused theme files from a built ``_static`` folder, and from the
    theme's stylesheet its icon rules and the rules no page of the site can use.

    Sphinx copies the theme's stylesheet afresh into every build; parsing it
    takes over a second, so its parsed rules are kept in ``cache`` (a folder
    of the build), keyed by the stylesheet's own digest; which rules stay is
    decided again each time, from every page of the site.
    """
    missing = [name for name in (*UNUSED_FILES, *UNUSED_DIRS, THEME_CSS, THEME_SCRIPT)
               if not (static / name).exists()]
    if missing:
        raise _changed(f"no {', '.join(missing)} in {static}")
    css = static / THEME_CSS
    original = css.read_text(encoding="utf-8")
    kept = cache / f"theme-css-{hashlib.sha256(original.encode()).hexdigest()[:20]}.pickle" if cache else None
    try:
        tree = pickle.loads(kept.read_bytes()) if kept is not None else None
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError):
        tree = None  # not kept yet, or by another version of this module
    if tree is None:
        tree = rule_tree(tinycss2.parse_stylesheet(without_icon_rules(original), skip_comments=False))
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL))
    for name in UNUSED_FILES:
        (static / name).unlink()
    for name in UNUSED_DIRS:
        shutil.rmtree(static / name)
        try:
            (static / name).parent.rmdir()
        except OSError:
            pass  # not empty: a later theme keeps more there
    names = class_names_in_use(static.parent)
    css.write_text(without_unused_rules(tree, names), encoding="utf-8")
    (static / BOOK_STYLESHEET).write_text(bundled_stylesheet(static, names, own_stylesheets), encoding="utf-8")


def _inlined_imports(static: Path, name: str) -> str:
    """A stylesheet with each of its @import rules replaced by the imported file."""
    text = (static / name).read_text(encoding="utf-8")
    if "@import" not in text:
        return text
    parts = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=False):
        if _is_plain_comment(rule):
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            target = [t.value for t in rule.prelude if t.type in ("string", "url")]
            if len(target) != 1 or any(t.type not in ("string", "url", "whitespace") for t in rule.prelude):
                raise _changed(f"{name} has an @import this module cannot inline: {rule.serialize()}")
            parts.append(_inlined_imports(static, posixpath.normpath(posixpath.join(posixpath.dirname(name), target[0]))))
        elif rule.type != "whitespace":
            parts.append(rule.serialize())
    return "".join(parts)


def _is_plain_comment(rule: Any) -> bool:
    """A comment that need not travel with the rules (only /*! ... */ ones, licences, must)."""
    return rule.type == "comment" and not rule.value.startswith("!")


def bundled_stylesheet(static: Path, names: frozenset[str], own_stylesheets: tuple[str, ...] = ()) -> str:
    """The theme's stylesheets and then ``own_stylesheets`` as one, @imports
    followed; the theme's without the rules that need a class no page or
    script uses, the book's own whole."""
    missing = [name for name in THEME_STYLESHEETS if not (static / name).is_file()]
    if missing:
        raise _changed(f"no {', '.join(missing)} in {static}")
    parts = []
    for name in (*THEME_STYLESHEETS, *own_stylesheets):
        css = _inlined_imports(static, name)
        if name in THEME_STYLESHEETS and name != THEME_CSS:  # that one is slimmed already
            rules = [r for r in tinycss2.parse_stylesheet(css, skip_comments=False) if not _is_plain_comment(r)]
            css = _used_rules(rule_tree(rules), names)[0]
        parts.append(css)
    return "\n".join(parts)


def slim_theme_assets(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        slim_static_folder(Path(app.outdir) / "_static", cache=Path(app.doctreedir) / "theme-cache",
                           own_stylesheets=bundled_stylesheets(app)[len(THEME_STYLESHEETS):])


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("calcinosis_guide.book")
    app.connect("html-page-context", add_component_context)
    app.connect("build-finished", slim_theme_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
