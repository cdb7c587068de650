"""Guarded spelling correction, into non-opioid names only: "gabapentine" -> gabapentin.

A correction may make an entry look safer than what the patient takes, never riskier, so
it is refused whenever an opioid could be meant (rules.md "Reading what patients type";
"Dolantin" must not become "Dilantin"). A misspelt word is corrected to a lexicon word
only when all of these hold:
- the word and the target both have at least 6 letters, and share the first letter;
- the word is not itself a lexicon word (an exact confusable always wins);
- the target is within 1 edit (2 edits for words of 9 letters or more), counting a
  swap of two neighbouring letters as one edit ("oxybutinin");
- no word of an opioid name is as close or within one more edit, and the word carries no
  opioid stem ("morfinex"): such a word stays unrecognised, and `resemble` names the
  opioid it looks like ("tramdol" -> unknown, resembles tramadol, as rules.md's example);
- no lexicon word of a different kind (every other class is its own kind) is as close or
  within one more edit: "tramadone" is 2 edits from both tramadol and trazodone.
"""

from __future__ import annotations

from itertools import chain

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .lexicon import FUZZY_MIN_LENGTH, Index
from .normalise import is_explained, opioid_stem
from .resemble import near_miss

_MAX_CORRECTIONS = 8  # bounds the work on long free text


def max_edits(word: str) -> int:
    """How many edits a misspelling of a word this long may have."""
    return 1 if len(word) < 9 else 2


def correct_word(word: str, index: Index) -> str | None:
    """The single non-opioid lexicon word `word` is a safe misspelling of, or None."""
    vocabulary = index.vocabulary
    if len(word) < FUZZY_MIN_LENGTH or not word.isalpha() or word in vocabulary:
        return None
    if opioid_stem(word) is not None or near_miss(word, index) is not None:
        return None
    limit = max_edits(word)
    # Words whose length differs by more than limit + 1 are further away than that.
    lengths = range(len(word) - limit - 1, len(word) + limit + 2)
    choices = list(chain.from_iterable(index.by_length.get(n, ()) for n in lengths))
    # OSA distance: an edit is an insertion, deletion, substitution or a swap of two
    # neighbouring letters ("codiene").
    near = process.extract(
        word, choices, scorer=OSA.distance, score_cutoff=limit + 1, limit=None
    )
    if not near:
        return None
    best, best_distance, _ = near[0]
    if best_distance > limit or best[0] != word[0]:
        return None
    # Every kind within one more edit than the best: opioid names count against any
    # correction; two other kinds make the guess unsafe.
    kinds = frozenset(chain.from_iterable(
        vocabulary[other] for other, distance, _ in near if distance <= best_distance + 1))
    if "opioid" in kinds or len(kinds) > 1:
        return None
    return best


def correct_words(words: list[str], index: Index) -> list[str]:
    """`words` with each unrecognised word replaced by its safe correction, if any."""
    corrected = list(words)
    budget = _MAX_CORRECTIONS
    for i, word in enumerate(words):
        if budget == 0:
            break
        if word in index.key_words or is_explained(word):
            continue
        budget -= 1
        fixed = correct_word(word, index)
        if fixed is not None:
            corrected[i] = fixed
    return corrected
