"""The check-in definition (checkin.yaml) is followup.md section 2: every ID, type, code,
range, requirement and condition; the screening's items are the screening's, word for
word; and the two questions shown on the screening's facts follow them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from screening.questionnaire import (
    CHECKIN_QUESTIONNAIRE,
    QUESTIONNAIRE,
    AnswerError,
    Condition,
    ContextError,
    validate_answers,
)
from screening.questionnaire.navigation import estimated_minutes, first_incomplete_page, shown_pages
from screening.rules import checkin_context
from screening.rules.checkin import ON_THYROID_HORMONE, SEX_AT_BIRTH_NOT_MALE
from tests.followup.contract_followup import followup_questions

CONTRACT = followup_questions()
QUESTIONS = CHECKIN_QUESTIONNAIRE.questions
BOTH = {SEX_AT_BIRTH_NOT_MALE: True, ON_THYROID_HORMONE: True}
NEITHER = {SEX_AT_BIRTH_NOT_MALE: False, ON_THYROID_HORMONE: False}


def test_the_questions_are_the_contracts_and_no_others() -> None:
    assert set(QUESTIONS) == set(CONTRACT)


@pytest.mark.parametrize("qid", list(CONTRACT))
def test_each_question_has_its_type_and_codes(qid: str) -> None:
    expected, question = CONTRACT[qid], QUESTIONS[qid]
    assert question.type == expected.type
    if expected.codes:
        assert question.codes == expected.codes


@pytest.mark.parametrize("qid", list(CONTRACT))
def test_required_as_the_contract_says(qid: str) -> None:
    shown_when = CONTRACT[qid].shown_when
    if shown_when.startswith("always"):
        assert QUESTIONS[qid].required is (shown_when == "always, required")
    else:  # a question asked only when it applies is then required, as in the screening
        assert QUESTIONS[qid].required


CONDITION = [
    (re.compile(r"^(\w+) in \((.+)\)$"), lambda m: Condition(m[1], "in", tuple(re.findall(r"`(\w+)`", m[2])))),
    (re.compile(r"^`(\w+)` in (\w+)$"), lambda m: Condition(m[2], "in", (m[1],))),
    (re.compile(r"^(\w+) is not only `(\w+)`$"), lambda m: Condition(m[1], "not_in", (m[2],))),
    (re.compile(r"^(\w+) = (\w+)$"), lambda m: Condition(m[1], "in", (m[2],))),
]
CONTEXT = {"the screening's `sex_at_birth` is not `male`": SEX_AT_BIRTH_NOT_MALE,
           "the screening found the patient on thyroid hormone": ON_THYROID_HORMONE}


def expected_condition(text: str) -> Condition | str | None:
    if text.startswith("always"):
        return None
    for words, fact in CONTEXT.items():
        if text.startswith(words):
            return fact
    for pattern, build in CONDITION:
        if found := pattern.match(text):
            return build(found)
    raise AssertionError(f"a shown-when the test cannot read: {text!r}")


@pytest.mark.parametrize("qid", list(CONTRACT))
def test_shown_when_the_contract_says(qid: str) -> None:
    expected = expected_condition(CONTRACT[qid].shown_when)
    question = QUESTIONS[qid]
    if isinstance(expected, str):
        assert (question.shown_when, question.shown_in_context) == (None, expected)
    else:
        assert (question.shown_when, question.shown_in_context) == (expected, None)


def test_ranges_and_lengths_are_the_contracts() -> None:
    assert (QUESTIONS["ci_dose_mg"].min, QUESTIONS["ci_dose_mg"].max, QUESTIONS["ci_dose_mg"].unit) == (0.1, 10, "mg")
    assert "0.1 .. 10 (mg)" in CONTRACT["ci_dose_mg"].options
    assert not QUESTIONS["ci_dose_mg"].integer
    for qid in ("ci_side_effect_other", "ci_comments"):
        assert QUESTIONS[qid].max_length == int(CONTRACT[qid].limit)
    medications = QUESTIONS["ci_medications"]
    assert "1..20 entries" in CONTRACT["ci_medications"].options
    assert (medications.min_entries, medications.max_entries) == (1, 20)
    assert medications.name_max_length == QUESTIONNAIRE.questions["medications"].name_max_length
    surgery = QUESTIONS["ci_surgery_date"]
    assert CONTRACT["ci_surgery_date"].limit == "future allowed"
    assert CONTRACT["ci_surgery_date"].options == "as_of .. as_of + 365"
    assert (surgery.allow_future, surgery.min_days_before_as_of, surgery.max_days_after_as_of) == (True, 0, 365)


SCREENING_ITEMS = [qid for qid in CONTRACT if not qid.startswith("ci_")]


def test_the_screenings_items_are_the_seven_symptoms_and_self_harm() -> None:
    assert SCREENING_ITEMS == ["pain_average", "pain_interference", "fatigue", "brain_fog", "sleep_problems",
                               "low_mood", "anxiety", "phq9_self_harm"]


@pytest.mark.parametrize("qid", SCREENING_ITEMS)
def test_a_screening_item_is_the_screenings_word_for_word(qid: str) -> None:
    ours, theirs = QUESTIONS[qid], QUESTIONNAIRE.questions[qid]
    assert (ours.type, ours.text, ours.hint, ours.options, ours.required) == \
        (theirs.type, theirs.text, theirs.hint, theirs.options, theirs.required)


def test_the_shared_safety_words_are_the_screenings() -> None:
    """Questions the check-in asks again under its own ID read as the screening's do."""
    same = {"ci_pregnant": "pregnant", "ci_liver_symptoms": "liver_symptoms_now",
            "ci_hyperthyroid_symptoms": "hyperthyroid_symptoms"}
    for ours, theirs in same.items():
        assert QUESTIONS[ours].options == QUESTIONNAIRE.questions[theirs].options
    assert QUESTIONS["ci_pregnant"].text == QUESTIONNAIRE.questions["pregnant"].text
    assert QUESTIONS["ci_liver_symptoms"].text == QUESTIONNAIRE.questions["liver_symptoms_now"].text
    check = CHECKIN_QUESTIONNAIRE.page("ci_medicines_check")
    screening_check = QUESTIONNAIRE.page("medicines_check")
    assert (check.reviews, check.ask, check.intro) == ("ci_medications", screening_check.ask, screening_check.intro)


