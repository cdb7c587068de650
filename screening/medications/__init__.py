"""The medication classifier: a patient-typed name -> one class of rules.md.

    >>> result = classify("Tylenol #3")
    >>> result.cls, result.matched, result.ingredients
    ('opioid/short', 'Tylenol with Codeine No. 3', ('acetaminophen', 'codeine'))

The lexicon is data (`lexicon/*.yaml`); it is loaded and indexed once, on first use
(`index()`). What the classifier cannot recognise is `unknown`, never a guess.
See docs/medications.md.
"""

from __future__ import annotations

from functools import cache

from . import fuzzy, matcher, normalise
from .classes import AGONIST_CLASSES, MEDICATION_CLASSES, OPIOID_CLASSES, RANK, Classification
from .lexicon import Index, build_index

__all__ = ["MEDICATION_CLASSES", "OPIOID_CLASSES", "Classification", "classify", "index"]


@cache
def index() -> Index:
    """The lexicon's lookup indexes, built once (about 0.2 s) on first use."""
    return build_index()


def classify(name: str) -> Classification:
    """Classify one medication name as typed by a patient (any case, strengths, typos)."""
    text = name if isinstance(name, str) else ""
    words = normalise.words(text)
    lexicon = index()
    result = matcher.classify_words(text, words, lexicon)
    if result.cls in AGONIST_CLASSES:
        return result
    # Only words exact matching could not place are spell-corrected, so an exact
    # confusable ("trazodone") is never "corrected" into an opioid. A correction is kept
    # when it tells more: it places an unknown text, or finds a more important product
    # ("paracetamol for pain, also oxycodon").
    corrected = fuzzy.correct_words(words, lexicon)
    if corrected == words:
        return result
    second = matcher.classify_words(text, corrected, lexicon)
    if result.cls == "unknown" or (second.cls != "unknown" and RANK[second.cls] < RANK[result.cls]):
        return second
    return result
