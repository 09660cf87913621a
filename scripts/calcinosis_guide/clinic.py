"""Read and check a clinic's details file (TOML) before anything is rendered.

Clinic files are typed by busy staff and sometimes copied from elsewhere, so
every field is checked: unknown or missing keys, types, lengths that would
break the two-page layout, control characters, unsafe web addresses and
logos that are missing, too big, not images, or outside the clinic's folder.
Every problem is one line naming the file and the field.
"""

from __future__ import annotations

import base64
import io
import datetime as dt
import difflib
import functools
import re
import struct
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000  # more than any printed logo needs; stops decompression bombs


FONT_FILES = sorted((Path(__file__).resolve().parent / "printed" / "fonts").glob("*.ttf"))


@functools.lru_cache(maxsize=1)
def printable_characters() -> frozenset[int]:
    """Code points every style of the leaflet's font can draw.

    Anything else would fall back to whatever fonts the building machine has
    (or print as empty boxes), so clinic text is limited to these.
    """
    from fontTools.ttLib import TTFont

    coverage = [set(TTFont(path)["cmap"].getBestCmap()) for path in FONT_FILES]
    return frozenset(set.intersection(*coverage))


class ClinicFileError(ValueError):
    """A problem with the clinic file, already phrased for the user."""


@dataclass(frozen=True)
class Field:
    required: bool
    max_length: int
    kind: str = "text"  # text | phone | email | url | path


# Lengths are what still fits the standard leaflet on two pages (tested with
# every field at its maximum).
FIELDS: dict[str, Field] = {
    "name": Field(True, 60),
    "department": Field(False, 40),
    "phone": Field(True, 24, "phone"),
    "hours": Field(True, 40),
    "email": Field(False, 40, "email"),
    "address": Field(False, 60),
    "website": Field(False, 40, "url"),
    "urgent_help": Field(True, 90),
    "logo": Field(False, 200, "path"),
    "logo_alt": Field(False, 80),
}
APPROVAL_FIELDS: dict[str, Field] = {
    "approved_by": Field(True, 30),
    "date": Field(True, 10, "date"),
    "reference": Field(True, 16),
}

# The texts a clinic may give again in another language, in a table named by
# the language's code ([es] hours = "..."); the leaflet in that language
# prints them instead. Numbers, addresses for the web and the logo stay one.
TRANSLATABLE_FIELDS = ("name", "department", "hours", "address", "urgent_help", "logo_alt")
LANGUAGE_TABLE_RE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")


# The kinds' rules, written once for this module and for the web form (the
# JSON Schema of calcinosis_guide.clinic_schema): only what Python's re and
# JavaScript's RegExp read alike (no \s, no flags). SPACES: the spaces
# str.strip removes that are not control characters.
SPACES = " \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
KIND_PATTERNS = {
    "phone": f"[0-9+()\\-. /]*[0-9][0-9+()\\-. /]*(?:[{SPACES}]*(?:[Ee][Xx][Tt]\\.?|[Xx])[{SPACES}]*[0-9]+)?",
    "email": f"[^@{SPACES}]+@[^@{SPACES}]+\\.[^@{SPACES}]+",
    "url": f"[Hh][Tt][Tt][Pp][Ss]?://[^{SPACES}/]+\\.[^{SPACES}]+",
}
PHONE_RE, EMAIL_RE, URL_RE = (re.compile(f"^(?:{KIND_PATTERNS[kind]})$") for kind in ("phone", "email", "url"))


def _fail(path: Path, field: str, message: str) -> ClinicFileError:
    return ClinicFileError(f"{path}: {field}: {message}")


def _check_unknown(path: Path, table: dict, allowed: dict, prefix: str = "") -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            raise _fail(path, prefix + key, f"unknown key{hint}")


# Refused in any text, before anything else: control, surrogate, private-use and
# unassigned characters, and the Unicode line and paragraph separators (a value is one line).
REFUSED_CATEGORIES = ("Cc", "Cs", "Co", "Cn")
LINE_SEPARATORS = "\u2028\u2029"


def refused_character(char: str) -> bool:
    return unicodedata.category(char) in REFUSED_CATEGORIES or char in LINE_SEPARATORS


