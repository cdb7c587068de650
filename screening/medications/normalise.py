"""Turn what a patient typed into comparable words.

The same function normalises lexicon aliases and patient text, so "Tylenol #3",
"tylenol no. 3" and "TYLENOL 3 tablets 300/30mg" all become `tylenol 3 tablets`.
First the text is made plain (`plain`, rules.md "Reading what patients type"): NFKC,
invisible format characters removed, look-alike letters of other scripts mapped to Latin
(Unicode's confusables data, shipped by `confusable_homoglyphs`), case-folded, accents
stripped. Then strengths ("30/500", "5 mg", "25mcg/hr") are removed; "#3", "No. 3" and
"no3" become "3"; release markers (ER, SR, XL, LP, retard, "Contin", "patch",
"extended-release", "24hr" ...) become the single word `er`; connectors ("and", "with",
"&", "+", "w/") are dropped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import yaml

_WORDS = yaml.safe_load((Path(__file__).parent / "lexicon" / "words.yaml").read_text("utf-8"))

MARKER = "er"
RELEASE_MARKERS: frozenset[str] = frozenset(_WORDS["release_markers"])
CONNECTORS: frozenset[str] = frozenset(_WORDS["connectors"])
NOISE: frozenset[str] = frozenset(_WORDS["noise"])
STOPWORDS: frozenset[str] = frozenset(map(str, _WORDS["stopwords"]))
ALSO_LONG: frozenset[str] = frozenset(_WORDS["also_long"])
DEPOT_WORDS: frozenset[str] = frozenset(_WORDS["depot_words"])
# Opioid stems (rules.md "Resemblance"): anywhere in a word, or at its start.
STEMS_ANYWHERE: dict[str, str] = dict(_WORDS["opioid_stems"]["anywhere"])
STEMS_AT_START: dict[str, str] = dict(_WORDS["opioid_stems"]["start"])
_STEMS_LONGEST_FIRST = sorted(STEMS_ANYWHERE.items(), key=lambda item: -len(item[0]))
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
# Latin letters that NFKD does not decompose.
_LATIN_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe"})
_APOSTROPHE = re.compile(r"['’`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_PLURAL_NUMBER = re.compile(r"(\d+)s")
_NUMBERISH = re.compile(r"x?\d+(?:x|s|st|nd|rd|th)?")


@cache
def _latin_lookalikes() -> dict[int, str]:
    """Each non-Latin letter that Unicode's confusables data says looks like one Latin
    letter ("о" CYRILLIC SMALL LETTER O -> "o"), as a str.translate table.

    The data is Unicode's confusables.txt as shipped (JSON) inside the pinned
    `confusable_homoglyphs` package: read from the installed package, never fetched.
    """
    # Only the package's data file is used, so it is located, not imported (untyped).
    spec = find_spec("confusable_homoglyphs")
    if spec is None or spec.origin is None:
        raise RuntimeError("confusable-homoglyphs is not installed (pyproject.toml)")
    path = Path(spec.origin).parent / "confusables.json"
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text("utf-8"))
    table: dict[int, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        latin = next((g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii()
                      and g["c"].isalpha()), None)
        if latin is None:
            continue
        # The confusables skeleton writes every I-like glyph as "l"; a capital (Greek Ι,
        # Cyrillic І) stands for the capital I in a name typed in capitals.
        table[ord(char)] = "i" if latin == "l" and char.isupper() else latin.lower()
    return table


def plain(text: str) -> str:
    """`text` as plain lowercase Latin: NFKC, invisible format characters (soft hyphen,
    zero-width characters, word joiner, BOM, bidi controls: Unicode category Cf) removed,
    look-alike letters of other scripts mapped to Latin, case-folded, accents stripped."""
    s = unicodedata.normalize("NFKC", text)
    if not s.isascii():
        s = "".join(c for c in s if unicodedata.category(c) != "Cf")
        s = s.replace("µ", "u").replace("μ", "u").translate(_latin_lookalikes())
        s = unicodedata.normalize("NFKD", s.casefold()).translate(_LATIN_FOLD)
        return "".join(c for c in s if not unicodedata.combining(c))
    return s.casefold()


def words(text: str) -> list[str]:
    """Normalised words of `text`, in order."""
    s = plain(text)
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


def opioid_stem(word: str) -> str | None:
    """The opioid whose stem `word` carries ("codeinum" -> codeine), or None. The
    longest stem found wins ("hidromorfonum" is hydromorphone, not morphine)."""
    for stem, opioid in _STEMS_LONGEST_FIRST:
        if stem in word:
            return opioid
    if len(word) >= 5:
        for stem, opioid in STEMS_AT_START.items():
            if word.startswith(stem):
                return opioid
    return None


_SOUNDS = ((re.compile("ph"), "f"), (re.compile("k|q"), "c"), (re.compile("y"), "i"),
           (re.compile("th"), "t"), (re.compile("z"), "s"), (re.compile(r"(.)\1"), r"\1"))


def fold(word: str) -> str:
    """`word` spelt as it sounds: "kodeine" -> "codeine", "morphine" -> "morfine"."""
    for pattern, replacement in _SOUNDS:
        word = pattern.sub(replacement, word)
    return word


def is_number(word: str) -> bool:
    """A bare number or count ("3", "500", "2x", "x2", "3s")."""
    return _NUMBERISH.fullmatch(word) is not None


def small_number(word: str) -> bool:
    """A single-digit number, which after a brand names a variant ("Tylenol 3")."""
    return word.isdigit() and int(word) < 10


def is_explained(word: str) -> bool:
    """A word that never names a medicine: forms, salts, dosing words, fillers."""
    return word == MARKER or word in NOISE or word in STOPWORDS
