"""Guarded spelling correction: "tramadoll" -> "tramadol", never "trazodone" -> "tramadol".

A misspelt word is corrected to a lexicon word only when all of these hold:
- the word and the target both have at least 6 letters, and share the first letter;
- the word is not itself a lexicon word (an exact confusable always wins);
- the target is within 1 edit (2 edits for words of 9 letters or more), counting a
  swap of two neighbouring letters as one edit ("codiene");
- no lexicon word of a different kind (all opioid/* classes are one kind; every other
  class is its own) is as close or within one more edit: "tramadone" is 2 edits from
  both tramadol and trazodone, so it stays unrecognised.
"""

from __future__ import annotations

from itertools import chain

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .lexicon import FUZZY_MIN_LENGTH, Index
from .normalise import is_explained

_MAX_CORRECTIONS = 8  # bounds the work on long free text


def _max_edits(word: str) -> int:
    return 1 if len(word) < 9 else 2


def correct_word(word: str, index: Index) -> str | None:
    """The single lexicon word `word` is a safe misspelling of, or None."""
    vocabulary = index.vocabulary
    if len(word) < FUZZY_MIN_LENGTH or not word.isalpha() or word in vocabulary:
        return None
    limit = _max_edits(word)
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
    for other, distance, _ in near[1:]:
        # A word of another kind as close, or one edit further, makes the guess unsafe;
        # a word of the same kind ("tramadoll", itself a listed misspelling) does not.
        if distance <= best_distance + 1 and vocabulary[other] != vocabulary[best]:
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