def test_every_page_and_section_is_titled_and_short() -> None:
    for section in CHECKIN_QUESTIONNAIRE.sections:
        assert section.title
    assert [s.title for s in CHECKIN_QUESTIONNAIRE.sections] == [
        "Taking LDN", "Side effects", "How you feel", "Safety", "Anything else"]
    for page in CHECKIN_QUESTIONNAIRE.pages:
        assert page.title and len(page.questions) <= 8



@pytest.mark.parametrize("context", [BOTH, NEITHER])
def test_the_start_page_says_about_2_minutes_as_followup_md_does(context) -> None:
    assert estimated_minutes(CHECKIN_QUESTIONNAIRE, context, round_to=1) == 2


# --- the context: questions shown on the screening's facts ------------------------------------

@pytest.mark.parametrize(("screening", "pregnancy_asked"), [
    ({"sex_at_birth": "female"}, True),
    ({"sex_at_birth": "intersex"}, True),
    ({"sex_at_birth": "prefer_not_to_say"}, True),
    ({}, True),  # not given: counts as not male, the safer choice
    ({"sex_at_birth": "male"}, False),
])
def test_the_pregnancy_question_follows_the_screenings_sex_at_birth(screening, pregnancy_asked) -> None:
    context = checkin_context(screening)
    assert context[SEX_AT_BIRTH_NOT_MALE] is pregnancy_asked
    assert ("ci_pregnant" in CHECKIN_QUESTIONNAIRE.visible_ids({}, context)) is pregnancy_asked


LEVOTHYROXINE = {"name": "Levothyroxine 50 mcg", "how_often": "daily", "last_taken": None}


@pytest.mark.parametrize(("screening", "asked"), [
    ({"thyroid_conditions": ["hypothyroidism"], "thyroid_medication": ["levothyroxine"]}, True),
    ({"thyroid_conditions": ["hashimotos"], "thyroid_medication": ["liothyronine", "antithyroid"]}, True),
    ({"thyroid_conditions": ["other"], "thyroid_medication": ["desiccated_thyroid"]}, True),
    ({"takes_medications": "yes", "medications": [LEVOTHYROXINE]}, True),
    ({"takes_medications": "yes", "medications": [{**LEVOTHYROXINE, "how_often": "stopped"}]}, False),
    ({"thyroid_conditions": ["graves"], "thyroid_medication": ["antithyroid"]}, False),
    ({"thyroid_conditions": ["none"]}, False),
    # a stale answer the screening itself hid (no medicines) does not count
    ({"takes_medications": "no", "medications": [LEVOTHYROXINE]}, False),
    ({}, False),
])
def test_the_thyroid_question_follows_on_thyroid_hormone(screening, asked) -> None:
    context = checkin_context(screening)
    assert context[ON_THYROID_HORMONE] is asked
    assert ("ci_hyperthyroid_symptoms" in CHECKIN_QUESTIONNAIRE.visible_ids({}, context)) is asked


