"""Every question type of the registry is handled by every layer, and limits come from the definition.

Adding a type to screening/questionnaire/types.py makes these tests ask for it everywhere:
a SAMPLES entry below (a question of that type and an example answer), a form builder, an
answer checker, answer lines, a FHIR item type and a widget macro in fields.html.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

import pytest
import yaml
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField

from screening.export.fhir import item_type, questionnaire_resource, questionnaire_response_resource
from screening.forms import SINGLE_VALUED, PageForms
from screening.forms.builders import BUILDERS
from screening.questionnaire import DefinitionError, Questionnaire, build_questionnaire
from screening.questionnaire.answers import CHECKERS, AnswerError, check_answer, validate_answers
from screening.questionnaire.display import ANSWER_LINES, answer_lines
from screening.questionnaire.loader import DEFINITION_PATH
from screening.questionnaire.types import (
    LONG_TEXT_OVER,
    QUESTION_TYPES,
    REGISTRY,
    QuestionType,
    TypeTableError,
    require_every_type,
)

AS_OF = date(2026, 6, 1)
R4_ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
                 "text", "url", "choice", "open-choice", "attachment", "reference", "quantity"}


@dataclass(frozen=True)
class Sample:
    """A question of one type (its definition keys beyond id, type and text), an answer to
    it, how that answer reads, and a piece of HTML only its widget renders."""

    keys: dict[str, Any]
    answer: Any
    lines: tuple[str, ...]
    marker: str
    extra: dict[str, Any] = field(default_factory=dict)


FRUIT = [{"code": "apple", "label": "Apple"}, {"code": "pear", "label": "Pear"}, {"code": "none", "label": "None"}]
MEDICINE = {"name": "Sertraline 50 mg", "how_often": "daily", "last_taken": "2026-01-01"}

SAMPLES: dict[str, Sample] = {
    "date": Sample({}, "1978-04-02", ("2 April 1978",), 'name="q_date-year"'),
    "yes_no": Sample({}, "yes", ("Yes",), 'type="radio" id="q_yes_no" name="q_yes_no" value="yes"'),
    "yes_no_unsure": Sample({}, "unsure", ("I'm not sure",), 'value="unsure"'),
    "single": Sample({"options": FRUIT}, "pear", ("Pear",), 'type="radio" id="q_single"'),
    "multi": Sample({"options": FRUIT}, ["apple", "pear"], ("Apple", "Pear"), 'type="checkbox" id="q_multi"'),
    "scale_0_3": Sample({}, 2, ("More than half the days",), "choices--radio choices--four"),
    "scale_0_10": Sample({}, 7, ("7 out of 10",), "choices--radio choices--scale"),
    "number": Sample({"min": 1, "max": 500, "integer": True, "unit": "U/L"}, 42, ("42 U/L",),
                     'class="input input--width-5" id="q_number"'),
    "text": Sample({"max_length": 80}, "Walk my dog", ("Walk my dog",), 'maxlength="80"'),
    "medication_list": Sample({"min_entries": 1, "max_entries": 5, "name_max_length": 60}, [MEDICINE],
                              ("Sertraline 50 mg: Every day, last taken 1 January 2026",), "Add another medicine"),
}


def sample_definition() -> dict[str, Any]:
    """One page per registry type, each with one required question of that type."""
    pages = [
        {"id": f"page_{qtype}", "title": f"Page {qtype}", "questions": [
            {"id": f"q_{qtype}", "type": qtype, "text": f"A {qtype} question?", "required": True,
             **copy.deepcopy(SAMPLES[qtype].keys)},
        ]}
        for qtype in QUESTION_TYPES
    ]
    return {"version": "test", "sections": [{"id": "every_type", "title": "Every type", "pages": pages}]}


SAMPLE_QUESTIONNAIRE = build_questionnaire(sample_definition())


def question_of(qtype: str) -> Any:
    return SAMPLE_QUESTIONNAIRE.questions[f"q_{qtype}"]


def page_form(app: Any, questionnaire: Questionnaire, page_id: str, answers: dict[str, Any],
              formdata: MultiDict[str, str] | None = None) -> Any:
    page = questionnaire.page(page_id)
    return PageForms(questionnaire).form(
        page, answers=answers, visible={q.id for q in page.questions}, formdata=formdata,
        today=AS_OF, as_of=AS_OF,
    )


# --- the registry itself ------------------------------------------------------------------


def test_the_literal_and_the_registry_name_the_same_types():
    assert get_args(QuestionType) == QUESTION_TYPES == tuple(REGISTRY)
    assert all(spec.name == name for name, spec in REGISTRY.items())


def test_every_registry_type_has_a_sample_here():
    assert set(SAMPLES) == set(QUESTION_TYPES)


def test_the_sample_definition_is_accepted_with_every_type():
    assert {q.type for q in SAMPLE_QUESTIONNAIRE.questions.values()} == set(QUESTION_TYPES)


@pytest.mark.parametrize("table", [
    {name: None for name in QUESTION_TYPES[1:]},
    {**{name: None for name in QUESTION_TYPES}, "maybe": None},
], ids=["missing a type", "an unknown type"])
def test_a_per_type_table_must_cover_exactly_the_registry(table):
    with pytest.raises(TypeTableError, match="must cover exactly"):
        require_every_type(table, "a table")


@pytest.mark.parametrize("name", ["maybe", "Yes_No", "scale_0_5", "", 3, None])
def test_the_loader_refuses_a_type_not_in_the_registry(name):
    raw = sample_definition()
    raw["sections"][0]["pages"][1]["questions"][0]["type"] = name
    with pytest.raises(DefinitionError, match="unknown type"):
        build_questionnaire(raw)


# --- every layer covers every type ----------------------------------------------------------


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_forms_build_a_field_that_round_trips_the_answer(qtype, app):
    assert qtype in BUILDERS
    sample = SAMPLES[qtype]
    with app.test_request_context():
        form = page_form(app, SAMPLE_QUESTIONNAIRE, f"page_{qtype}", {f"q_{qtype}": sample.answer})
        page = SAMPLE_QUESTIONNAIRE.page(f"page_{qtype}")
        assert PageForms(SAMPLE_QUESTIONNAIRE).answers(page, form, {}) == {f"q_{qtype}": sample.answer}


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_forms_refuse_repeated_values_exactly_for_single_valued_types(qtype):
    assert (qtype in SINGLE_VALUED) == REGISTRY[qtype].single_valued


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_the_answer_checker_accepts_an_answer_of_the_type(qtype):
    assert qtype in CHECKERS
    check_answer(question_of(qtype), SAMPLES[qtype].answer, AS_OF)


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_the_answer_checker_refuses_a_value_of_no_type(qtype):
    with pytest.raises(AnswerError, match=f"q_{qtype}"):
        check_answer(question_of(qtype), {"not": "an answer"}, AS_OF)


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_display_reads_the_answer_in_words(qtype):
    assert qtype in ANSWER_LINES  # its own entry: there is no generic fallback
    assert answer_lines(question_of(qtype), SAMPLES[qtype].answer) == SAMPLES[qtype].lines


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_the_fhir_item_type_comes_from_the_registry(qtype):
    question = question_of(qtype)
    kind = item_type(question)
    assert kind in R4_ITEM_TYPES
    assert kind in {REGISTRY[qtype].fhir.plain, REGISTRY[qtype].fhir.whole, REGISTRY[qtype].fhir.long}
    items = questionnaire_resource(SAMPLE_QUESTIONNAIRE)["item"][0]["item"]
    assert next(item["type"] for item in items if item["linkId"] == question.id) == kind


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_fhir_exports_an_answer_of_the_type(qtype):
    resource = questionnaire_response_resource(
        SAMPLE_QUESTIONNAIRE, {f"q_{qtype}": SAMPLES[qtype].answer}, response_id=1, patient_ref="P-1",
        authored=None, questionnaire_version="test",
    )
    (item,) = resource["item"][0]["item"]
    assert item["linkId"] == f"q_{qtype}"
    assert item.get("answer") or item.get("item")


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_fields_html_defines_the_widget_macros_of_the_type(qtype, app):
    spec = REGISTRY[qtype]
    with app.app_context():
        module = app.jinja_env.get_template("macros/fields.html").module
    for widget in filter(None, (spec.widget, spec.long_widget)):
        assert callable(getattr(module, widget, None)), f"no macro {widget!r} in macros/fields.html"
        assert widget in module.WIDGETS


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_a_question_of_the_type_renders_with_its_widget(qtype, app):
    question = question_of(qtype)
    with app.test_request_context():
        form = page_form(app, SAMPLE_QUESTIONNAIRE, f"page_{qtype}", {question.id: SAMPLES[qtype].answer})
        module = app.jinja_env.get_template("macros/fields.html").module
        html = str(module.question_field(question, form[question.id]))
    assert SAMPLES[qtype].marker in html
    assert question.text in html


# --- limits come from the definition --------------------------------------------------------


def shipped_with(qid: str, **changes: Any) -> Questionnaire:
    """The shipped definition with some keys of one question changed, built by the loader."""
    raw = yaml.safe_load(DEFINITION_PATH.read_text(encoding="utf-8"))
    for section in raw["sections"]:
        for page in section["pages"]:
            for question in page.get("questions", ()):
                if question["id"] == qid:
                    question.update(changes)
    return build_questionnaire(raw)


def medicine_rows(*names: str) -> MultiDict[str, str]:
    data: MultiDict[str, str] = MultiDict()
    for index, name in enumerate(names):
        data.add(f"medications-{index}-name", name)
        data.add(f"medications-{index}-how_often", "daily")
    return data


def medicine_errors(form: Any) -> list[str]:
    form.validate()
    field = form["medications"]
    return [m for m in field.errors if isinstance(m, str)] + [
        m for entry in field.entries for messages in entry.form.errors.values() for m in messages
    ]


def test_the_form_keeps_at_most_max_entries_medicines(app):
    questionnaire = shipped_with("medications", max_entries=3)
    with app.test_request_context(method="POST"):
        form = page_form(app, questionnaire, "medicines_list", {}, medicine_rows("A", "B", "C", "D"))
        assert medicine_errors(form) == []
        assert [row["name"] for row in form["medications"].data] == ["A", "B", "C"]


def test_the_form_limits_a_medicine_name_to_name_max_length(app):
    questionnaire = shipped_with("medications", name_max_length=20)
    with app.test_request_context(method="POST"):
        fits = page_form(app, questionnaire, "medicines_list", {}, medicine_rows("x" * 20))
        too_long = page_form(app, questionnaire, "medicines_list", {}, medicine_rows("x" * 21))
        assert medicine_errors(fits) == []
        assert medicine_errors(too_long) == ["The name must be 20 characters or fewer"]


def test_add_another_medicine_stops_at_max_entries(app):
    from screening.patient.views import _handled_list_action

    questionnaire = shipped_with("medications", max_entries=2)
    data = medicine_rows("A", "B")
    data.add("add_medicine", "1")
    with app.test_request_context(method="POST", data=data):
        form = page_form(app, questionnaire, "medicines_list", {}, data)
        assert _handled_list_action(form)
        assert len(form["medications"].entries) == 2


def test_the_answer_check_reads_the_medicine_limits(app):
    questionnaire = shipped_with("medications", max_entries=2, name_max_length=20)
    answers = {"takes_medications": "yes"}
    medicine = {"name": "x" * 20, "how_often": "daily", "last_taken": None}
    validate_answers(questionnaire, {**answers, "medications": [medicine] * 2}, AS_OF)
    with pytest.raises(AnswerError, match="expected 1 to 2 entries"):
        validate_answers(questionnaire, {**answers, "medications": [medicine] * 3}, AS_OF)
    with pytest.raises(AnswerError, match="longer than 20 characters"):
        validate_answers(questionnaire, {**answers, "medications": [{**medicine, "name": "x" * 21}]}, AS_OF)


def test_fhir_exports_the_medicine_limits():
    questionnaire = shipped_with("medications", max_entries=2, name_max_length=20)
    items = [i for group in questionnaire_resource(questionnaire)["item"] for i in group["item"]]
    medications = next(item for item in items if item["linkId"] == "medications")
    assert {"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs", "valueInteger": 2} in (
        medications["extension"])
    name = next(part for part in medications["item"] if part["linkId"] == "medications.name")
    assert name["maxLength"] == 20


@pytest.mark.parametrize(("max_length", "widget", "field_class", "fhir_type"), [
    (LONG_TEXT_OVER, "text_field", StringField, "string"),
    (LONG_TEXT_OVER + 1, "textarea", TextAreaField, "text"),
], ids=["at the threshold: one line", "over it: a box"])
def test_a_long_text_answer_is_a_box_over_the_registry_threshold(app, max_length, widget, field_class, fhir_type):
    questionnaire = shipped_with("main_goal", max_length=max_length)
    question = questionnaire.questions["main_goal"]
    assert question.widget == widget
    assert item_type(question) == fhir_type
    with app.test_request_context():
        form = page_form(app, questionnaire, "reasons", {})
        assert type(form["main_goal"]) is field_class
        html = str(app.jinja_env.get_template("macros/fields.html").module.question_field(question, form["main_goal"]))
    assert ("<textarea" in html) == (widget == "textarea")
    assert f'maxlength="{max_length}"' in html
