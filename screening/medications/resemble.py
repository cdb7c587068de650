"""Which opioid an unrecognised entry resembles (rules.md "Reading what patients type").

Only for an `unknown` entry, and never changing its class (MED-02 reads it). In order:
1. A name the text does recognise that carries `resembles`: an ambiguous name whose
   variants contain an opioid ("Solpadeine": codeine), or the plain member of a brand
   family left unresolved ("Tylenol 5": codeine).
2. A word no name covers that carries an opioid stem ("codeinum", "morfinex").
3. A near-miss of the first word of an opioid name ("tramdol", "saboxone"): within 1 edit
   (2 from 8 letters on), or the same after folding spellings that sound alike
   ("kodeine": k/c, ph/f, y/i, doubled letters), or 1 edit after folding.
The answer is the opioid ingredient's generic name ("tramadol", "codeine").
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .lexicon import Entry, Index
from .normalise import fold, is_explained, opioid_stem

_MIN_LENGTH = 5  # shorter unknown words are too often something else ("oxy" is slang)


def near_miss(word: str, index: Index) -> str | None:
    """The opioid whose name `word` is a near-miss of, or None (cached per word: fuzzy
    correction and resemblance both ask)."""
    if len(word) < _MIN_LENGTH or not word.isalpha():
        return None
    if word not in index.near_cache:
        index.near_cache[word] = _near_miss(word, index)
    return index.near_cache[word]


def _near_miss(word: str, index: Index) -> str | None:
    limit = 1 if len(word) < 8 else 2
    for written, table, by_length in (
            (word, index.opioid_words, index.opioid_by_length),
            (fold(word), index.opioid_sounds, index.sounds_by_length)):
        if written in table:
            return table[written]
        # Only words whose length is within the limit can be that close.
        choices = [w for n in range(len(written) - limit, len(written) + limit + 1)
                   for w in by_length.get(n, ())]
        found = process.extractOne(written, choices, scorer=OSA.distance, score_cutoff=limit)
        if found is not None:
            return table[found[0]]
        limit = 1  # after folding, one edit
    return None


def resembles(named: Iterable[Entry], leftover: Iterable[str], index: Index) -> str | None:
    """The opioid an unknown entry resembles, or None (see the module docstring)."""
    for entry in named:
        if entry.resembles:
            return entry.resembles
    words = [w for w in leftover if w.isalpha() and not is_explained(w)]
    for word in words:
        stem = opioid_stem(word) if len(word) >= 4 else None
        if stem is not None:
            return stem
    for word in words:
        found = near_miss(word, index)
        if found is not None:
            return found
    return None
