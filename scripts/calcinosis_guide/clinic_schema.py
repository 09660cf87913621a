"""The clinic fields' rules as a JSON Schema, written from ``clinic.FIELDS``.

One definition: the leaflet maker page (docs/clinic-leaflet.md, its script
``_static/clinic-leaflet.js``) validates what a clinic types with this
schema, and the batch tool validates clinic TOML files with
``calcinosis_guide.clinic``; both come from ``clinic.FIELDS`` and the
patterns there. tests/test_clinic_schema.py generates good and bad values
and fails if the schema and the Python validator disagree on any of them.

The patterns use only what Python's ``re`` and JavaScript's ``RegExp`` (with
the ``u`` flag) read alike: literal characters and ranges, no ``\\s``, no
``.``, no ``$``, no flags. A value is checked as typed, with any spaces around it (the
Python validator strips them, so the length pattern allows them); each
``allOf`` entry carries ``x-error``, the key of the message the page shows.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from calcinosis_guide import clinic

SCHEMA_ID = "clinic-schema.json"
# The fields a web form fills: the logo is a file there, not a path; its checks
# (PNG or SVG, at most MAX_LOGO_BYTES) are the page's, from "x-logo".
# The end of the value: Python's $ also matches before a last line feed, JavaScript's does not.
END = r"(?![\s\S])"
FORM_FIELDS = tuple(name for name, spec in clinic.FIELDS.items() if spec.kind != "path")


@functools.lru_cache(maxsize=1)
def spaces() -> str:
    """The spaces a value may hold (and has stripped from its ends): str.isspace, not control."""
    return "".join(chr(code) for code in range(0x3001)
                   if chr(code).isspace() and not clinic.refused_character(chr(code)))


@functools.lru_cache(maxsize=1)
def letters() -> str:
    """Every other character a value may hold: those the leaflet's font prints."""
    return "".join(chr(code) for code in sorted(clinic.printable_characters())
                   if not clinic.refused_character(chr(code)) and not chr(code).isspace())


def char_class(chars: str, negate: bool = False) -> str:
    """A regular-expression character class of ``chars``, as ranges, read alike by Python and JS."""
    codes = sorted(set(ord(c) for c in chars))
    parts, start, previous = [], None, None
    for code in codes + [None]:
        if start is not None and code == previous + 1:
            previous = code
            continue
        if start is not None:
            first, last = _escape(chr(start)), _escape(chr(previous))
            parts.append(first if start == previous else
                         f"{first}{last}" if previous == start + 1 else f"{first}-{last}")
        start = previous = code
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _escape(char: str) -> str:
    return "\\" + char if char in "\\]^-[/" else char


def text_pattern(max_length: int) -> str:
    """Spaces, then 1 to ``max_length`` printable characters starting and ending with no space, then spaces."""
    space, letter, any_char = char_class(spaces()), char_class(letters()), char_class(letters() + spaces())
    return f"^{space}*{letter}(?:{any_char}{{0,{max_length - 2}}}{letter})?{space}*{END}"


def kind_pattern(kind: str) -> str | None:
    """The pattern of a phone number, email or web address, spaces allowed around it."""
    body = clinic.KIND_PATTERNS.get(kind)
    if body is None:
        return None
    space = char_class(spaces())
    return f"^{space}*(?:{body}){space}*{END}"


def field_schema(name: str, spec: clinic.Field) -> dict:
    checks = [{"pattern": text_pattern(spec.max_length), "x-error": "text"}]
    if kind_pattern(spec.kind):
        checks.append({"pattern": kind_pattern(spec.kind), "x-error": spec.kind})
    return {"type": "string", "x-limit": spec.max_length, "x-kind": spec.kind, "allOf": checks}


def schema() -> dict:
    fields = {name: field_schema(name, clinic.FIELDS[name]) for name in FORM_FIELDS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "A clinic's details for the leaflet (clinic.toml, without the logo's path)",
        "type": "object",
        "properties": fields,
        "required": [name for name in FORM_FIELDS if clinic.FIELDS[name].required],
        "additionalProperties": False,
        "x-logo": {"types": ["image/png", "image/svg+xml"], "maxBytes": clinic.MAX_LOGO_BYTES,
                   "maxPixels": clinic.MAX_LOGO_PIXELS, "describedBy": "logo_alt"},
    }


def write_schema(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
