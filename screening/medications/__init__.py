"""The medication classifier: a patient-typed name -> one class of rules.md.

    >>> result = classify("Tylenol #3")
    >>> result.cls, result.matched, result.ingredients
    ('opioid/short', 'Tylenol with Codeine No. 3', ('acetaminophen', 'codeine'))

The lexicon is data (`lexicon/*.yaml`, part of it built from public drug databases by
`python -m screening.medications.build`); it is loaded and indexed once, on first use
(`index()`). What the classifier cannot recognise is `unknown`, never a guess; an
unknown entry reports the opioid it resembles, if any (`resembles`).
See docs/medications.md.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache, lru_cache

from . import fuzzy, matcher, normalise, resemble
from .classes import AGONIST_CLASSES, MEDICATION_CLASSES, OPIOID_CLASSES, RANK, Classification
from .lexicon import Index, build_index

__all__ = ["MEDICATION_CLASSES", "OPIOID_CLASSES", "Classification", "classify", "index"]


@cache
def index() -> Index:
    """The lexicon's lookup indexes, built once (about 0.3 s) on first use."""
    return build_index()


def classify(name: str) -> Classification:
    """Classify one medication name as typed by a patient (any case, strengths, typos)."""
    return _classify(name if isinstance(name, str) else "")


# A medication list repeats names, and the tests sweep hundreds of thousands of variants:
# a result depends on the text alone, so it is cached (bounded).
@lru_cache(maxsize=1 << 16)
def _classify(text: str) -> Classification:
    words = normalise.words(text)
    lexicon = index()
    result, named, leftover = matcher.read(text, words, lexicon)
    if result.cls in AGONIST_CLASSES:
        return result
    # Only words exact matching could not place are spell-corrected, so an exact
    # confusable ("trazodone") is never "corrected"; and only into non-opioid names
    # (fuzzy.py), so a correction is kept when it places an unknown text, or finds a
    # more important product than the exact reading did.
    corrected = fuzzy.correct_words(words, lexicon)
    if corrected != words:
        second, named_too, _ = matcher.read(text, corrected, lexicon)
        if result.cls == "unknown" or (second.cls != "unknown" and RANK[second.cls] < RANK[result.cls]):
            result, named = second, [*named, *named_too]
    if result.cls != "unknown":
        return result
    return replace(result, resembles=resemble.resembles(named, leftover, lexicon))
