"""FHIR R4 exports: valid resources that say what the definition says, and a response
that gives back exactly the patient's answers.

Validation uses the `fhir.resources` models (R4B, 4.3.0: identical to R4 4.0.1 for
Questionnaire and QuestionnaireResponse). The models check structure and value types,
not code lists or invariants, so those few are checked here by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import combinations
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse

from screening.export.fhir import (
    code_system,
    questionnaire_resource,
    questionnaire_response_resource,
)
from screening.questionnaire import QUESTIONNAIRE, Question, validate_answers
from screening.questionnaire.model import CONTAINS_OPIOID_CODES, HOW_OFTEN_CODES
from tests.contract import contract_file

AS_OF = date(2026, 12, 1)
AUTHORED = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
R4_ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
                 "string", "text", "url", "choice", "open-choice", "attachment", "reference",
                 "quantity"}
R4_OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}
EXPECTED_TYPES = {"date": "date", "yes_no": "choice", "yes_no_unsure": "choice",
                  "single": "choice", "multi": "choice", "scale_0_3": "integer",
                  "scale_0_10": "integer", "medication_list": "group"}
VALUE_KEY = {"choice": "valueCoding", "date": "valueDate", "integer": "valueInteger",
             "decimal": "valueDecimal", "string": "valueString", "text": "valueString"}

EVERYTHING_ANSWERED = {
    "date_of_birth": "1980-03-27", "sex_at_birth": "female", "pregnant": "unsure",
    "trying_to_conceive": "no", "breastfeeding": "no",
    "conditions": ["menopause_symptoms", "long_covid", "other"],
    "conditions_other": 'Restless legs <b>at night</b> & "twitches"',
    "main_goal": "Walk my dog again.\nSleep through the night.",
    "takes_medications": "yes",
    "medications": [
        {"name": "co-codamol 30/500", "how_often": "as_needed", "last_taken": "2026-11-28"},
        {"name": "Vitamin D 1000 IU", "how_often": "daily", "last_taken": None},
        {"name": "Ibuprofen 200 mg", "how_often": "stopped", "last_taken": "2025-01-31"},
    ],
    "opioid_recent": "unsure", "opioid_last_dose": "2026-11-28", "opioid_pattern": "as_needed",
    "opioid_withdrawal_now": "no", "opioid_treatment": "past",
    "opioid_treatment_last_dose": "2019-05-01", "depot_buprenorphine_12m": "no",
    "kratom_tianeptine": "over_90_days", "kratom_tianeptine_daily_12m": "no",
    "illicit_opioid_12m": "prefer_not_to_say", "opioid_use_disorder": "no",
    "loperamide_use": "occasionally", "surgery_planned": "yes", "surgery_date": "2027-02-15",
    "expects_opioid_pain_relief": "unsure",
    "liver_conditions": ["fatty_liver", "cirrhosis"], "cirrhosis_complications": "no",
    "liver_symptoms_now": ["none"], "liver_test_when": "within_12_months",
    "liver_test_abnormal": "yes", "alt_value": 62, "alt_uln": 40, "ast_value": 48.5,
    "ast_uln": 35, "bilirubin_value": 1.4, "bilirubin_uln": 1.2,
    "audit_c_frequency": "2_3_per_week", "audit_c_typical": "3_4",
    "audit_c_six_plus": "less_than_monthly", "alcohol_withdrawal_history": "no",
    "thyroid_conditions": ["hypothyroidism", "nodules"],
    "thyroid_medication": ["levothyroxine", "liothyronine"], "thyroid_dose_changed_6m": "yes",
    "hyperthyroid_symptoms": ["tremor", "anxiety"], "kidney_disease": "mild_or_moderate",
    "transplant": "no", "immunosuppressants": "unsure", "naltrexone_reaction": "none",
    "current_antagonist": ["vivitrol"], "vivitrol_last_injection": "2026-10-20",
    "other_allergies": "Lactose", "other_conditions": "Migraines since my teens.",
    "phq1_interest": 2, "phq2_down": 1, "phq3_sleep": 3, "phq4_tired": 3, "phq5_appetite": 0,
    "phq6_failure": 1, "phq7_concentration": 2, "phq8_movement": 0, "phq9_self_harm": 0,
    "gad1_nervous": 2, "gad2_worry": 1, "suicide_attempt_history": "prefer_not_to_say",
    "pain_average": 7, "pain_interference": 6, "fatigue": 9, "brain_fog": 5,
    "sleep_problems": 8, "low_mood": 3, "anxiety": 0, "hot_flushes_per_day": 6,
    "post_exertional_malaise": "yes", "consent_share": "yes",
}
# Branches closed by `not_in` conditions, and a multi `not_in: [none]` answered `none`.
BRANCHES_CLOSED = {
    "date_of_birth": "1990-07-01", "sex_at_birth": "intersex", "pregnant": "no",
    "trying_to_conceive": "no", "breastfeeding": "no", "conditions": ["chronic_pain"],
    "takes_medications": "no", "opioid_recent": "no", "opioid_treatment": "never",
    "kratom_tianeptine": "never", "illicit_opioid_12m": "no", "opioid_use_disorder": "no",
    "loperamide_use": "never", "surgery_planned": "unsure", "expects_opioid_pain_relief": "no",
    "liver_conditions": ["none"], "liver_symptoms_now": ["none"], "liver_test_when": "never",
    "audit_c_frequency": "never", "thyroid_conditions": ["unsure"],
    "thyroid_medication": ["none"], "hyperthyroid_symptoms": ["none"], "kidney_disease": "none",
    "transplant": "no", "immunosuppressants": "no", "naltrexone_reaction": "unsure",
    "current_antagonist": ["none"],
    **{qid: 0 for qid in QUESTIONNAIRE.questions if qid.startswith(("phq", "gad"))},
    "suicide_attempt_history": "no", "consent_share": "yes",
}


def _answer_sets() -> dict[str, dict[str, Any]]:
    examples = sorted(contract_file("examples").glob("*.json"))
    sets = {path.stem: json.loads(path.read_text(encoding="utf-8"))["answers"] for path in examples}
    return sets | {"everything-answered": EVERYTHING_ANSWERED, "branches-closed": BRANCHES_CLOSED}


ANSWER_SETS = _answer_sets()
CONDITIONAL = [q for q in QUESTIONNAIRE.questions.values() if q.shown_when is not None]
CHOICES = [q for q in QUESTIONNAIRE.questions.values() if q.codes]


@pytest.fixture(scope="module")
def resource() -> dict[str, Any]:
    return questionnaire_resource(QUESTIONNAIRE)


@pytest.fixture(scope="module")
def items(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for item in walk(resource["item"])}


def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every item, depth first, including a response's items nested under answers."""
    for item in items:
        yield item
        yield from walk(item.get("item", []))
        for answer in item.get("answer", []):
            yield from walk(answer.get("item", []))


