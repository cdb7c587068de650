"""Find lexicon names in normalised words and decide one class for the whole text.

1. The words are scanned left to right for the longest alias at each place
   ("tylenol codeine 3" before "tylenol"); what no alias covers is left over.
2. Slang that is also an ordinary word ("blues", "lean") counts only when nothing else
   matched and it is the whole text, apart from numbers and fillers.
3. One class for the text: the most important class among the names found (classes.py).
   An opioid agonist wins outright. Otherwise any left-over word that is not a known
   filler (forms, dosing words, text after "for") makes the entry `unknown`: it might
   be a product the lexicon lacks. After the plain member of a brand family a small
   number is not a filler either ("Tylenol 5" is an unknown variant).
4. An ER marker next to an opioid/short name makes it opioid/long ("tramadol ER",
   "Tramal long", "Dolcontin Depot"); a buprenorphine product named with a depot word
   ("monthly bupe shot", "buprenorphine injection") is opioid/depot.
"""

from __future__ import annotations

from dataclasses import dataclass

from .classes import AGONIST_CLASSES, RANK, Classification
from .lexicon import Entry, Index
from .normalise import ALSO_LONG, DEPOT_WORDS, MARKER, is_explained, is_number, small_number

_REASON_WORDS = frozenset({"for", "because"})  # what follows says why, not what


@dataclass(frozen=True)
class _Match:
    entry: Entry
    start: int
    end: int
    cls: str
    name: str


def _kept(words: list[str], index: Index) -> tuple[list[str], list[bool]]:
    """Drop filler words that no alias uses; note which words follow "for"."""
    kept: list[str] = []
    after_reason: list[bool] = []
    reason = False
    for word in words:
        if word in _REASON_WORDS:
            reason = True
        # Single letters stay: after a brand family they name a variant ("Tylenol C").
        if (is_explained(word) and word not in index.key_words and word not in ALSO_LONG
                and len(word) > 1):
            continue
        kept.append(word)
        after_reason.append(reason)
    return kept, after_reason


def _lookup(words: list[str], index: Index) -> Entry | None:
    key = " ".join(words)
    return index.phrases.get(key) or index.compact.get(key.replace(" ", ""))


def _scan(words: list[str], index: Index) -> tuple[list[_Match], list[int]]:
    matches: list[_Match] = []
    leftover: list[int] = []
    i = 0
    while i < len(words):
        for size in range(min(index.max_words, len(words) - i), 0, -1):
            entry = _lookup(words[i:i + size], index)
            if entry is not None:
                matches.append(_Match(entry, i, i + size, entry.cls, entry.name))
                i += size
                break
        else:
            leftover.append(i)
            i += 1
    return matches, leftover


def _resolve(matches: list[_Match]) -> list[_Match]:
    """Drop an ambiguous name when the text also names one of its meanings."""
    named = {m.entry.name for m in matches}
    return [m for m in matches if not named.intersection(m.entry.resolved_by)]


def _marked(words: list[str], match: _Match, leftover: set[int]) -> bool:
    """An unclaimed ER marker right before or after the match (numbers may sit between)."""
    for step, j in ((1, match.end), (-1, match.start - 1)):
        while 0 <= j < len(words) and j in leftover and is_number(words[j]):
            j += step
        if 0 <= j < len(words) and j in leftover and (words[j] == MARKER or words[j] in ALSO_LONG):
            return True
    return False


def _promote(words: list[str], matches: list[_Match], leftover: set[int],
             depot_named: bool) -> list[_Match]:
    promoted = []
    for m in matches:
        if m.cls == "opioid/short" and _marked(words, m, leftover):
            m = _Match(m.entry, m.start, m.end, "opioid/long", f"{m.name} (extended-release)")
        elif (depot_named and m.cls == "opioid/long"
              and "buprenorphine" in m.entry.ingredients):
            m = _Match(m.entry, m.start, m.end, "opioid/depot", f"{m.name} (depot injection)")
        promoted.append(m)
    return promoted


def _unexplained(words: list[str], after_reason: list[bool], leftover: list[int],
                 matches: list[_Match]) -> bool:
    family_ends = {m.end for m in matches if m.entry.family}
    for i in leftover:
        word = words[i]
        if after_reason[i]:
            continue
        if word == MARKER and i in family_ends:
            return True  # "Dimetapp CR": a variant of the family, not the plain product
        if is_number(word) or len(word) == 1:
            if i in family_ends and (small_number(word) or word.isalpha()):
                return True
            continue
        if not is_explained(word):
            return True
    return False


def _result(text: str, matches: list[_Match], cls: str) -> Classification:
    named = [m for m in matches if m.cls != "unknown"]
    names = dict.fromkeys(m.name for m in named)
    ingredients = dict.fromkeys(i for m in named for i in m.entry.ingredients)
    return Classification(text, cls, " + ".join(names), tuple(ingredients))


def _whole_only(text: str, kept: list[str], after_reason: list[bool],
                index: Index) -> Classification:
    """Slang that is also an ordinary word, when it is all the text says ("blues 30mg")."""
    core = " ".join(
        w for w, reason in zip(kept, after_reason, strict=True)
        if not (reason or is_number(w) or is_explained(w))
    )
    entry = index.whole_only.get(core)
    if entry is None:
        return Classification(text, "unknown")
    return _result(text, [_Match(entry, 0, len(kept), entry.cls, entry.name)], entry.cls)


def read(text: str, words: list[str], index: Index
         ) -> tuple[Classification, list[Entry], list[str]]:
    """The class of `text` from its normalised words, with the lexicon entries it names
    and the words no name covers (what a resemblance looks at)."""
    kept, after_reason = _kept(words, index)
    matches, leftover = _scan(kept, index)
    named = [m.entry for m in matches]
    left = [kept[i] for i in leftover]
    if not matches:
        return _whole_only(text, kept, after_reason, index), named, left
    reason_at = words.index("for") if "for" in words else len(words)
    depot_named = any(w in DEPOT_WORDS for w in words[:reason_at])
    matches = _promote(kept, _resolve(matches), set(leftover), depot_named)
    best = min((m.cls for m in matches), key=RANK.__getitem__)
    if best in AGONIST_CLASSES:
        return _result(text, matches, best), named, left
    if best == "unknown" or _unexplained(kept, after_reason, leftover, matches):
        return Classification(text, "unknown"), named, left
    return _result(text, matches, best), named, left


def classify_words(text: str, words: list[str], index: Index) -> Classification:
    """The class of `text`, given its normalised words."""
    return read(text, words, index)[0]
