"""The opioid page's offered last dose (screening/patient/prefill.py), case by case.

Each case: the saved answers, then the date offered for `opioid_last_dose` and the names
the note gives (None: nothing offered). Names are classified by the real classifier, as
the rules classify them.
"""

from __future__ import annotations

from typing import Any

import pytest

from screening.patient.prefill import OPIOID_LAST_DOSE, opioid_last_dose, prefills


def med(name: str, how_often: str = "as_needed", last_taken: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "how_often": how_often, "last_taken": last_taken, **extra}


CASES: list[tuple[str, dict[str, Any], tuple[str, str] | None]] = [
    ("tramadol with a date", {"medications": [med("Tramadol 50 mg", last_taken="2026-11-27")]},
     ("2026-11-27", "Tramadol 50 mg")),
    ("the latest of two opioids", {"medications": [
        med("codeine 30 mg", "stopped", "2026-10-01"), med("Tramadol", last_taken="2026-11-20")]},
     ("2026-11-20", "Tramadol")),
    ("two opioids on the same day are both named", {"medications": [
        med("Tramadol", last_taken="2026-11-20"), med("co-codamol 30/500", last_taken="2026-11-20")]},
     ("2026-11-20", "Tramadol and co-codamol 30/500")),
    ("the same name twice is named once", {"medications": [
        med("Tramadol", last_taken="2026-11-20"), med("Tramadol", "daily", "2026-11-20")]},
     ("2026-11-20", "Tramadol")),
    ("non-opioids are not counted", {"medications": [
        med("Vitamin D", "daily", "2026-11-28"), med("Tramadol", last_taken="2026-11-02")]},
     ("2026-11-02", "Tramadol")),
    ("a stopped opioid without a date does not stop the offer", {"medications": [
        med("codeine", "stopped"), med("Tramadol", last_taken="2026-11-02")]},
     ("2026-11-02", "Tramadol")),
    ("kratom counts (unregulated)", {"medications": [med("kratom", "daily", "2026-11-25")]},
     ("2026-11-25", "kratom")),
    ("depot buprenorphine counts", {"medications": [med("Sublocade", "occasionally", "2026-11-01")]},
     ("2026-11-01", "Sublocade")),
    ("an unrecognised product the patient says holds an opioid counts", {"medications": [
        med("Zqxol forte", last_taken="2026-11-03", contains_opioid="yes")]},
     ("2026-11-03", "Zqxol forte")),
    # Nothing offered:
    ("already answered", {"opioid_last_dose": "2026-11-01",
                          "medications": [med("Tramadol", last_taken="2026-11-27")]}, None),
    ("a current opioid without a date may be today", {"medications": [
        med("oxycodone", "daily"), med("Tramadol", last_taken="2026-11-02")]}, None),
    ("an opioid without any date", {"medications": [med("Tramadol")]}, None),
    ("only non-opioids", {"medications": [med("Vitamin D", "daily", "2026-11-28")]}, None),
    ("loperamide has questions of its own", {"medications": [med("loperamide", last_taken="2026-11-28")]}, None),
    ("unrecognised and unsure", {"medications": [
        med("Zqxol forte", last_taken="2026-11-03", contains_opioid="unsure")]}, None),
    ("no medicines list", {"takes_medications": "no"}, None),
    ("not a list", {"medications": "Tramadol"}, None),
    ("malformed entries are left out", {"medications": [
        "Tramadol", {"name": "Tramadol"}, med("Tramadol", last_taken="27/11/2026"), med(42, last_taken="2026-11-01")]},
     None),
]


@pytest.mark.parametrize(("answers", "expected"), [(answers, expected) for _, answers, expected in CASES],
                         ids=[name for name, _, _ in CASES])
def test_the_offered_last_dose(answers: dict[str, Any], expected: tuple[str, str] | None) -> None:
    offered = opioid_last_dose(answers)
    if expected is None:
        assert offered is None
        return
    assert offered is not None
    day, names = expected
    assert offered.question_id == OPIOID_LAST_DOSE and offered.answer == day
    assert offered.note.startswith(f"From your medicines list: {names}, last taken ")
    assert offered.note.endswith(". Change it if this is wrong.")


def test_the_note_gives_the_date_in_words() -> None:
    offered = opioid_last_dose({"medications": [med("Tramadol", last_taken="2026-11-27")]})
    assert offered is not None
    assert offered.note == ("From your medicines list: Tramadol, last taken 27 November 2026. "
                            "Change it if this is wrong.")


def test_only_questions_on_the_page_are_offered() -> None:
    answers = {"medications": [med("Tramadol", last_taken="2026-11-27")]}
    assert prefills(["opioid_pattern", "opioid_withdrawal_now"], answers) == {}
    assert set(prefills(["opioid_last_dose", "opioid_pattern"], answers)) == {OPIOID_LAST_DOSE}


def test_what_is_offered_is_what_the_rules_read() -> None:
    """Saved as offered, the answer dates the short exposure like any typed answer."""
    from datetime import date

    from screening.rules import evaluate

    answers = {"medications": [med("Tramadol", last_taken="2026-11-27")]}
    offered = opioid_last_dose(answers)
    assert offered is not None
    flags = {flag.rule_id for flag in evaluate({"opioid_recent": "yes", offered.question_id: offered.answer},
                                          as_of=date(2026, 11, 30)).flags}
    assert "OPI-02" in flags  # a short-acting opioid under 7 days ago
