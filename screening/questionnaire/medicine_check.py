"""The "Check these medicines" page: which entries a patient is asked about, and when
their answers count (questionnaire.md section 3).

A medication entry whose name the classifier cannot recognise is shown back to the
patient, who may correct its spelling and says whether it contains an opioid
(`contains_opioid`). The answer belongs to that unrecognised name only: once a name is
recognised, its answer is dropped, and a recognised entry never carries one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from screening.medications import classify
from screening.medications.classes import UNKNOWN

from .model import Page, Questionnaire

CONTAINS_OPIOID = "contains_opioid"  # the entry key the page asks for


@lru_cache(maxsize=4096)
def is_recognised(name: str) -> bool:
    """Whether the classifier can place this name (cached: pages ask for it on every save)."""
    return classify(name).cls != UNKNOWN


def entries_to_check(entries: Any) -> list[int]:
    """Positions, in the list, of the entries whose names the classifier cannot recognise."""
    if not isinstance(entries, list | tuple):  # answers are JSON: plain lists and dicts (no ABC checks: hot path)
        return []
    return [
        position for position, entry in enumerate(entries)
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and not is_recognised(entry["name"])
    ]


def is_shown(page: Page, answers: Mapping[str, Any], visible: frozenset[str]) -> bool:
    """A review page is shown while its list is shown and holds an unrecognised entry."""
    return page.reviews is not None and page.reviews in visible and bool(entries_to_check(answers.get(page.reviews)))


def is_complete(page: Page, answers: Mapping[str, Any]) -> bool:
    """Every unrecognised entry has the patient's answer."""
    assert page.reviews is not None  # only review pages are checked this way
    entries = answers.get(page.reviews) or []
    return all(CONTAINS_OPIOID in entries[position] for position in entries_to_check(entries))


def settle(questionnaire: Questionnaire, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The answers after a save, with each reviewed list's `contains_opioid` answers kept
    where they still apply: an entry whose name the save left unchanged keeps its answer
    (editing the list does not ask again), and no recognised entry keeps one."""
    settled = dict(after)
    for reviewed in questionnaire.reviewed_ids:
        entries = after.get(reviewed)
        if not isinstance(entries, list):
            continue
        earlier = {
            entry["name"]: entry[CONTAINS_OPIOID]
            for entry in reversed(before.get(reviewed) or []) if CONTAINS_OPIOID in entry
        }
        unrecognised = set(entries_to_check(entries))
        settled[reviewed] = [
            _settled(entry, position in unrecognised, earlier) for position, entry in enumerate(entries)
        ]
    return settled


def _settled(entry: Mapping[str, Any], unrecognised: bool, earlier: Mapping[str, str]) -> dict[str, Any]:
    kept = {key: value for key, value in entry.items() if key != CONTAINS_OPIOID}
    answer = entry.get(CONTAINS_OPIOID, earlier.get(entry["name"]))
    if unrecognised and answer is not None:
        kept[CONTAINS_OPIOID] = answer
    return kept
