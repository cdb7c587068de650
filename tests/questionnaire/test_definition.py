"""A bad definition fails the boot with a message naming the problem."""

from __future__ import annotations

import copy
import dataclasses

import pytest
import yaml

from screening.questionnaire import QUESTIONNAIRE, DefinitionError, build_questionnaire
from screening.questionnaire.loader import DEFINITION_PATH
from screening.questionnaire.navigation import estimated_minutes

RAW = yaml.safe_load(DEFINITION_PATH.read_text(encoding="utf-8"))


def _question(raw, qid):
    for section in raw["sections"]:
        for page in section["pages"]:
            for question in page.get("questions", ()):
                if question["id"] == qid:
                    return question
    raise KeyError(qid)


def _page(raw, page_id):
    return next(page for section in raw["sections"] for page in section["pages"] if page["id"] == page_id)


def _move_review_page_to_opioids(raw):
    page = _page(raw, "medicines_check")
    raw["sections"][2]["pages"].remove(page)
    raw["sections"][3]["pages"].append(page)


def _broken(change):
    raw = copy.deepcopy(RAW)
    change(raw)
    return raw


CASES = [
    ("review page with questions of its own", lambda r: _page(r, "medicines_check").update(
        questions=[_question(r, "takes_medications")]), "asks no questions of its own"),
    ("review page without its question", lambda r: _page(r, "medicines_check").pop("ask"),
     "a review page, and only a review page, has an 'ask'"),
    ("question page with an ask", lambda r: _page(r, "medicines").update(ask="Why?"),
     "a review page, and only a review page, has an 'ask'"),
    ("review page of a non-list", lambda r: _page(r, "medicines_check").update(reviews="takes_medications"),
     "which is not a medication list on an earlier page"),
    ("review page of an unknown question", lambda r: _page(r, "medicines_check").update(reviews="pills"),
     "which is not a medication list on an earlier page"),
    ("review page in another section", _move_review_page_to_opioids, "must be in the section of 'medications'"),
    ("unknown type", lambda r: _question(r, "pregnant").update(type="maybe"), "unknown type 'maybe'"),
    ("duplicate id", lambda r: _question(r, "pregnant").update(id="sex_at_birth"),
     "duplicate question id 'sex_at_birth'"),
    ("yaml boolean code", lambda r: _question(r, "illicit_opioid_12m")["options"][0].update(code=True),
     "not a string"),
    ("condition on a later page", lambda r: _question(r, "pregnant").update(
        shown_when={"question": "opioid_recent", "in": ["yes"]}), "not on an earlier page"),
    ("condition with an unknown code", lambda r: _question(r, "pregnant").update(
        shown_when={"question": "sex_at_birth", "not_in": ["mail"]}), "codes ['mail']"),
    ("condition on an unknown question", lambda r: _question(r, "pregnant").update(
        shown_when={"question": "gender", "in": ["x"]}), "unknown question 'gender'"),
    ("condition with an expression", lambda r: _question(r, "pregnant").update(
        shown_when={"question": "sex_at_birth", "expr": "x != 'male'"}), "shown_when must be"),
    ("number without range", lambda r: _question(r, "alt_value").pop("max"), "needs 'min' and 'max'"),
    ("text without length", lambda r: _question(r, "main_goal").pop("max_length"), "max_length"),
    ("text with a fractional length", lambda r: _question(r, "main_goal").update(max_length=300.5),
     "integer 'max_length'"),
    ("medication list without max_entries", lambda r: _question(r, "medications").pop("max_entries"),
     "needs 'min_entries', 'max_entries' and 'name_max_length'"),
    ("medication list without name_max_length", lambda r: _question(r, "medications").pop("name_max_length"),
     "needs 'min_entries', 'max_entries' and 'name_max_length'"),
    ("medication list without min_entries", lambda r: _question(r, "medications").pop("min_entries"),
     "needs 'min_entries', 'max_entries' and 'name_max_length'"),
    ("medication list with no room", lambda r: _question(r, "medications").update(max_entries=0),
     "integer 'max_entries' of at least 1"),
    ("more entries needed than allowed", lambda r: _question(r, "medications").update(min_entries=5, max_entries=4),
     "'min_entries' is greater than 'max_entries'"),
    ("range that is not a number", lambda r: _question(r, "alt_value").update(max="lots"), "'max' must be a number"),
    ("options on a yes/no question", lambda r: _question(r, "pregnant").update(options=[{"code": "a", "label": "A"}]),
     "options belong to single and multi questions only"),
    ("unknown key", lambda r: _question(r, "main_goal").update(colour="red"), "unknown keys: ['colour']"),
    ("missing text", lambda r: _question(r, "main_goal").pop("text"), "needs a 'text'"),
    ("no version", lambda r: r.pop("version"), "'version'"),
]