def _check_text(path: Path, name: str, value: Any, spec: Field) -> str:
    if spec.kind == "date":
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise _fail(path, name, "must be a date written YYYY-MM-DD, without quotes")
        return value.isoformat()
    if not isinstance(value, str):
        raise _fail(path, name, f"must be text in quotes, got {type(value).__name__}")
    for char in value:
        if refused_character(char):
            raise _fail(path, name, f"contains a control or invalid character (U+{ord(char):04X})")
    value = value.strip()
    if not value:
        raise _fail(path, name, "is empty")
    missing = [char for char in value if ord(char) not in printable_characters() and not char.isspace()]
    if missing:
        raise _fail(path, name, f"contains {missing[0]!r} (U+{ord(missing[0]):04X}), which the leaflet's font "
                                "cannot print; this edition prints Latin-script text only")
    if len(value) > spec.max_length:
        raise _fail(path, name, f"is {len(value)} characters; at most {spec.max_length} fit on the leaflet")
    if spec.kind == "phone" and not PHONE_RE.match(value):
        raise _fail(path, name, "must be a phone number (digits, spaces, + ( ) - . and an optional ext)")
    if spec.kind == "email" and not EMAIL_RE.match(value):
        raise _fail(path, name, "must be an email address like clinic@example.org")
    if spec.kind == "url" and not URL_RE.match(value):
        raise _fail(path, name, "must be a web address starting with https:// or http://")
    return value


def _logo_data_uri(clinic_file: Path, relative: str) -> str:
    folder = clinic_file.parent.resolve()
    if "\\" in relative:
        raise _fail(clinic_file, "logo", "use / between folders, not \\ (for example \"images/logo.png\")")
    if Path(relative).is_absolute():
        raise _fail(clinic_file, "logo", "must be a path relative to the clinic file's folder")
    candidate = folder / relative
    try:
        real = candidate.resolve(strict=True)
        if not real.is_relative_to(folder):
            raise _fail(clinic_file, "logo", "points outside the clinic file's folder")
        if not real.is_file():
            raise _fail(clinic_file, "logo", f"is not a file: {relative}")
        size = real.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise _fail(clinic_file, "logo", f"is {size / 1048576:.1f} MB; the limit is 2 MB")
        data = real.read_bytes()
    except FileNotFoundError:
        raise _fail(clinic_file, "logo", f"file not found: {relative}") from None
    except (OSError, RuntimeError) as exc:  # a path through a file, a symlink loop, no permission
        reason = getattr(exc, "strerror", None) or "symlink loop"
        raise _fail(clinic_file, "logo", f"cannot be read: {relative} ({reason})") from None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(clinic_file, data)
        mime = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        _check_jpeg(clinic_file, data)
        mime = "image/jpeg"
    elif real.suffix.lower() == ".svg":
        _check_svg(clinic_file, data)
        mime = "image/svg+xml"
    else:
        raise _fail(clinic_file, "logo", "is not a PNG, JPEG or SVG image; save it as PNG")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _check_png(clinic_file: Path, data: bytes) -> None:
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise _fail(clinic_file, "logo", "is not a valid PNG image")
    width, height = struct.unpack(">II", data[16:24])
    if width == 0 or height == 0 or width * height > MAX_LOGO_PIXELS:
        raise _fail(clinic_file, "logo", f"is {width}x{height} pixels; at most 25 megapixels are allowed")
    # Decode it for real (the size is already known to be safe): a damaged
    # PNG would otherwise vanish from the leaflet without a word.
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # chunk checksums, whatever LOAD_TRUNCATED_IMAGES another library set
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception as exc:  # Pillow raises many kinds for damaged files
        raise _fail(clinic_file, "logo", f"is not a valid PNG image ({type(exc).__name__})") from None


def _check_jpeg(clinic_file: Path, data: bytes) -> None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_LOGO_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                raise _fail(clinic_file, "logo", f"is {width}x{height} pixels; at most 25 megapixels are allowed")
            image.load()
    except ClinicFileError:
        raise
    except Exception as exc:  # Pillow raises many kinds for damaged files (and for bombs)
        raise _fail(clinic_file, "logo", f"is not a valid JPEG image ({type(exc).__name__}); save it as PNG") from None


# Only plain drawing elements; anything that loads, runs or writes text is refused.
SVG_ALLOWED_ELEMENTS = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "defs", "use",
    "symbol", "clipPath", "mask", "linearGradient", "radialGradient", "stop", "title", "desc",
}
SVG_LOCAL_REFERENCE = re.compile(r"^\s*#[\w.-]+\s*$")
SVG_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"]*)", re.I)


