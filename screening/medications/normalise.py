"""Turn what a patient typed into comparable words.

The same function normalises lexicon aliases and patient text, so "Tylenol #3",
"tylenol no. 3" and "TYLENOL 3 tablets 300/30mg" all become `tylenol 3 tablets`.
Strengths ("30/500", "5 mg", "25mcg/hr") are removed; "#3", "No. 3" and "no3" become
"3"; release markers (ER, SR, XL, "Contin", "patch", "extended-release", "24hr" ...)
become the single word `er`; connectors ("and", "with", "&", "+", "w/") are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

_WORDS = yaml.safe_load((Path(__file__).parent / "lexicon" / "words.yaml").read_text("utf-8"))

MARKER = "er"
RELEASE_MARKERS: frozenset[str] = frozenset(_WORDS["release_markers"])
CONNECTORS: frozenset[str] = frozenset(_WORDS["connectors"])
NOISE: frozenset[str] = frozenset(_WORDS["noise"])
STOPWORDS: frozenset[str] = frozenset(_WORDS["stopwords"])
# Two-word phrases rewritten to one word: ("extended", "release") -> "er".
_PHRASES: dict[tuple[str, ...], str] = {
    tuple(phrase.split()): word
    for word, phrases in _WORDS["release_phrases"].items()
    for phrase in phrases
}

_NUM = r"\d+(?:[.,]\d+)?"
_UNIT = (r"(?:mcg|mcgs|micrograms?|ug|mg|mgs|milligrams?|gm|gms|grams?|g|mls?"
         r"|millilit(?:er|re)s?|l|ius?|units?|mmol|meq|%)")
_PER = rf"(?:\s*/\s*(?:{_NUM}\s*)?(?:{_UNIT}|h|hr|hrs|hour|day|d|dose|spray|tab|tablet|cap))?"
# A strength: "30/500", "10-325", "5/325mg", "7.5 mg", "25mcg/hr", "1,000 IU", "0.5%".
# Never glued to a letter on the left, so "c1/2" (Fiorinal C1/2) and "b12" survive.
_STRENGTH = re.compile(
    rf"(?<![a-z0-9.]){_NUM}\s*(?:{_UNIT}\s*)?[/-]\s*{_NUM}(?:\s*{_UNIT})?{_PER}(?![a-z0-9])"
    rf"|(?<![a-z0-9.]){_NUM}\s*{_UNIT}{_PER}(?![a-z0-9%])"
)
# "No. 3", "no3", "number 3" -> "3" (the "#" goes with the other punctuation).
_NUMBER_WORD = re.compile(r"\b(?:no|nr|num|number)\.?\s*(?=\d)")
# "24hr", "12-hour" mark a long-acting product; "every 12 hours" and "q12h" do not.
_CLOCK = re.compile(r"(?<!every )(?<!each )(?<!per )(?<!q)\b(?:12|24)\s*-?\s*(?:h|hr|hour)\b")
_APOSTROPHE = re.compile(r"['’`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PLURAL_NUMBER = re.compile(r"(\d+)s")
_NUMBERISH = re.compile(r"x?\d+(?:x|s|st|nd|rd|th)?")


def words(text: str) -> list[str]:
    """Normalised words of `text`, in order."""
    s = unicodedata.normalize("NFKD", text).casefold()
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("μ", "u")
    s = _STRENGTH.sub(" ", s)
    s = _NUMBER_WORD.sub(" ", s)
    s = _CLOCK.sub(" er ", s)
    s = _APOSTROPHE.sub("", s)
    raw = [w for w in _NON_ALNUM.sub(" ", s).split() if w not in CONNECTORS]
    out: list[str] = []
    i = 0
    while i < len(raw):
        pair = tuple(raw[i:i + 2])
        if len(pair) == 2 and pair in _PHRASES:
            out.append(_PHRASES[pair])
            i += 2
            continue
        word = raw[i]
        plural = _PLURAL_NUMBER.fullmatch(word)
        out.append(MARKER if word in RELEASE_MARKERS else plural.group(1) if plural else word)
        i += 1
    return out


def is_number(word: str) -> bool:
    """A bare number or count ("3", "500", "2x", "x2", "3s")."""
    return _NUMBERISH.fullmatch(word) is not None


def small_number(word: str) -> bool:
    """A single-digit number, which after a brand names a variant ("Tylenol 3")."""
    return word.isdigit() and int(word) < 10


def is_explained(word: str) -> bool:
    """A word that never names a medicine: forms, salts, dosing words, fillers."""
    return word == MARKER or word in NOISE or word in STOPWORDS