@pytest.mark.parametrize(("change", "message"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_definition_is_refused(change, message):
    with pytest.raises(DefinitionError, match=message.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(")):
        build_questionnaire(_broken(change))


def test_the_shipped_definition_is_valid():
    assert build_questionnaire(copy.deepcopy(RAW)).version == RAW["version"]


# --- context conditions and borrowed questions (the check-in's definition, checkin.yaml) ------

def _small(*questions, context=None):
    """A two-page definition: a first page with a choice, then the given questions."""
    raw = {"version": "t1", "sections": [{"id": "s", "title": "S", "pages": [
        {"id": "first", "title": "First", "questions": [
            {"id": "asked", "type": "yes_no", "text": "Asked?", "required": True}]},
        {"id": "second", "title": "Second", "questions": list(questions)},
    ]}]}
    if context is not None:
        raw["context"] = context
    return raw


LENDER = build_questionnaire(copy.deepcopy(RAW))
CONTEXT = {"on_something": "The screening found the patient on something."}
IN_CONTEXT = {"id": "q", "type": "yes_no", "text": "Q?", "shown_when": {"context": "on_something"}}

DEFINITION_CASES = [
    ("undeclared context fact", _small(IN_CONTEXT), "are not declared in 'context'"),
    ("declared context fact nobody reads", _small({"id": "q", "type": "yes_no", "text": "Q?"}, context=CONTEXT),
     "declared but no question reads them"),
    ("context with an answer condition", _small(
        {**IN_CONTEXT, "shown_when": {"context": "on_something", "question": "asked", "in": ["yes"]}},
        context=CONTEXT), "takes nothing else"),
    ("context fact without a meaning", _small(IN_CONTEXT, context={"on_something": ""}), "needs a 'on_something'"),
    ("context fact that is not an identifier", _small(
        {**IN_CONTEXT, "shown_when": {"context": "On Something"}}, context=CONTEXT), "must be a lower-case identifier"),
    ("unknown top-level key", {**_small({"id": "q", "type": "yes_no", "text": "Q?"}), "lenders": []},
     "unknown keys: ['lenders']"),
    ("borrow without a lender", _small({"borrow": "pain_average"}), "no lending definition has it"),
]


@pytest.mark.parametrize(("raw", "message"), [c[1:] for c in DEFINITION_CASES], ids=[c[0] for c in DEFINITION_CASES])
def test_bad_context_or_borrowing_is_refused(raw, message):
    with pytest.raises(DefinitionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_questionnaire(raw)


@pytest.mark.parametrize(("entry", "message"), [
    ({"borrow": "favourite_colour"}, "no lending definition has it"),
    ({"borrow": "pregnant"}, "its condition reads the lender's answers"),
    ({"borrow": "pain_average", "required": True}, "takes nothing but 'borrow'"),
])
def test_only_an_unconditional_question_is_borrowed_whole(entry, message):
    with pytest.raises(DefinitionError, match=message):
        build_questionnaire(_small(entry), lender=LENDER)


def test_a_borrowed_question_is_the_lenders_on_the_borrowers_page():
    borrowed = build_questionnaire(_small({"borrow": "phq9_self_harm"}), lender=LENDER).questions["phq9_self_harm"]
    lent = LENDER.questions["phq9_self_harm"]
    assert (borrowed.section_id, borrowed.page_id) == ("s", "second")
    assert borrowed == dataclasses.replace(lent, section_id="s", page_id="second")


def test_a_context_question_is_shown_only_when_its_fact_holds():
    questionnaire = build_questionnaire(_small(IN_CONTEXT, context=CONTEXT))
    assert questionnaire.context_ids == ("on_something",)
    assert questionnaire.questions["q"].shown_in_context == "on_something"
    assert "q" in questionnaire.visible_ids({}, {"on_something": True})
    assert "q" not in questionnaire.visible_ids({}, {"on_something": False})


def test_a_question_shown_on_a_hidden_context_question_is_hidden_too():
    follow = {"id": "r", "type": "yes_no", "text": "R?", "shown_when": {"question": "q", "in": ["yes"]}}
    raw = _small(IN_CONTEXT, context=CONTEXT)
    raw["sections"][0]["pages"].append({"id": "third", "title": "Third", "questions": [follow]})
    questionnaire = build_questionnaire(raw)
    assert "r" in questionnaire.visible_ids({"q": "yes"}, {"on_something": True})
    assert "r" not in questionnaire.visible_ids({"q": "yes"}, {"on_something": False})


def test_the_screening_takes_about_10_minutes_at_the_check_ins_pace() -> None:
    # 61 questions shown before any answer: 44 one-tap, 7 multiple choice, 7 numbers or
    # dates, 3 free text: 513 seconds, nearest 5 minutes.
    assert estimated_minutes(QUESTIONNAIRE) == 10