def test_the_context_facts_are_the_ones_the_definition_declares() -> None:
    assert set(checkin_context({})) == set(CHECKIN_QUESTIONNAIRE.context_ids) == {
        SEX_AT_BIRTH_NOT_MALE, ON_THYROID_HORMONE}
    for fact in CHECKIN_QUESTIONNAIRE.context:
        assert fact.meaning


def test_what_is_shown_is_never_asked_without_the_context() -> None:
    for ask in (lambda: CHECKIN_QUESTIONNAIRE.visible_ids({}), lambda: CHECKIN_QUESTIONNAIRE.prune({}),
                lambda: shown_pages(CHECKIN_QUESTIONNAIRE, {}),
                lambda: validate_answers(CHECKIN_QUESTIONNAIRE, {}, date(2027, 1, 15)),
                lambda: CHECKIN_QUESTIONNAIRE.visible_ids({}, {SEX_AT_BIRTH_NOT_MALE: True})):
        with pytest.raises(ContextError):
            ask()


def test_the_screening_needs_no_context() -> None:
    assert QUESTIONNAIRE.context_ids == ()
    assert QUESTIONNAIRE.visible_ids({}) == QUESTIONNAIRE.visible_ids({}, {})


def test_a_hidden_context_question_is_skipped_and_its_answer_dropped() -> None:
    answers = {"ci_pregnant": "yes", "ci_hyperthyroid_symptoms": ["tremor"], "ci_opioid_since": "no"}
    kept, dropped = CHECKIN_QUESTIONNAIRE.prune(answers, NEITHER)
    assert kept == {"ci_opioid_since": "no"} and dropped == ["ci_hyperthyroid_symptoms", "ci_pregnant"]
    kept, dropped = CHECKIN_QUESTIONNAIRE.prune(answers, BOTH)
    assert kept == answers and dropped == []


def test_the_journey_asks_every_required_question_in_order() -> None:
    answers: dict[str, object] = {}
    asked = []
    while (page := first_incomplete_page(CHECKIN_QUESTIONNAIRE, answers, BOTH)) is not None:
        asked.append(page.id)
        for question in page.questions:
            if question.required:
                answers[question.id] = question.codes[0] if question.codes else "x"  # "Yes", the first
    assert asked == ["ci_taking", "ci_taking_details", "ci_side_effects", "ci_side_effect_details", "ci_feel",
                     "ci_safety", "ci_safety_details", "ci_mood"]


# --- answers are checked as the screening's are -----------------------------------------------

AS_OF = date(2027, 1, 15)


@pytest.mark.parametrize(("answers", "problem"), [
    ({"ci_taking": "sometimes"}, "unknown code"),
    ({"ci_side_effects": ["none", "headache"]}, "'none' cannot be combined"),
    ({"ci_dose_mg": 12}, "outside 0.1..10"),
    ({"ci_dose_mg": 0}, "outside 0.1..10"),
    ({"ci_opioid_since": "yes", "ci_opioid_last_dose": "2027-01-16"}, "after as_of"),
    ({"ci_surgery_planned": "yes", "ci_surgery_date": "2027-01-14"}, "before as_of"),
    ({"ci_surgery_planned": "yes", "ci_surgery_date": "2028-01-16"}, "more than 365 days after"),
    ({"ci_new_medicines": "yes", "ci_medications": []}, "1 to 20 entries"),
    ({"pain_average": 11}, "from 0 to 10"),
    ({"favourite_colour": "blue"}, "unknown question"),
])
def test_bad_answers_are_refused(answers, problem) -> None:
    with pytest.raises(AnswerError, match=re.escape(problem)):
        validate_answers(CHECKIN_QUESTIONNAIRE, answers, AS_OF, BOTH)


def test_surgery_today_and_in_a_year_are_accepted() -> None:
    for day in ("2027-01-15", "2028-01-15"):
        kept, _ = validate_answers(
            CHECKIN_QUESTIONNAIRE, {"ci_surgery_planned": "yes", "ci_surgery_date": day}, AS_OF, BOTH)
        assert kept["ci_surgery_date"] == day
