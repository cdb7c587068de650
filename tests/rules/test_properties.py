"""Properties over random valid submissions built from the questionnaire definition:
evaluation never fails and is deterministic, its output keeps the contract's shape, and a
missing safety answer is never treated more leniently than "no"."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.questionnaire import QUESTIONNAIRE, Question, validate_answers
from screening.questionnaire.model import EXCLUSIVE_CODE, HOW_OFTEN_CODES
from screening.rules import RULES_BY_ID, evaluate
from screening.rules.severity import SEVERITY_RANK

AS_OF = date(2026, 12, 1)
MEDICINE_NAMES = [
    "co-codamol 30/500", "Tylenol #3", "Tylenol", "tramadol 50mg", "OxyContin 10mg", "methadone",
    "Suboxone", "Butrans patch", "Sublocade", "kratom", "ZaZa", "Imodium", "loperamide 2mg",
    "Lomotil", "Viberzi", "Narcan", "naltrexone", "Contrave", "levothyroxine", "Armour Thyroid",
    "methimazole", "tacrolimus", "methotrexate", "prednisone", "disulfiram", "atorvastatin",
    "vitamin D", "sertraline", "gabapentin", "Qzxwv drops",
]
# Safety questions and their reassuring answer: DATA-01's list, and the other questions
# whose "yes" (or worse) raises a critical or warning flag.
REASSURING = {
    "opioid_recent": "no", "opioid_treatment": "never", "kratom_tianeptine": "never",
    "illicit_opioid_12m": "no", "liver_conditions": ["none"], "transplant": "no",
    "naltrexone_reaction": "none", "current_antagonist": ["none"], "pregnant": "no",
    "opioid_withdrawal_now": "no", "depot_buprenorphine_12m": "no",
    "kratom_tianeptine_daily_12m": "no", "opioid_use_disorder": "no", "loperamide_use": "never",
    "surgery_planned": "no", "expects_opioid_pain_relief": "no", "cirrhosis_complications": "no",
    "liver_symptoms_now": ["none"], "liver_test_abnormal": "no", "alcohol_withdrawal_history": "no",
    "trying_to_conceive": "no", "kidney_disease": "none", "immunosuppressants": "no",
    "hyperthyroid_symptoms": ["none"], "phq9_self_harm": 0, "suicide_attempt_history": "no",
    "takes_medications": "no",
}


def iso_dates(low: date, high: date) -> st.SearchStrategy[str]:
    return st.dates(low, high).map(date.isoformat)


def medication_entries() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "name": st.sampled_from(MEDICINE_NAMES),
        "how_often": st.sampled_from(HOW_OFTEN_CODES),
        "last_taken": st.none() | iso_dates(AS_OF - timedelta(days=400), AS_OF),
    })


def answer_for(question: Question) -> st.SearchStrategy[Any]:
    """Any answer the contract accepts for this question."""
    kind = question.type
    if question.must_be:
        return st.just(question.must_be)
    if kind in {"yes_no", "yes_no_unsure", "single"}:
        return st.sampled_from(question.codes)
    if kind == "multi":
        others = [code for code in question.codes if code != EXCLUSIVE_CODE]
        chosen = st.lists(st.sampled_from(others), min_size=1, max_size=4, unique=True)
        return chosen | st.just([EXCLUSIVE_CODE]) if EXCLUSIVE_CODE in question.codes else chosen
    if kind == "scale_0_3":
        return st.integers(0, 3)
    if kind == "scale_0_10":
        return st.integers(0, 10)
    if kind == "number":
        assert question.min is not None and question.max is not None
        if question.integer:
            return st.integers(int(question.min), int(question.max))
        return st.floats(question.min, question.max, allow_nan=False) | st.integers(
            int(question.min) + 1, int(question.max)
        )
    if kind == "text":  # no rule reads free text
        return st.sampled_from(["", "Back pain since 2019", "Allergic to lactose <b>"])
    if kind == "medication_list":
        return st.lists(medication_entries(), min_size=1, max_size=6)
    if question.allow_future:  # surgery_date
        return iso_dates(AS_OF - timedelta(days=30), AS_OF + timedelta(days=730))
    # Dates of birth from birth to old age; other dates mostly recent, where rules look.
    if question.id == "date_of_birth":
        return iso_dates(date(1920, 1, 1), AS_OF)
    return iso_dates(AS_OF - timedelta(days=60), AS_OF) | iso_dates(date(1990, 1, 1), AS_OF)


# Built once: a fresh strategy per draw would make hypothesis re-analyse ~90 of them.
ANY_ANSWERS = st.fixed_dictionaries({}, optional={
    qid: answer_for(question) for qid, question in QUESTIONNAIRE.questions.items()
})


def valid(raw: dict[str, Any]) -> dict[str, Any]:
    """The answers with those to hidden questions dropped, as the form drops them."""
    kept, _dropped = validate_answers(QUESTIONNAIRE, raw, AS_OF)
    return kept


submissions = ANY_ANSWERS.map(valid)


def serious_flags(answers: dict[str, Any]) -> int:
    """Critical and warning flags, counting DATA-01 once per missing answer it names: a
    missing answer should weigh at least what the flag a "no" could raise (OPI-16 fires
    on an explicit "no" only) even when DATA-01 was already flagging another gap."""
    count = 0
    for flag in evaluate(answers, AS_OF).flags:
        if flag.severity in {"critical", "warning"}:
            missing = sum(value is None for value in flag.evidence.values())
            count += missing if flag.rule_id == "DATA-01" else 1
    return count


@settings(max_examples=150, deadline=None)
@given(submissions)
def test_evaluation_never_fails_is_deterministic_and_keeps_the_contracts_shape(
    answers: dict[str, Any],
) -> None:
    result = evaluate(answers, AS_OF)
    document = result.to_json()
    assert evaluate(dict(answers), AS_OF).to_json() == document
    assert json.loads(json.dumps(document)) == document
    fired = [flag.rule_id for flag in result.flags]
    assert len(set(fired)) == len(fired)
    keys = [(SEVERITY_RANK[flag.severity], flag.rule_id) for flag in result.flags]
    assert keys == sorted(keys)
    assert result.urgent == ("PSY-01" in fired)
    assert result.opioid_block == any(RULES_BY_ID[rule_id].blocks_start for rule_id in fired)
    if result.opioid_block:
        assert result.earliest_start is None


@settings(max_examples=100, deadline=None)
@given(submissions)
def test_a_missing_safety_answer_never_weighs_less_than_no(answers: dict[str, Any]) -> None:
    for qid, reassuring in REASSURING.items():
        without = {key: value for key, value in answers.items() if key != qid}
        deleted, answered_no = valid(without), valid({**answers, qid: reassuring})
        if deleted != answered_no:  # a hidden question's answer is dropped either way
            assert serious_flags(deleted) >= serious_flags(answered_no), f"deleting {qid}"
