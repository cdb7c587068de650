"""A bad definition fails the boot with a message naming the problem."""

from __future__ import annotations

import copy

import pytest
import yaml

from screening.questionnaire import DefinitionError, build_questionnaire
from screening.questionnaire.loader import DEFINITION_PATH

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