def export(answers: Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
    arguments = {"response_id": 42, "patient_ref": "PAT-0042", "authored": AUTHORED,
                 "questionnaire_version": QUESTIONNAIRE.version} | overrides
    return questionnaire_response_resource(QUESTIONNAIRE, answers, **arguments)


def read_answers(response: dict[str, Any]) -> dict[str, Any]:
    """The contract-format answers a QuestionnaireResponse holds: the export, reversed."""
    answers: dict[str, Any] = {}
    for group in response.get("item", []):
        for item in group["item"]:
            question = QUESTIONNAIRE.questions[item["linkId"]]
            if question.type == "medication_list":
                parts = {c["linkId"].split(".")[1]: _value(c["answer"]) for c in item["item"]}
                entry = {"name": parts["name"], "how_often": parts["how_often"],
                         "last_taken": parts.get("last_taken")}
                answers.setdefault(question.id, []).append(entry)
            elif question.type == "multi":
                answers[question.id] = [_value([answer]) for answer in item["answer"]]
            else:
                answers[question.id] = _value(item["answer"])
    return answers


def _value(answer: list[dict[str, Any]]) -> Any:
    [[(key, value)]] = [list(a.items()) for a in answer]  # exactly one answer, one value[x]
    return value["code"] if key == "valueCoding" else value


def enabled_questions(resource: dict[str, Any], values: Mapping[str, list[Any]]) -> set[str]:
    """Question linkIds enabled under R4's rules, given each linkId's answer values
    (codings as (system, code)); a disabled controller counts as unanswered."""
    enabled: set[str] = set()
    for item in walk(resource["item"]):
        if item["linkId"] not in QUESTIONNAIRE.questions:
            continue
        rules = item.get("enableWhen", [])
        results = [_rule_holds(rule, values.get(rule["question"], [])
                               if rule["question"] in enabled else []) for rule in rules]
        combine = any if item.get("enableBehavior") == "any" else all
        if not rules or combine(results):
            enabled.add(item["linkId"])
    return enabled


def _rule_holds(rule: dict[str, Any], values: list[Any]) -> bool:
    if rule["operator"] == "exists":
        return bool(values) == rule["answerBoolean"]
    target = (rule["answerCoding"]["system"], rule["answerCoding"]["code"])
    return target in values if rule["operator"] == "=" else target not in values


def codings(question: Question, answer: Any) -> list[tuple[str, str]]:
    codes = [] if answer is None else answer if isinstance(answer, list) else [answer]
    return [(code_system(question.id), code) for code in codes]


# --- The Questionnaire ----------------------------------------------------------------------


def test_questionnaire_is_a_valid_r4_questionnaire(resource: dict[str, Any]) -> None:
    model = FhirQuestionnaire.model_validate(resource)
    assert json.loads(model.model_dump_json()) == resource  # nothing dropped or reinterpreted
    assert (resource["status"], resource["version"]) == ("active", QUESTIONNAIRE.version)
    assert resource["url"] == "urn:ldn-screening:questionnaire"


def test_item_types_and_operators_are_r4_codes(resource: dict[str, Any]) -> None:
    every = list(walk(resource["item"]))
    assert {item["type"] for item in every} <= R4_ITEM_TYPES
    operators = {rule["operator"] for item in every for rule in item.get("enableWhen", [])}
    assert operators <= R4_OPERATORS
    for item in every:  # R4 invariants que-1, que-5, que-12
        assert (item["type"] == "group") <= bool(item.get("item")), item["linkId"]
        assert ("answerOption" in item) <= (item["type"] == "choice"), item["linkId"]
        assert (len(item.get("enableWhen", [])) > 1) <= ("enableBehavior" in item), item["linkId"]


def test_every_question_is_exactly_one_link_id(resource: dict[str, Any]) -> None:
    counts = Counter(item["linkId"] for item in walk(resource["item"]))
    assert all(counts[qid] == 1 for qid in QUESTIONNAIRE.questions)
    assert max(counts.values()) == 1


def test_each_section_is_a_group_of_its_questions_in_order(resource: dict[str, Any]) -> None:
    assert len(resource["item"]) == len(QUESTIONNAIRE.sections)
    for group, section in zip(resource["item"], QUESTIONNAIRE.sections, strict=True):
        assert (group["type"], group["text"]) == ("group", section.title)
        shown = [item["linkId"] for item in group["item"] if item["type"] != "display"]
        assert shown == [q.id for page in section.pages for q in page.questions]


@pytest.mark.parametrize("question", QUESTIONNAIRE.questions.values(), ids=lambda q: q.id)
def test_item_type_follows_the_answer_type(items: dict[str, Any], question: Question) -> None:
    item = items[question.id]
    if question.type == "number":
        assert item["type"] == ("integer" if question.integer else "decimal")
    elif question.type == "text":
        assert item["type"] in ("string", "text") and item["maxLength"] == question.max_length
    else:
        assert item["type"] == EXPECTED_TYPES[question.type]
    assert item["required"] is question.required
    assert item.get("repeats", False) is (question.type in ("multi", "medication_list"))


@pytest.mark.parametrize("question", CHOICES, ids=lambda q: q.id)
def test_choice_options_are_the_definitions_codes(
    items: dict[str, Any], question: Question
) -> None:
    options = [option["valueCoding"] for option in items[question.id]["answerOption"]]
    assert [coding["code"] for coding in options] == list(question.codes)
    assert {coding["system"] for coding in options} == {code_system(question.id)}
    assert all(coding["display"] for coding in options)


@pytest.mark.parametrize("question", CONDITIONAL, ids=lambda q: q.id)
def test_a_conditional_question_is_enabled_by_its_controller(
    items: dict[str, Any], question: Question
) -> None:
    condition = question.shown_when
    assert condition is not None
    rules = items[question.id]["enableWhen"]
    assert {rule["question"] for rule in rules} == {condition.question}
    coded = {rule["answerCoding"]["code"] for rule in rules if "answerCoding" in rule}
    assert coded == set(condition.codes)


def _possible_answers(controller: Question) -> list[Any]:
    """Every single code; for a multi, every code alone and every pair without `none`."""
    if controller.type != "multi":
        return list(controller.codes)
    others = [code for code in controller.codes if code != "none"]
    return [[code] for code in controller.codes] + [list(pair) for pair in combinations(others, 2)]


@pytest.mark.parametrize("question", CONDITIONAL, ids=lambda q: q.id)
def test_enable_when_agrees_with_shown_when_for_every_answer(
    resource: dict[str, Any], question: Question
) -> None:
    condition = question.shown_when
    assert condition is not None
    controller = QUESTIONNAIRE.questions[condition.question]
    only = {"item": [{"linkId": controller.id}, next(
        i for i in walk(resource["item"]) if i["linkId"] == question.id)]}
    for answer in _possible_answers(controller):
        shown = question.id in enabled_questions(only, {controller.id: codings(controller, answer)})
        assert shown is condition.holds(answer), answer
    # No answer from a required controller means it was hidden: so is this question.
    shown = question.id in enabled_questions(only, {})
    assert shown is (condition.holds(None) and not controller.required)


@pytest.mark.parametrize("name", sorted(ANSWER_SETS))
def test_enabled_items_are_the_visible_questions(resource: dict[str, Any], name: str) -> None:
    answers = ANSWER_SETS[name]
    values = {qid: codings(QUESTIONNAIRE.questions[qid], answer)
              for qid, answer in answers.items() if QUESTIONNAIRE.questions[qid].codes}
    assert enabled_questions(resource, values) == QUESTIONNAIRE.visible_ids(answers)


def test_ranges_units_and_scores_use_r4_extensions(items: dict[str, Any]) -> None:
    def extensions(link_id: str) -> dict[str, Any]:
        return {e["url"].rsplit("/", 1)[1]: e for e in items[link_id].get("extension", [])}

    assert extensions("phq9_self_harm")["maxValue"]["valueInteger"] == 3
    assert extensions("pain_average")["maxValue"]["valueInteger"] == 10
    assert extensions("alt_value")["questionnaire-unit"]["valueCoding"]["code"] == "U/L"
    assert extensions("bilirubin_value")["minValue"]["valueDecimal"] == 0.1
    assert extensions("hot_flushes_per_day")["maxValue"]["valueInteger"] == 50
    assert extensions("date_of_birth")["minValue"]["valueDate"] == "1900-01-01"
    none = items["liver_conditions"]["answerOption"][-2]
    assert none["valueCoding"]["code"] == "none" and none["extension"][0]["valueBoolean"] is True
    weekly = items["audit_c_frequency"]["answerOption"][3]
    assert weekly["extension"][0]["valueDecimal"] == 3  # the AUDIT-C item score


def test_the_medication_list_is_a_repeating_group_of_four_parts(items: dict[str, Any]) -> None:
    group = items["medications"]
    parts = {i["linkId"]: i for i in group["item"] if i["type"] != "display"}
    assert (group["type"], group["repeats"]) == ("group", True)
    assert {k: v["type"] for k, v in parts.items()} == {
        "medications.name": "string", "medications.how_often": "choice",
        "medications.last_taken": "date", "medications.contains_opioid": "choice"}
    codes = [o["valueCoding"]["code"] for o in parts["medications.how_often"]["answerOption"]]
    assert codes == list(HOW_OFTEN_CODES)
    answers = [o["valueCoding"]["code"] for o in parts["medications.contains_opioid"]["answerOption"]]
    assert answers == list(CONTAINS_OPIOID_CODES)
    assert parts["medications.last_taken"]["required"] is False
    assert parts["medications.contains_opioid"]["required"] is False


# --- The QuestionnaireResponse --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ANSWER_SETS))
def test_a_response_is_valid_and_gives_back_the_answers(name: str) -> None:
    answers = ANSWER_SETS[name]
    kept, dropped = validate_answers(QUESTIONNAIRE, answers, AS_OF)
    assert dropped == []  # the answer sets are themselves valid and consistent
    response = export(answers)
    model = FhirResponse.model_validate(response)
    assert json.loads(model.model_dump_json()) == response
    assert read_answers(response) == kept


@pytest.mark.parametrize("name", sorted(ANSWER_SETS))
def test_a_response_mirrors_the_questionnaire(items: dict[str, Any], name: str) -> None:
    response = export(ANSWER_SETS[name])
    for group in response["item"]:
        assert items[group["linkId"]]["type"] == "group" and group["item"]
        for item in walk(group["item"]):
            question = items[item["linkId"]]  # every linkId exists in the Questionnaire
            assert item["text"] == question["text"]
            for answer in item.get("answer", []):
                assert set(answer) == {VALUE_KEY[question["type"]]}


def test_a_response_names_questionnaire_patient_and_time() -> None:
    response = export({"date_of_birth": "1980-03-27"}, response_id=7, status="in-progress")
    assert response["questionnaire"] == f"urn:ldn-screening:questionnaire|{QUESTIONNAIRE.version}"
    assert response["subject"] == {
        "identifier": {"system": "urn:ldn-screening:patient-ref", "value": "PAT-0042"}}
    assert (response["id"], response["status"]) == ("7", "in-progress")
    assert response["authored"] == "2026-11-30T09:15:00Z"
    assert [group["linkId"] for group in response["item"]] == ["section.about_you"]


def test_authored_keeps_its_offset_and_may_be_absent() -> None:
    paris = datetime(2026, 11, 30, 10, 15, tzinfo=timezone(timedelta(hours=1)))
    assert export({}, authored=paris)["authored"] == "2026-11-30T10:15:00+01:00"
    assert "authored" not in export({}, authored=None)
    assert "item" not in export({})


def test_a_medicine_without_last_taken_has_no_last_taken_item() -> None:
    entries = export(EVERYTHING_ANSWERED)["item"][2]["item"][1:]
    assert [len(entry["item"]) for entry in entries] == [3, 2, 3]


def test_answers_to_hidden_questions_are_left_out() -> None:
    response = export({"sex_at_birth": "male", "pregnant": "no"})
    assert read_answers(response) == {"sex_at_birth": "male"}


@pytest.mark.parametrize(
    ("answers", "overrides", "message"),
    [
        ({"favourite_colour": "blue"}, {}, "unknown questions"),
        ({}, {"status": "done"}, "status"),
        ({}, {"authored": datetime(2026, 11, 30, 9, 15)}, "timezone"),  # naive: refused
    ],
    ids=["unknown question", "unknown status", "naive authored"],
)
def test_bad_input_is_refused(
    answers: dict[str, Any], overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        export(answers, **overrides)
