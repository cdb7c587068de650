"""questionnaire.md "Typing numbers", through the page forms, for every number question of
the definition: digits with at most one decimal point, optionally followed by the
question's own unit (dropped); anything else refused with a message that says what to
type, the typed text kept on the page and nothing saved; a comma is never guessed; a value
outside the range is refused, never clamped.

The pure reading (screening/questionnaire/reading.py) is tested at the bottom.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from markupsafe import escape

from screening.questionnaire import QUESTIONNAIRE, Question
from screening.questionnaire.reading import ReadingError, read_number
from tests.patient.pages import TYPICAL_PAGES

NUMBER_QUESTIONS = [q for q in QUESTIONNAIRE.questions.values() if q.type == "number"]
# Typical answers, with a reason that shows the menopause question (hot_flushes_per_day):
# with these, every number question of the definition is shown (checked below).
SHOWING_EVERY_NUMBER = {
    **TYPICAL_PAGES,
    "reasons": {**TYPICAL_PAGES["reasons"], "conditions": [*TYPICAL_PAGES["reasons"]["conditions"],
                                                           "menopause_symptoms"]},
}
FOREIGN_UNIT = "mg/dL"  # a unit no question here asks for ("U/L" stands in where a question's unit is mg/dL)

COMMAS = "Type the number without commas or spaces, for example"
OTHER_DIGITS = "Type the number with the digits 0 to 9"
NO_UNIT = "Type just the number, without a unit"


def plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


@dataclass(frozen=True)
class Case:
    typed: str
    saved: float | None = None  # the answer stored when accepted
    message: str | None = None  # part of the message when refused

    def __post_init__(self) -> None:
        assert (self.saved is None) != (self.message is None)


def in_range(question: Question) -> int:
    """78 (the liver tests' example) when the question allows it, else a number it allows."""
    assert question.min is not None and question.max is not None
    return 78 if question.min <= 78 <= question.max else int((question.min + question.max) // 2)


def cases(question: Question) -> list[Case]:
    """What questionnaire.md says of each way of typing, for this question."""
    value, unit = in_range(question), question.unit
    assert question.min is not None and question.max is not None

    def with_unit(typed_unit: str) -> Case:
        if unit is None:
            return Case(f"{value}{typed_unit}", message=NO_UNIT)
        return Case(f"{value}{typed_unit}", saved=value)

    foreign = "U/L" if unit == FOREIGN_UNIT else FOREIGN_UNIT
    table = [
        Case("1,200", message=COMMAS),
        Case("1.200", message="We cannot tell if you mean 1200 or 1.2"),
        Case("1 200", message=COMMAS),
        Case("7 8", message=COMMAS),
        Case("١٢٠", message=OTHER_DIGITS),  # Arabic-Indic digits: never converted
        Case("１２０", message=OTHER_DIGITS),  # fullwidth digits: never converted
        Case(str(value), saved=value),
        with_unit(f" {unit or 'U/L'}"),  # "78 U/L"
        with_unit((unit or "U/L").lower().replace(" ", "")),  # "78u/l"
        with_unit(" " + " / ".join((unit or "U/L").lower().split("/"))),  # "78 u / l"
        Case(f"{value} {foreign}", message=f"Type the number in {unit}" if unit else NO_UNIT),
        Case(plain(question.max * 10), message=f"Enter a number from {plain(question.min)} to {plain(question.max)}"),
    ]
    if question.integer:
        table.append(Case("2.5", message="Enter a whole number"))
    else:
        table.append(Case("2.5", saved=2.5))
    return table


TABLE = [(question, case) for question in NUMBER_QUESTIONS for case in cases(question)]


def test_the_table_covers_every_number_question():
    assert {q.id for q in NUMBER_QUESTIONS} >= {"alt_value", "alt_uln", "bilirubin_value", "hot_flushes_per_day"}


def pages_before(question: Question) -> dict[str, dict[str, Any]]:
    pages: dict[str, dict[str, Any]] = {}
    for page_id, answers in SHOWING_EVERY_NUMBER.items():
        if page_id == question.page_id:
            return pages
        pages[page_id] = answers
    raise AssertionError(f"no typical answers for page {question.page_id!r}")


@pytest.mark.parametrize(("question", "case"), TABLE, ids=[f"{q.id}-{c.typed}" for q, c in TABLE])
def test_a_typed_number_is_read_as_the_contract_says(patient, app, question, case):
    patient.fill(pages_before(question))
    before = patient.saved_answers(app)
    page_answers = {**SHOWING_EVERY_NUMBER[question.page_id], question.id: case.typed}
    response = patient.post_page(question.page_id, page_answers)
    if case.saved is not None:
        assert response.status_code == 302, response.get_data(as_text=True)
        saved = patient.saved_answers(app)[question.id]
        assert saved == case.saved and type(saved) is type(case.saved)
        return
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert case.message is not None and case.message in html
    assert f'href="#{question.id}"' in html  # in the error summary, linking to the box
    assert f'name="{question.id}"' in html and f'value="{escape(case.typed)}"' in html  # kept as typed
    assert patient.saved_answers(app) == before  # nothing on the page is saved


# The exact words a patient sees, on the ALT result box (U/L, 1 to 10000).
ALT_MESSAGES = [
    ("1,200", "Type the number without commas or spaces, for example 1200. "
              "Use a point for a decimal, like 1.5"),
    ("7 8", "Type the number without commas or spaces, for example 1200. "
            "Use a point for a decimal, like 1.5"),
    ("1.200", "We cannot tell if you mean 1200 or 1.2. Type the one you mean: 1200 or 1.2"),
    ("12.500", "We cannot tell if you mean 12500 or 12.5. Type the one you mean: 12500 or 12.5"),
    ("١٢٠", "Type the number with the digits 0 to 9, for example 12"),
    ("78 mg/dL", "Type the number in U/L, for example 12 or 12 U/L"),
    ("0", "Enter a number from 1 to 10000"),
    ("forty", "Enter a number, like 42 or 1.5"),
]


@pytest.mark.parametrize(("typed", "message"), ALT_MESSAGES, ids=[typed for typed, _ in ALT_MESSAGES])
def test_the_message_says_what_to_type(patient, typed, message):
    question = QUESTIONNAIRE.questions["alt_value"]
    patient.fill(pages_before(question))
    html = patient.post_page("liver_tests", {**TYPICAL_PAGES["liver_tests"], "alt_value": typed}).get_data(as_text=True)
    assert f'<a href="#alt_value">ALT result: {message}</a>' in html  # the error summary's line
    assert f'id="alt_value-error"><span class="visually-hidden">Error:</span> {message}</p>' in html  # beside the box


@pytest.mark.parametrize(("qid", "message"), [
    ("bilirubin_value", "Type the number without commas or spaces, for example 120. "
                        "Use a point for a decimal, like 1.5"),  # 1200 is outside 0.1 to 1000
    ("hot_flushes_per_day", "Type the number without commas or spaces, for example 12"),  # whole numbers only
])
def test_the_example_fits_the_question(patient, qid, message):
    question = QUESTIONNAIRE.questions[qid]
    patient.fill(pages_before(question))
    page_answers = {**SHOWING_EVERY_NUMBER[question.page_id], qid: "1,0"}
    assert message in patient.post_page(question.page_id, page_answers).get_data(as_text=True)


def test_a_refused_number_can_be_corrected(patient, app):
    question = QUESTIONNAIRE.questions["alt_value"]
    patient.fill(pages_before(question))
    assert patient.post_page("liver_tests", {**TYPICAL_PAGES["liver_tests"], "alt_value": "1,200"}).status_code == 200
    patient.fill({"liver_tests": {**TYPICAL_PAGES["liver_tests"], "alt_value": "1200 U/L"}})
    assert patient.saved_answers(app)["alt_value"] == 1200
    assert 'value="1200"' in patient.page("liver_tests").get_data(as_text=True)  # the unit was dropped


# --- reading.read_number alone -------------------------------------------------------------

READ = [
    ("78", "U/L", 78.0),
    ("78 U/L", "U/L", 78.0),
    ("78u/l", "U/L", 78.0),
    ("78 u / l", "U/L", 78.0),
    ("  78\u00a0U/L ", "U/L", 78.0),
    ("1.5", "U/L", 1.5),
    ("0.125", None, 0.125),  # a thousands group never starts with 0: one reading only
    ("12.", None, 12.0),
    (".5", None, 0.5),
    ("7\u200b8", None, 78.0),  # an invisible character is removed first: the patient sees 78
    ("1.2 mg/dL", "mg/dL", 1.2),
    ("5 µmol/L", "μmol/L", 5.0),  # micro sign and Greek mu are the same letter, case-folded
]


@pytest.mark.parametrize(("typed", "unit", "value"), READ, ids=[typed for typed, _, _ in READ])
def test_read_number_accepts(typed, unit, value):
    assert read_number(typed, unit=unit, integer=False) == value


REFUSED = [
    ("1,200", "U/L", False, "commas_or_spaces"),
    ("0,8", None, False, "commas_or_spaces"),
    ("1 200", None, False, "commas_or_spaces"),
    ("1\u202f200", None, False, "commas_or_spaces"),  # a narrow no-break space, as French reports print
    ("7 8", None, False, "commas_or_spaces"),
    ("1.2.3", None, False, "commas_or_spaces"),
    ("1.200", "U/L", False, "thousands_or_decimal"),
    ("1.200", None, True, "thousands_or_decimal"),
    ("١٢٠", None, False, "other_digits"),
    ("１２０", None, False, "other_digits"),
    ("४२", None, True, "other_digits"),
    ("78 mg/dL", "U/L", False, "wrong_unit"),
    ("78 U/L.", "U/L", False, "wrong_unit"),
    ("78 U/L", None, False, "no_unit_here"),
    ("2.5", None, True, "not_whole"),
    ("", None, False, "not_a_number"),
    ("U/L 78", "U/L", False, "not_a_number"),
    ("-5", None, False, "not_a_number"),
    ("+5", None, False, "not_a_number"),
    ("1e3", None, False, "not_a_number"),
    ("NaN", None, False, "not_a_number"),
    ("inf", None, False, "not_a_number"),
    ("4_2", None, False, "not_a_number"),
    ("0x10", None, False, "not_a_number"),
    ("1" * 5000, None, True, "out_of_range"),  # not a crash: int() refuses 4300+ digits
]


@pytest.mark.parametrize(("typed", "unit", "integer", "problem"), REFUSED,
                         ids=[f"{typed[:12]}-{unit}-{integer}" for typed, unit, integer, _ in REFUSED])
def test_read_number_refuses(typed, unit, integer, problem):
    with pytest.raises(ReadingError) as refused:
        read_number(typed, unit=unit, integer=integer, low=0, high=10000)
    assert refused.value.problem == problem


def test_the_two_readings_are_given():
    with pytest.raises(ReadingError) as refused:
        read_number("12.500", unit=None, integer=False)
    assert refused.value.readings == ("12500", "12.5")


@pytest.mark.parametrize(("typed", "low", "high"), [("0", 1, 10000), ("10001", 1, 10000), ("0.05", 0.1, 1000)])
def test_out_of_range_is_refused_never_clamped(typed, low, high):
    with pytest.raises(ReadingError) as refused:
        read_number(typed, unit=None, integer=False, low=low, high=high)
    assert refused.value.problem == "out_of_range"


def test_whole_numbers_are_ints():
    value = read_number("12", unit=None, integer=True)
    assert value == 12 and type(value) is int
