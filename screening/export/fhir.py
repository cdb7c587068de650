"""FHIR R4 exports: the questionnaire as a Questionnaire, answers as a QuestionnaireResponse.

Plain dicts in FHIR's JSON form, built only from the definition so that IDs, codes and
labels cannot drift from what the patient saw; docs/exports.md has the mapping table.

Shape: one ``group`` item per section holding its questions (linkId = question ID).
Pages are flattened on purpose: they only paginate our HTML forms and mean nothing
clinically, and another level would make every consumer dig deeper for an answer, while
sections are the topics a reader expects (opioids, liver...). A page intro saying how to
answer (the PHQ "over the last 2 weeks") stays as a ``display`` item. Other linkIds
contain a dot, which a question ID (a Python identifier) never does: no collisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from screening.questionnaire.display import CONTAINS_OPIOID_LABELS, HOW_OFTEN_LABELS
from screening.questionnaire.model import (
    CONTAINS_OPIOID_CODES,
    EXCLUSIVE_CODE,
    HOW_OFTEN_CODES,
    Condition,
    Question,
    Questionnaire,
    Section,
)
from screening.questionnaire.types import FhirItemType

# Every identifier and code system of ours is a URN under this prefix (docs/exports.md).
URN_PREFIX = "urn:ldn-screening:"
QUESTIONNAIRE_URL = URN_PREFIX + "questionnaire"
CHECKIN_QUESTIONNAIRE_URL = URN_PREFIX + "checkin"


@dataclass(frozen=True)
class FhirIdentity:
    """Which of our questionnaires a Questionnaire resource is: its canonical URL and names."""

    url: str
    name: str
    title: str


SCREENING = FhirIdentity(QUESTIONNAIRE_URL, "LDNPreConsultationScreening", "LDN pre-consultation screening")
CHECKIN = FhirIdentity(CHECKIN_QUESTIONNAIRE_URL, "LDNFollowUpCheckIn", "LDN follow-up check-in")
CODE_SYSTEM_PREFIX = URN_PREFIX + "codes:"
PATIENT_REF_SYSTEM = URN_PREFIX + "patient-ref"
RESPONSE_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")

_EXT = "http://hl7.org/fhir/StructureDefinition/"
_UCUM = "http://unitsofmeasure.org"
_ITEM_CONTROL = "http://hl7.org/fhir/questionnaire-item-control"

# The medication list's columns: the same words as the patient's form.
MEDICATION_PARTS = {
    "name": ("Name of the medicine", "string"),
    "how_often": ("How often do you take it?", "choice"),
    "last_taken": ("When did you last take it?", "date"),
    # Asked on "Check these medicines" only for a name the classifier cannot recognise.
    "contains_opioid": ("Does it contain an opioid? (asked when the name was not recognised)", "choice"),
}
OPTIONAL_MEDICATION_PARTS = ("last_taken", "contains_opioid")

def item_type(question: Question) -> FhirItemType:
    """The FHIR R4 ``Questionnaire.item.type`` for one of our questions, from the question
    type registry: a number question is `integer` or `decimal`, a long text `text`, not `string`.

    Scales are integers (not codes with ordinal values): the contract's JSON value is the
    number and PHQ/GAD totals are sums; minValue/maxValue extensions bound them.
    """
    return question.spec.fhir.for_question(integer=question.integer, long=question.long_answer)


def code_system(link_id: str) -> str:
    """One code system per question: the same code ("none", "other", "never") means a
    different thing in each question, and a FHIR code system gives a code one meaning."""
    return CODE_SYSTEM_PREFIX + link_id


def questionnaire_resource(questionnaire: Questionnaire, identity: FhirIdentity = SCREENING) -> dict[str, Any]:
    """A questionnaire definition (the screening's, or the check-in's with `CHECKIN`) as a
    FHIR R4 ``Questionnaire``. A question shown on a context fact (the check-in's pregnancy
    and thyroid questions) is exported without a condition: the fact is not an answer."""
    return {
        "resourceType": "Questionnaire",
        "url": identity.url,
        "version": questionnaire.version,
        "name": identity.name,
        "title": identity.title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": [_section_item(questionnaire, section) for section in questionnaire.sections],
    }


def questionnaire_response_resource(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    response_id: int | str,
    patient_ref: str,
    status: str = "completed",
    authored: datetime | None,
    questionnaire_version: str,
    identity: FhirIdentity = SCREENING,
    context: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """Answers in the contract's JSON format as a FHIR R4 ``QuestionnaireResponse``.

    Items mirror the Questionnaire's groups and hold only answered questions. Answers to
    hidden questions are left out: FHIR forbids answers on disabled items, and our
    contract discards them too. An unknown question ID is an error, never dropped quietly.
    """
    if status not in RESPONSE_STATUSES:
        raise ValueError(f"status {status!r} is not one of {RESPONSE_STATUSES}")
    unknown = sorted(set(answers) - set(questionnaire.questions))
    if unknown:
        raise ValueError(f"answers to unknown questions: {unknown}")
    given = {qid: value for qid, value in answers.items() if value is not None}
    kept, _dropped = questionnaire.prune(given, context)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": str(response_id),
        "questionnaire": f"{identity.url}|{questionnaire_version}",
        "status": status,
        # The clinic's own patient reference, not a Patient resource we could point to.
        "subject": {"identifier": {"system": PATIENT_REF_SYSTEM, "value": patient_ref}},
    }
    if authored is not None:
        resource["authored"] = fhir_datetime(authored)
    sections = (_section_answers(section, kept) for section in questionnaire.sections)
    groups = [group for group in sections if group is not None]
    if groups:
        resource["item"] = groups
    return resource


# --- Questionnaire items ------------------------------------------------------------------


def _section_item(questionnaire: Questionnaire, section: Section) -> dict[str, Any]:
    children: list[dict[str, Any]] = []
    for page in section.pages:
        if page.intro:
            children.append({"linkId": f"{page.id}.intro", "text": page.intro, "type": "display"})
        children.extend(_question_item(questionnaire, question) for question in page.questions)
    return {"linkId": _section_link_id(section), "text": section.title, "type": "group",
            "item": children}


def _section_link_id(section: Section) -> str:
    return f"section.{section.id}"


def _question_item(questionnaire: Questionnaire, question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {}
    extensions = _extensions(question)
    if extensions:
        item["extension"] = extensions
    kind = item_type(question)
    item |= {"linkId": question.id, "text": question.text, "type": kind}
    if question.shown_when is not None:
        item |= _enable_when(questionnaire, question.shown_when)
    item["required"] = question.required
    if question.spec.holds_list:
        item["repeats"] = True
    if kind in ("string", "text") and question.max_length is not None:
        item["maxLength"] = question.max_length
    if item["type"] == "choice":
        item["answerOption"] = [_answer_option(question, code) for code in question.codes]
    children = [_help_item(question)] if _help_text(question) else []
    if question.type == "medication_list":
        children += _medication_parts(question)
    if children:
        item["item"] = children
    return item


def _enable_when(questionnaire: Questionnaire, condition: Condition) -> dict[str, Any]:
    """``shown_when`` as enableWhen. R4 operators: `=` is "some answer equals", `!=` is
    "no answer equals"; a disabled controller counts as unanswered.

    - `in`: `=` per code, behaviour any. Exact for single and multi answers.
    - `not_in`: `!=` per code, behaviour all ("has none of the codes"). Exact for a single
      answer; for a multi answer ours means "has a code outside the list", which agrees
      only when the listed codes are exclusive: true of every use today (`not_in: [none]`)
      and checked by the tests. A wider list would need SDC's enableWhenExpression.
    - A required controller also gets `exists = true`: its answer is absent from a finished
      response only when it was hidden, and then this question is hidden too (nested
      hiding), which `!=` alone would get wrong. An optional controller's absence may mean
      "shown but skipped", where `not_in` holds, so it gets no `exists`.
    """
    controller = questionnaire.questions[condition.question]
    system = code_system(controller.id)
    operator = "=" if condition.op == "in" else "!="
    rules: list[dict[str, Any]] = [
        {"question": controller.id, "operator": operator,
         "answerCoding": {"system": system, "code": code}}
        for code in condition.codes
    ]
    if condition.op == "in":
        return {"enableWhen": rules, "enableBehavior": "any"}
    if controller.required:
        rules.insert(0, {"question": controller.id, "operator": "exists", "answerBoolean": True})
    return {"enableWhen": rules, "enableBehavior": "all"}


def _extensions(question: Question) -> list[dict[str, Any]]:
    """Ranges and units, with R4 core extensions (LHC-Forms reads minValue/maxValue)."""
    extensions: list[dict[str, Any]] = []
    kind, scale = item_type(question), question.spec.scale
    if scale is not None:
        extensions += [_ext("minValue", valueInteger=scale.low), _ext("maxValue", valueInteger=scale.high)]
    elif kind in ("integer", "decimal") and question.min is not None and question.max is not None:
        key, cast = ("valueInteger", int) if kind == "integer" else ("valueDecimal", float)
        extensions += [
            _ext("minValue", **{key: cast(question.min)}),
            _ext("maxValue", **{key: cast(question.max)}),
        ]
    elif kind == "date" and question.min_date is not None:
        # The upper bound ("not after as_of") depends on the appointment date, so it
        # cannot be a fixed maxValue; our own validation enforces it.
        extensions.append(_ext("minValue", valueDate=question.min_date))
    elif kind == "group":
        if question.min_entries is not None:
            extensions.append(_ext("questionnaire-minOccurs", valueInteger=question.min_entries))
        if question.max_entries is not None:
            extensions.append(_ext("questionnaire-maxOccurs", valueInteger=question.max_entries))
    if question.unit:
        # Units in the definition are written as UCUM codes (today only "U/L").
        unit = {"system": _UCUM, "code": question.unit, "display": question.unit}
        extensions.append(_ext("questionnaire-unit", valueCoding=unit))
    return extensions


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": _EXT + name, **value}


def _answer_option(question: Question, code: str) -> dict[str, Any]:
    option: dict[str, Any] = {"valueCoding": _coding(question, code)}
    extensions = []
    if question.spec.holds_list and code == EXCLUSIVE_CODE:
        extensions.append(_ext("questionnaire-optionExclusive", valueBoolean=True))
    score = next((o.score for o in question.options if o.code == code), None)
    if score is not None:  # AUDIT-C item scores, so a consumer can add them up
        extensions.append(_ext("ordinalValue", valueDecimal=score))
    if extensions:
        option["extension"] = extensions
    return option


def _coding(question: Question, code: str) -> dict[str, str]:
    label = question.spec.fixed_label(code) or question.label_for(code)
    return {"system": code_system(question.id), "code": code, "display": label}


def _help_text(question: Question) -> str | None:
    """The hint, or for PHQ/GAD items what each number means (the form shows those words)."""
    scale = question.spec.scale
    if scale is not None and scale.words and question.hint is None:
        return "; ".join(f"{n} = {scale.word(n)}" for n in scale.points)
    return question.hint


def _help_item(question: Question) -> dict[str, Any]:
    # R4's way to attach help text to a question: a display child marked itemControl=help.
    control = {"coding": [{"system": _ITEM_CONTROL, "code": "help"}]}
    return {
        "extension": [_ext("questionnaire-itemControl", valueCodeableConcept=control)],
        "linkId": f"{question.id}.help",
        "text": _help_text(question),
        "type": "display",
    }


def _medication_parts(question: Question) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for part, (text, kind) in MEDICATION_PARTS.items():
        link_id = f"{question.id}.{part}"
        item: dict[str, Any] = {"linkId": link_id, "text": text, "type": kind,
                                "required": part not in OPTIONAL_MEDICATION_PARTS}
        if part == "name" and question.name_max_length:
            item["maxLength"] = question.name_max_length
        if part == "how_often":
            item["answerOption"] = [
                {"valueCoding": _how_often_coding(link_id, code)} for code in HOW_OFTEN_CODES
            ]
        if part == "contains_opioid":
            item["answerOption"] = [
                {"valueCoding": _contains_opioid_coding(link_id, code)} for code in CONTAINS_OPIOID_CODES
            ]
        parts.append(item)
    return parts


def _how_often_coding(link_id: str, code: str) -> dict[str, str]:
    return {"system": code_system(link_id), "code": code, "display": HOW_OFTEN_LABELS[code]}


def _contains_opioid_coding(link_id: str, code: str) -> dict[str, str]:
    return {"system": code_system(link_id), "code": code, "display": CONTAINS_OPIOID_LABELS[code]}


# --- QuestionnaireResponse items ----------------------------------------------------------


def _section_answers(section: Section, answers: Mapping[str, Any]) -> dict[str, Any] | None:
    items: list[dict[str, Any]] = []
    for page in section.pages:
        for question in page.questions:
            if question.id in answers:
                items += _answer_items(question, answers[question.id])
    if not items:
        return None
    return {"linkId": _section_link_id(section), "text": section.title, "item": items}


def _answer_items(question: Question, value: Any) -> list[dict[str, Any]]:
    """One item per question; a repeating group (the medicines) gives one per entry."""
    if question.type == "medication_list":
        return [
            {"linkId": question.id, "text": question.text,
             "item": _medication_answers(question, entry)}
            for entry in value
        ]
    values = value if question.spec.holds_list else [value]
    answer = [_answer_value(question, v) for v in values]
    return [{"linkId": question.id, "text": question.text, "answer": answer}]


def _answer_value(question: Question, value: Any) -> dict[str, Any]:
    kind = item_type(question)
    if kind == "choice":
        return {"valueCoding": _coding(question, value)}
    if kind == "date":
        return {"valueDate": value}
    if kind == "integer":
        return {"valueInteger": int(value)}
    if kind == "decimal":
        return {"valueDecimal": value}
    return {"valueString": value}


def _medication_answers(question: Question, entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    how_often_id, said = f"{question.id}.how_often", entry.get("contains_opioid")
    values = {
        "name": {"valueString": entry["name"]},
        "how_often": {"valueCoding": _how_often_coding(how_often_id, entry["how_often"])},
        "last_taken": {"valueDate": entry["last_taken"]} if entry.get("last_taken") else None,
        "contains_opioid": None if said is None else
        {"valueCoding": _contains_opioid_coding(f"{question.id}.contains_opioid", said)},
    }
    return [
        {"linkId": f"{question.id}.{part}", "text": MEDICATION_PARTS[part][0], "answer": [value]}
        for part, value in values.items()
        if value is not None
    ]


def fhir_datetime(moment: datetime) -> str:
    """A FHIR dateTime/instant to the second, `Z` for UTC (the Bundle export shares it)."""
    # FHIR requires a time zone on a dateTime with a time; a naive one would be a guess.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a FHIR dateTime must be timezone-aware")
    text = moment.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if moment.utcoffset() == timedelta(0) else text
