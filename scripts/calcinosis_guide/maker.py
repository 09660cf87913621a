"""The leaflet maker page: a clinic fills the fillable leaflet in its browser.

A Sphinx extension (``calcinosis_guide.maker`` in ``extensions``). Its
``setup()`` registers:

- directive ``clinic-leaflet-maker``: the page's form, one field for each
  clinic field of ``calcinosis_guide.clinic_schema.FORM_FIELDS`` (the limits
  in the hints come from there), a logo, paper, edition and "lock" choices.
  Every word the page's script shows is in this HTML (``data-`` attributes
  and hidden ``<template>`` elements), translated with the book's labels.
- ``html-page-context``: the page's own script and stylesheet,
  ``_static/clinic-leaflet.js`` and ``.css`` (in docs/_static), on the page
  that holds the form only (every other page keeps its weight).
- ``build-finished``: ``_static/clinic-schema.json`` (the JSON Schema the
  script validates with, written from clinic.py), and, under
  ``_static/maker/``, pdf-lib and @pdf-lib/fontkit (from node_modules, with
  their licences) and the leaflet's regular and bold fonts. The script loads those
  only when the reader asks for the PDF; nothing is fetched from elsewhere.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.locale import get_translation
from sphinx.util.docutils import SphinxDirective

from calcinosis_guide import clinic, clinic_schema, render
from calcinosis_guide.book import MESSAGE_CATALOG
from calcinosis_guide.outputs import MAKER_LIBRARIES, PAPERS, leaflet_filename

_ = get_translation(MESSAGE_CATALOG)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "clinic-leaflet.js"
STYLESHEET = "clinic-leaflet.css"
VENDOR = MAKER_LIBRARIES
FONT = "AtkinsonHyperlegible_400Regular.ttf"
FONT_BOLD = "AtkinsonHyperlegible_700Bold.ttf"  # the clinic's name and phone
# (package folder under node_modules, file to copy, licence file or None: written from package.json)
LIBRARIES = (
    ("pdf-lib", "dist/pdf-lib.min.js", "LICENSE.md"),
    ("@pdf-lib/fontkit", "dist/fontkit.umd.min.js", None),
)


class MakerFilesMissing(SphinxError):
    category = "Leaflet maker"


def field_labels() -> dict[str, tuple[str, str]]:
    """Each clinic field's label and example, as the form shows them."""
    return {
        "name": (_("Name of the clinic or team"), _("For example: St Helier Renal Unit")),
        "department": (_("Department"), _("For example: Kidney care")),
        "phone": (_("Phone number"), _("For example: 020 8296 2000 ext 4521")),
        "hours": (_("Opening hours"), _("For example: Monday to Friday, 8am to 6pm")),
        "email": (_("Email address"), _("For example: renal.unit@example.org")),
        "address": (_("Address"), _("The street, town and postcode")),
        "website": (_("Website"), _("Starts with https://")),
        "urgent_help": (_("What to do when the team is closed"), _("For example: Call NHS 111, or the ward on 020 8296 2001")),
        "logo_alt": (_("Describe the logo"), _("For people who cannot see it, for example: St Helier Hospital logo")),
    }


def messages() -> dict[str, str]:
    """Every other word the script shows."""
    return {
        "required": _("Fill in this box."),
        "too_long": _("This is {count} characters. At most {limit} fit on the leaflet."),
        "text": _("This has a character the leaflet cannot print. Use letters, numbers and everyday punctuation."),
        "phone": _("Write a phone number: digits, spaces, + ( ) - . and ext, for example 020 8296 2000 ext 4521."),
        "email": _("Write an email address like renal.unit@example.org."),
        "url": _("Write a web address that starts with https:// or http://."),
        "logo_type": _("The logo must be a PNG or SVG file."),
        "logo_size": _("The logo file is too big. At most 2 MB is allowed."),
        "logo_alt": _("Describe the logo, for people who cannot see it."),
        "summary": _("Please fix the boxes marked below. The first one has the cursor."),
        "working": _("Making your leaflet. This takes a few seconds."),
        "ready": _("Your leaflet is ready. Download it below."),
        "failed": _("The leaflet could not be made: {error}"),
    }


