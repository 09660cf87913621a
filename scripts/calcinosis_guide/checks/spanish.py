"""Readability of Spanish text, counted offline: words, syllables, and the
Szigriszt-Pazos perspicuity (INFLESZ scale) and Fernández-Huerta scores.

Syllables follow the rules of Spanish spelling, which writes them almost as
they sound: each group of vowels is one syllable, except that two strong
vowels (a, e, o, or an accented í or ú) side by side are two (hiatus:
"ve-o", "dí-a"); an unaccented i, u or ü joins the vowel beside it
(diphthong: "cau-sa", "sue-ro", "buey"). A silent u after q or g
("que", "guiso") joins the vowel after it by the same rule, and h does not
join vowels ("pro-hí-be" keeps three). A y is a vowel only at the end of a
word after a vowel ("hay", "muy") or alone ("y"), where it adds no syllable
to the vowel before it.
"""

from __future__ import annotations

import re

STRONG = set("aeoáéóíúàèò")
WEAK = set("iuüy")
VOWELS = STRONG | set("iuü")
# Letters and digits of any alphabet; a word may have an apostrophe or a hyphen inside.
WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

# Fernández-Huerta (1959), as corrected: 206.84 - 0.60 P - 1.02 F, with P the
# syllables and F the sentences per 100 words.
# Szigriszt-Pazos (1993): 206.835 - 62.3 syllables/words - words/sentences,
# read on the INFLESZ scale (Barrio-Cantalejo et al., 2008).
INFLESZ_SCALE = ((40, "muy difícil"), (55, "algo difícil"), (65, "normal"), (80, "bastante fácil"),
                 (float("inf"), "muy fácil"))


def words_of(text: str) -> list[str]:
    return WORD_RE.findall(text)


def syllables(word: str) -> int:
    """The syllables of one Spanish word (a number or an acronym: its letters' count is not read)."""
    word = word.lower()
    if not any(c.isalpha() for c in word):
        return max(1, len(word))  # digits: read as numbers, about one syllable each
    count = 0
    group: list[str] = []
    letters = word + " "
    for i, c in enumerate(letters):
        is_vowel = c in VOWELS or (c == "y" and (i == len(word) - 1 and i > 0 and letters[i - 1] in VOWELS))
        if is_vowel:
            group.append(c)
            continue
        if group:
            count += max(1, sum(1 for v in group if v in STRONG))
            group = []
    if word == "y":
        return 1
    return max(1, count)


def szigriszt_pazos(words: int, syllable_count: int, sentences: int) -> float:
    if not words or not sentences:
        return 0.0
    return 206.835 - 62.3 * syllable_count / words - words / sentences


def fernandez_huerta(words: int, syllable_count: int, sentences: int) -> float:
    if not words or not sentences:
        return 0.0
    return 206.84 - 0.60 * 100 * syllable_count / words - 1.02 * 100 * sentences / words


def inflesz_grade(score: float) -> str:
    return next(name for limit, name in INFLESZ_SCALE if score < limit)
