"""One definition of the clinic fields: the JSON Schema the maker page validates with agrees with clinic.py.

Generated values (good, bad and on the edges: lengths at the limit, spaces
around, control characters, characters the leaflet's font cannot print,
phone numbers, email and web addresses) go to three judges: the Python
validator of clinic TOML files (clinic._check_text), the schema under
Python's jsonschema, and the schema under JavaScript's RegExp in Node, as
the page's own script reads it (its validator, imported from the built
site). The test fails on the first value they disagree on.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from calcinosis_guide import clinic, clinic_schema

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = clinic_schema.schema()
VALIDATOR = jsonschema.Draft202012Validator
FIELDS = clinic_schema.FORM_FIELDS
PATH = Path("clinic.toml")

# Characters to build values from: the usual ones, the edge cases and the refused ones.
ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ++()-./@:éñçÿŁ–’\u00a0\u2003\u3000"
            "\t\n\r\x00\x1f\x85\u2028\ufeff中\U0001F600ſK")
SAMPLES = {
    "name": ["St Helier Renal Unit", "Centro Regional de Diálisis y Nefrología San José", "x" * 60, "x" * 61,
             "  padded  ", " " + "y" * 60 + " ", "", "   ", "Kidney\nUnit", "日本"],
    "phone": ["020 8296 2000 ext 4521", "(555) 123-4567 ext 123", "+44 20 7946 0000", "01632 960 123 x5",
              "555-CALL", "ext 5", "1 EXT. 2", "12 ext", " 0123 ", "0\u00a01"],
    "email": ["renal@example.org", "a@b.c", "a@b", "a b@c.d", "@b.c", " renal@example.org ", "a@@b.c"],
    "website": ["https://www.example.org/renal", "http://a.b", "HTTPS://A.B", "ftp://a.b", "https://a",
                "https://a.b c", "https:///a.b", "www.example.org", " https://a.b "],
}


def python_accepts(name: str, value) -> bool:
    try:
        clinic._check_text(PATH, name, value, clinic.FIELDS[name])
    except clinic.ClinicFileError:
        return False
    return True


def schema_accepts(name: str, value) -> bool:
    return VALIDATOR(SCHEMA["properties"][name]).is_valid(value)


def generated_cases(count: int = 1500, seed: int = 12) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    cases = [(name, value) for name, values in SAMPLES.items() for value in values]
    for _ in range(count):
        name = rng.choice(FIELDS)
        limit = clinic.FIELDS[name].max_length
        length = rng.choice([0, 1, 2, rng.randint(1, limit), limit - 1, limit, limit + 1, limit + 2])
        good = rng.random() < 0.7
        chars = "abcdefXYZ0123 -.éñ" if good else ALPHABET
        value = "".join(rng.choice(chars) for _ in range(length))
        if rng.random() < 0.3:
            value = rng.choice(" \u00a0") + value + rng.choice(["", " ", "\u3000"])
        if name == "phone" and rng.random() < 0.6:
            value = "".join(rng.choice("0123456789 ()+-.") for _ in range(rng.randint(1, 20))) \
                + rng.choice(["", " ext 45", "x9", " EXT.12", " ext"])
        if name in ("email", "website") and rng.random() < 0.6:
            value = rng.choice(["", "https://", "http://", "mailto:"]) + rng.choice(["a", "ab@c", "a.b", "x y"]) \
                + rng.choice(["", ".org", "/p", "@d.e"])
        cases.append((name, value))
    return cases


def test_the_schema_is_written_from_clinic_py():
    assert list(SCHEMA["properties"]) == [name for name in clinic.FIELDS if name != "logo"]
    assert SCHEMA["required"] == [name for name, spec in clinic.FIELDS.items() if spec.required]
    for name in FIELDS:
        assert SCHEMA["properties"][name]["x-limit"] == clinic.FIELDS[name].max_length
    assert SCHEMA["x-logo"]["maxBytes"] == clinic.MAX_LOGO_BYTES
    # The spaces the patterns allow are those clinic.py strips and does not refuse.
    in_class = {c for c in map(chr, range(0x3001)) if re.fullmatch(f"[{clinic.SPACES}]", c)}
    assert set(clinic_schema.spaces()) == in_class
    assert in_class == {c for c in map(chr, range(0x3001)) if c.isspace() and unicodedata.category(c) != "Cc"
                        and c not in "\u2028\u2029"}


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, values in SAMPLES.items() for v in values])
def test_python_and_the_schema_agree_on_the_samples(name, value):
    assert python_accepts(name, value) == schema_accepts(name, value), (name, value)


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(FIELDS), value=st.one_of(
    st.text(alphabet=ALPHABET, max_size=95),
    st.text(max_size=95),
    st.from_regex(r"\A *[0-9()+ -]{1,20}( ?(ext|x|EXT\.) ?[0-9]{0,4})? *\Z"),
    st.from_regex(r"\A(https?://|HTTP://)?[a-z. /]{0,12}(\.[a-z]{0,3})?\Z"),
    st.from_regex(r"\A[a-z .@]{0,8}@?[a-z.]{0,8}\Z"),
    st.integers(), st.none()))
def test_python_and_the_schema_agree_on_generated_values(name, value):
    assert python_accepts(name, value) == schema_accepts(name, value), (name, value)


def test_the_schema_finds_what_python_refuses_in_a_whole_clinic_file(tmp_path):
    import tomli_w

    good = {"name": "St Helier Renal Unit", "phone": "020 8296 2000 ext 4521", "hours": "Mon-Fri 8am-6pm",
            "urgent_help": "Call NHS 111 or go to A&E"}
    variants = [good, {**good, "website": "https://www.example.org"}, {k: v for k, v in good.items() if k != "phone"},
                {**good, "fax": "0123"}, {**good, "name": "x" * 61}, {**good, "logo_alt": "Our logo"}]
    for number, data in enumerate(variants):
        path = tmp_path / f"clinic-{number}.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        try:
            clinic.load_clinic(path)
            python = True
        except clinic.ClinicFileError:
            python = False
        assert python == VALIDATOR(SCHEMA).is_valid(data), data


def test_the_pages_script_reads_the_schema_as_python_does(book, tmp_path):
    """The page's own validator, in Node (JavaScript's RegExp), on the same generated values."""
    if not shutil.which("node"):
        pytest.skip("needs node")
    static = book / "html" / "_static"
    built = json.loads((static / "clinic-schema.json").read_text(encoding="utf-8"))
    assert built == json.loads(json.dumps(SCHEMA)), "the built site's schema is not clinic.py's"
    cases = generated_cases()
    module = tmp_path / "clinic-leaflet.mjs"
    shutil.copy(static / "clinic-leaflet.js", module)
    (tmp_path / "cases.json").write_text(json.dumps({"schema": built, "cases": cases}), encoding="utf-8")
    script = ("import { readFileSync } from 'node:fs'; import { fieldError } from './clinic-leaflet.mjs';"
              "const { schema, cases } = JSON.parse(readFileSync('cases.json', 'utf8'));"
              "console.log(JSON.stringify(cases.map(([name, value]) => fieldError(schema, name, value) === null)));")
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    javascript = json.loads(result.stdout)
    disagree = [(name, value, python_accepts(name, value), verdict)
                for (name, value), verdict in zip(cases, javascript, strict=True)
                if python_accepts(name, value) != verdict]
    assert not disagree, disagree[:5]
    assert sum(javascript) > len(cases) / 5 and not all(javascript)  # both kinds were tried