def _text_field(name: str) -> str:
    spec = clinic.FIELDS[name]
    label, example = field_labels()[name]
    need = _("Required.") if spec.required else _("Optional.")
    limit = _("At most {limit} characters.").format(limit=spec.max_length)
    kind = {"phone": "tel", "email": "email", "url": "url"}.get(spec.kind, "text")
    autocomplete = {"phone": "tel", "email": "email", "url": "url"}.get(spec.kind, "off")
    attributes = ' required aria-required="true"' if spec.required else ""
    control = (f'<textarea id="clinic-{name}" name="{name}" rows="3" aria-describedby="clinic-{name}-hint"{attributes}></textarea>'
               if spec.max_length > 60 else
               f'<input type="{kind}" id="clinic-{name}" name="{name}" autocomplete="{autocomplete}" '
               f'spellcheck="false" aria-describedby="clinic-{name}-hint"{attributes}>')
    return (f'<div class="maker-field" data-field="{name}">'
            f'<label for="clinic-{name}">{html.escape(label)}</label>'
            f'<p class="maker-hint" id="clinic-{name}-hint">{html.escape(need)} {html.escape(limit)} '
            f'{html.escape(example)}</p>'
            f'<p class="maker-error" id="clinic-{name}-error" hidden></p>'
            f'{control}</div>')


def _choice(name: str, legend: str, options: list[tuple[str, str]]) -> str:
    buttons = "".join(
        f'<div class="maker-choice"><input type="radio" id="clinic-{name}-{value}" name="{name}" value="{value}"'
        f'{" checked" if number == 0 else ""}><label for="clinic-{name}-{value}">{html.escape(text)}</label></div>'
        for number, (value, text) in enumerate(options))
    return f'<fieldset class="maker-fieldset"><legend>{html.escape(legend)}</legend>{buttons}</fieldset>'


def form_html(to_root: str, language: str) -> str:
    leaflets = {f"{paper}-{'large' if large else 'standard'}": f"{to_root}leaflet/{leaflet_filename(language, paper, large, True)}"
                for paper in PAPERS for large in (False, True)}
    data = {"schema": f"{to_root}_static/{clinic_schema.SCHEMA_ID}",
            "pdf-lib": f"{to_root}_static/{VENDOR}/pdf-lib.min.js",
            "fontkit": f"{to_root}_static/{VENDOR}/fontkit.umd.min.js",
            "font": f"{to_root}_static/{VENDOR}/{FONT}",
            "font-bold": f"{to_root}_static/{VENDOR}/{FONT_BOLD}",
            # The fillable edition's care-team fields, which the page fills: its one definition.
            "care-team-fields": " ".join(field.name for field in render.CARE_TEAM_FORM),
            **{f"leaflet-{key}": url for key, url in leaflets.items()}}
    attributes = " ".join(f'data-{key}="{html.escape(value)}"' for key, value in data.items())
    templates = "".join(f'<template data-message="{key}">{html.escape(text)}</template>' for key, text in messages().items())
    fields = "".join(_text_field(name) for name in clinic_schema.FORM_FIELDS if name != "logo_alt")
    logo_hint = _("Optional. A PNG or SVG file, at most 2 MB. It goes at the top of the first page.")
    # Every label is a plain _() call outside the f-strings: babel's extractor
    # (Python 3.11) does not look inside f-strings, so a label there never
    # reached the catalogs and stayed English (tests/test_translation.py).
    logo_label = _("Logo")
    logo = (f'<div class="maker-field" data-field="logo"><label for="clinic-logo">{html.escape(logo_label)}</label>'
            f'<p class="maker-hint" id="clinic-logo-hint">{html.escape(logo_hint)}</p>'
            f'<p class="maker-error" id="clinic-logo-error" hidden></p>'
            f'<input type="file" id="clinic-logo" name="logo" accept="image/png,image/svg+xml,.png,.svg" '
            f'aria-describedby="clinic-logo-hint"></div>{_text_field("logo_alt")}')
    lock = _("Lock the clinic's details, so the team's box cannot be changed in the PDF. The next-visit boxes stay free to fill in.")
    your_clinic, make = _("Your clinic"), _("Make the leaflet")
    download_pdf, download_toml = _("Download the leaflet (PDF)"), _("Download clinic.toml, for the batch tool")
    return (
        f'<form class="clinic-maker" id="clinic-maker" novalidate {attributes}>'
        f'<div class="maker-summary" role="alert" aria-live="assertive" tabindex="-1" hidden></div>'
        f'<fieldset class="maker-fieldset"><legend>{html.escape(your_clinic)}</legend>{fields}{logo}</fieldset>'
        + _choice("paper", _("Paper size"), [("a4", _("A4")), ("letter", _("US Letter"))])
        + _choice("edition", _("Edition"), [("standard", _("Standard print (2 pages)")), ("large", _("Large print (4 pages)"))])
        + f'<div class="maker-choice"><input type="checkbox" id="clinic-lock" name="lock" checked>'
          f'<label for="clinic-lock">{html.escape(lock)}</label></div>'
          f'<button type="submit" class="maker-button">{html.escape(make)}</button>'
          f'<p class="maker-status" role="status" aria-live="polite"></p>'
          f'<ul class="maker-downloads" hidden>'
          f'<li><a class="maker-pdf" href="#" download>{html.escape(download_pdf)}</a></li>'
          f'<li><a class="maker-toml" href="#" download="clinic.toml">{html.escape(download_toml)}</a></li>'
          f'</ul>{templates}</form>')


