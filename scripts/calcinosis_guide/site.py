"""Assemble the books of every language into one site for hosting (``make site``).

Each language's built book (``_build/html``, ``_build/html-<lang>``) is
copied to where its address puts it under the site's root
(``calcinosis_guide.languages.site_path``: ``en/latest/`` and
``es/latest/`` for ``https://…/{language}/latest/``) in ``_build/site/``,
with, at the root:

- ``index.html``: a small page in every language that links each book. It
  follows the reader's browser language only as a suggestion: the link to
  the book in that language is moved first and marked, and nothing sends
  the reader anywhere by itself;
- ``sitemap.xml``: a sitemap index naming each book's own sitemap, and
  ``robots.txt`` pointing at it.

The site is assembled in a staging folder and swapped in whole; a missing
book is one line and exit 2.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from calcinosis_guide.book import BookMetadataError, load_book_metadata
from calcinosis_guide.languages import book_url, language_name, site_languages, site_path, site_root
from calcinosis_guide.outputs import html_dir

ROOT_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
{alternates}
<style>
  body {{ font: 1.125rem/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; background: #fff; }}
  a {{ color: #0b4f8a; }}
  li {{ margin: 0.75rem 0; }}
  .suggested {{ font-weight: 700; }}
  @media (prefers-color-scheme: dark) {{ body {{ color: #eee; background: #121212; }} a {{ color: #9ccbff; }} }}
</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<ul id="books">
{items}
</ul>
</main>
<script>
  // A suggestion only: the book in the reader's browser language goes first.
  (function () {{
    var list = document.getElementById("books");
    var wanted = (navigator.languages || [navigator.language || ""]).map(function (l) {{ return l.toLowerCase().split("-")[0]; }});
    for (var i = 0; i < wanted.length; i++) {{
      var item = list.querySelector('li[data-lang="' + wanted[i] + '"]');
      if (item) {{ item.classList.add("suggested"); list.insertBefore(item, list.firstChild); break; }}
    }}
  }})();
</script>
</body>
</html>
"""


class SiteError(Exception):
    """A book is missing or the site cannot be written; one line."""


def root_page(book: dict, titles: dict[str, tuple[str, str]], paths: dict[str, str]) -> str:
    """The site's root page: each book by its title, in its own language."""
    items, alternates = [], []
    for code, (title, subtitle) in titles.items():
        items.append(f'<li data-lang="{code}" lang="{code}"><a href="{html.escape(paths[code])}" '
                     f'hreflang="{code}">{html.escape(title)}</a> ({html.escape(language_name(code))}): '
                     f'{html.escape(subtitle)}</li>')
        alternates.append(f'<link rel="alternate" hreflang="{code}" '
                          f'href="{html.escape(book_url(book["base_url"], code))}" />')
    english_title = titles["en"][0]
    heading = " / ".join(dict.fromkeys(title for title, _subtitle in titles.values()))
    return ROOT_PAGE.format(lang="en", title=html.escape(english_title), heading=html.escape(heading),
                            items="\n".join(items), alternates="\n".join(alternates))


def book_titles(build_dir: Path, code: str, book: dict) -> tuple[str, str]:
    """The translated title and subtitle, from the language's leaflet hand-over."""
    import json

    handover = Path(build_dir) / "leaflet-content" / f"{code}.json"
    try:
        data = json.loads(handover.read_text(encoding="utf-8"))["book"]
        return data["title"], data["subtitle"]
    except (OSError, ValueError, KeyError):
        return book["title"], book["subtitle"]


def assemble(source: Path, build_dir: Path) -> Path:
    try:
        book = load_book_metadata(Path(source) / "book.toml")["book"]
    except BookMetadataError as exc:
        raise SiteError(str(exc)) from None
    languages = site_languages(source)
    for code in languages:
        if not (html_dir(build_dir, code) / "index.html").is_file():
            raise SiteError(f"no built book for {code!r} in {html_dir(build_dir, code)}: "
                            f"run make LANGUAGE={code} (make site builds every language)")
    target = Path(build_dir) / "site"
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=build_dir))
    try:
        paths = {code: site_path(book["base_url"], languages, code) for code in languages}
        for code in languages:
            shutil.copytree(html_dir(build_dir, code), staging / paths[code], symlinks=True,
                            dirs_exist_ok=True)
        titles = {code: book_titles(build_dir, code, book) for code in languages}
        (staging / "index.html").write_text(root_page(book, titles, paths), encoding="utf-8")
        root_url = f"{urlsplit(book_url(book['base_url'], 'en'))._replace(path=site_root(book['base_url'], languages)).geturl()}"
        index = "".join(f"<sitemap><loc>{html.escape(book_url(book['base_url'], code))}sitemap.xml</loc></sitemap>"
                        for code in languages)
        (staging / "sitemap.xml").write_text(
            "<?xml version='1.0' encoding='utf-8'?>\n"
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>\n',
            encoding="utf-8")
        (staging / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {root_url}sitemap.xml\n",
                                            encoding="utf-8")
        (staging / ".nojekyll").write_text("")
        old = Path(build_dir) / ".site-previous"
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("docs"))
    parser.add_argument("--build-dir", type=Path, default=Path("_build"))
    parser.add_argument("--languages", action="store_true", help="print the site's languages and stop")
    args = parser.parse_args(argv)
    if args.languages:
        print(" ".join(site_languages(args.source)))
        return 0
    try:
        target = assemble(args.source, args.build_dir)
    except SiteError as exc:
        print(f"site: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"site: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"site: {target} ({', '.join(site_languages(args.source))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