def _check_svg(clinic_file: Path, data: bytes) -> None:
    import xml.etree.ElementTree as ElementTree

    def refuse(problem: str) -> ClinicFileError:
        return _fail(clinic_file, "logo", f"SVG {problem}; only self-contained drawings are allowed")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse("is not UTF-8 text") from None
    declared = re.match(r"\ufeff?\s*<\?xml[^>]*encoding=['\"]([^'\"]+)", text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise refuse(f"declares the encoding {declared.group(1)}")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        raise refuse("declares a DOCTYPE or entities")
    if re.search(r"<\?xml-stylesheet", text, re.I):
        raise refuse("loads a stylesheet")
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as exc:
        raise refuse(f"is not well-formed XML ({exc})") from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise _fail(clinic_file, "logo", "is not an SVG image")
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name not in SVG_ALLOWED_ELEMENTS:
            if name in ("text", "tspan", "textPath"):
                # Text would be drawn in whatever fonts the building machine has.
                raise refuse("contains text; convert the text to outlines (paths) first")
            if name == "script" or name == "foreignObject":
                raise refuse(f"contains <{name}> (scripts or outside content)")
            raise refuse(f"contains a <{name}> element")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise refuse("contains scripts")
            if local in ("href", "src") and not SVG_LOCAL_REFERENCE.match(value):
                raise refuse("refers to an outside file or address")
            if "\\" in value or "@" in value and local == "style":
                raise refuse("has escaped or at-rule styles")
            for target in SVG_URL.findall(value):
                if not SVG_LOCAL_REFERENCE.match(target):
                    raise refuse("refers to an outside file or address")


def _syntax_hint(text: str, error: str) -> str:
    """What to do about the commonest slips in a hand-typed file, from the line that failed."""
    match = re.search(r"at line (\d+)", error)
    lines = text.splitlines()
    if not match or not 0 < int(match.group(1)) <= len(lines):
        return ""
    line = lines[int(match.group(1)) - 1]
    value = line.partition("=")[2].strip()
    if re.search("[\u201c\u201d\u2018\u2019\u00ab\u00bb]", line):
        return '; use straight double quotes ("), not curly quotes'
    if "\\" in line:
        return '; use / between folders, not \\ (for example logo = "images/logo.png")'
    if value and not re.match(r'["\'\[{0-9+-]|true\b|false\b', value):
        return '; put text in straight double quotes, for example name = "Riverside Kidney Unit"'
    return ""


def clinic_in(clinic: dict[str, Any] | None, language: str) -> dict[str, Any] | None:
    """The clinic's details with its texts in ``language`` where the file gives them ([es] ...)."""
    if not clinic or language not in clinic.get("languages", {}):
        return clinic
    return {**clinic, **clinic["languages"][language]}


def load_clinic(path: Path) -> dict[str, Any]:
    """The checked clinic details, ready for the template; raise ClinicFileError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ClinicFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ClinicFileError(f"{path}: is a folder, not a TOML file") from None
    except OSError as exc:
        raise ClinicFileError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        # "utf-8-sig": Windows Notepad starts a UTF-8 file with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ClinicFileError(f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                              "save the file as UTF-8 (in Notepad: Save as, Encoding: UTF-8)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClinicFileError(f"{path}: TOML syntax error: {exc}{_syntax_hint(text, str(exc))}") from None

    languages = {key: value for key, value in data.items()
                 if key not in FIELDS and LANGUAGE_TABLE_RE.match(key) and isinstance(value, dict)}
    allowed = {**FIELDS, "approval": None, **dict.fromkeys(languages)}
    _check_unknown(path, data, allowed)
    clinic: dict[str, Any] = {"source": str(path)}
    for name, spec in FIELDS.items():
        if name not in data:
            if spec.required:
                raise _fail(path, name, "is missing (required)")
            continue
        clinic[name] = _check_text(path, name, data[name], spec)

    if "approval" in data:
        approval = data["approval"]
        if not isinstance(approval, dict):
            raise _fail(path, "approval", "must be a table: [approval]")
        _check_unknown(path, approval, APPROVAL_FIELDS, prefix="approval.")
        clinic["approval"] = {}
        for name, spec in APPROVAL_FIELDS.items():
            if name not in approval:
                raise _fail(path, f"approval.{name}", "is missing (required in [approval])")
            clinic["approval"][name] = _check_text(path, f"approval.{name}", approval[name], spec)

    translatable = {name: FIELDS[name] for name in TRANSLATABLE_FIELDS}
    for language, table in languages.items():
        _check_unknown(path, table, translatable, prefix=f"{language}.")
        clinic.setdefault("languages", {})[language] = {
            name: _check_text(path, f"{language}.{name}", value, translatable[name]) for name, value in table.items()}

    if "logo" in clinic:
        if "logo_alt" not in clinic:
            raise _fail(path, "logo_alt", "is missing: describe the logo for screen readers")
        clinic["logo_uri"] = _logo_data_uri(path, clinic["logo"])
    return clinic