class MakerDirective(SphinxDirective):
    """``{clinic-leaflet-maker}``: the form of the leaflet maker page."""

    def run(self) -> list[nodes.Node]:
        to_root = "../" * self.env.docname.count("/")
        self.env.metadata[self.env.docname]["clinic_leaflet_maker"] = True
        # The page links its script and stylesheet with their checksums (?v=): a change to
        # either rewrites the page in an incremental build too, as a fresh build writes it.
        for name in (SCRIPT, STYLESHEET):
            self.env.note_dependency(str(Path(self.env.srcdir) / "_static" / name))
        return [nodes.raw("", form_html(to_root, self.config.language or "en"), format="html")]


def add_page_script(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.env.metadata.get(pagename, {}).get("clinic_leaflet_maker"):
        # Only this page loads it (Sphinx keeps per-page script lists).
        app.add_js_file(SCRIPT, type="module")
        app.add_css_file(STYLESHEET)


def node_modules() -> Path:
    return ROOT / "node_modules"


def copy_maker_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    clinic_schema.write_schema(static / clinic_schema.SCHEMA_ID)
    target = static / VENDOR
    target.mkdir(parents=True, exist_ok=True)
    for package, dist, licence in LIBRARIES:
        folder = node_modules() / package
        if not (folder / dist).is_file():
            raise MakerFilesMissing(f"{folder / dist}: not found; run `make` (it installs node_modules with npm ci)")
        shutil.copyfile(folder / dist, target / Path(dist).name)
        name = package.split("/")[-1]
        if licence:
            shutil.copyfile(folder / licence, target / f"{name}.LICENSE.txt")
        else:
            import json

            meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
            (target / f"{name}.LICENSE.txt").write_text(
                f"{meta['name']} {meta['version']}: licence {meta['license']} (from its package.json; "
                f"the package has no licence file). Author: {meta.get('author', 'see the package')}.\n"
                f"Based on fontkit by Devon Govett (MIT).\n", encoding="utf-8")
    fonts = Path(clinic.__file__).resolve().parent / "printed" / "fonts"
    for font in (FONT, FONT_BOLD):
        shutil.copyfile(fonts / font, target / font)
    shutil.copyfile(fonts / "OFL.txt", target / "AtkinsonHyperlegible.OFL.txt")


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("calcinosis_guide.book")
    app.add_directive("clinic-leaflet-maker", MakerDirective)
    app.connect("html-page-context", add_page_script)
    # Before the theme slims _static (500) and the offline worker lists it (800).
    app.connect("build-finished", copy_maker_files, priority=400)
    return {"version": "1.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
