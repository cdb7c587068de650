"""Answers a page can offer from what the patient already told us on an earlier page.

A patient who gave tramadol's last dose on the medicines page should not have to work it
out again for "When did you last take one?" on the opioid page. An offer is only a
starting value: the page says where it came from, the patient can change it, and it is
saved under the question's own ID, with its own meaning, like any typed answer. Nothing
is offered for a question that already has an answer.

Pure functions of the answers: no Flask, no database, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..medications import classify
from ..questionnaire.display import long_date
from ..rules.facts import Classifier, MedEntry, classify_entries
from ..rules.opioids import UNDERCOUNTED_CLASSES

OPIOID_LAST_DOSE = "opioid_last_dose"
MEDICATIONS = "medications"
# The classes the rules count as "an opioid in the last 30 days" (OPI-16): full agonists,
# depot buprenorphine, and an unrecognised product the patient says contains an opioid.
# Loperamide (opioid/peripheral) has questions of its own and is not offered here.
OPIOID_CLASSES = frozenset(UNDERCOUNTED_CLASSES)
OPIOID_LAST_DOSE_NOTE = "From your medicines list: {names}, last taken {day}. Change it if this is wrong."


@dataclass(frozen=True)
class Prefill:
    """A starting answer for one question, in the contract's answer format, and the words
    that say where it came from."""

    question_id: str
    answer: str
    note: str


def opioid_last_dose(answers: Mapping[str, Any], classifier: Classifier = classify) -> Prefill | None:
    """The latest `last_taken` of the opioids on the medicines list, when it is the last dose.

    Nothing is offered when `opioid_last_dose` is answered, when no opioid entry has a
    date, or when an opioid the patient still takes has no date: its last dose may be
    today, later than any date on the list.
    """
    if OPIOID_LAST_DOSE in answers:
        return None
    opioids = [entry for entry in _entries(answers.get(MEDICATIONS), classifier) if entry.cls in OPIOID_CLASSES]
    if any(entry.current and entry.last_taken is None for entry in opioids):
        return None
    dated = [entry for entry in opioids if entry.last_taken is not None]
    if not dated:
        return None
    latest = max(entry.last_taken for entry in dated if entry.last_taken is not None)
    names = dict.fromkeys(entry.name for entry in dated if entry.last_taken == latest)
    note = OPIOID_LAST_DOSE_NOTE.format(names=" and ".join(names), day=long_date(latest.isoformat()))
    return Prefill(OPIOID_LAST_DOSE, latest.isoformat(), note)


def _entries(raw: Any, classifier: Classifier) -> tuple[MedEntry, ...]:
    """The saved medicines list as the rules read it (entries that are not a saved entry's
    shape are left out rather than guessed at)."""
    if not isinstance(raw, list):
        return ()
    wellformed = [
        entry for entry in raw
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("how_often"), str)
        and _is_date_or_none(entry.get("last_taken"))
    ]
    return classify_entries(wellformed, classifier)


def _is_date_or_none(value: Any) -> bool:
    if value is None:
        return True
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


# Each question a page may offer a starting answer for, and how it is worked out.
PREFILLS: Mapping[str, Callable[[Mapping[str, Any]], Prefill | None]] = {
    OPIOID_LAST_DOSE: opioid_last_dose,
}


def prefills(question_ids: Iterable[str], answers: Mapping[str, Any]) -> dict[str, Prefill]:
    """The starting answers on offer for these questions (a page's shown questions)."""
    offered = {}
    for question_id in question_ids:
        make = PREFILLS.get(question_id)
        prefill = make(answers) if make is not None else None
        if prefill is not None:
            offered[question_id] = prefill
    return offered
