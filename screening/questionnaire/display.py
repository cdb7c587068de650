"""Answers as people read them: the patient's check page and the doctor's summary.

Turns a contract-format answer back into its labels ("yes" → "Yes", a date into
"2 April 1978", a code list into its labels) from the definition, so no template
ever needs to know an option code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import medicine_check
from .medicine_check import CONTAINS_OPIOID
from .model import Context, Page, Question, Questionnaire
from .types import REGISTRY, QuestionType, require_every_type

HOW_OFTEN_LABELS = {
    "daily": "Every day",
    "weekly": "Every week",
    "as_needed": "Only when I need it",
    "occasionally": "Now and then",
    "stopped": "I have stopped taking it",
}
NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class AnswerRow:
    label: str  # what was asked, as the patient read it
    lines: tuple[str, ...]
    page_id: str
    anchor: str  # the field to go back to ("Change")


@dataclass(frozen=True)
class PageRows:
    page: Page
    rows: tuple[AnswerRow, ...]


def long_date(iso: str) -> str:
    return date_in_words(date.fromisoformat(iso))


def date_in_words(value: date) -> str:
    """"2 April 1978": no leading zero, the month in words (templates: `|long_date`)."""
    return f"{value.day} {value:%B %Y}"


def answer_lines(question: Question, value: Any) -> tuple[str, ...]:
    """One line per item of the answer (several for lists and medicines)."""
    if value is None:
        return (NOT_ANSWERED,)
    return ANSWER_LINES[question.type](question, value)


def _fixed_code_lines(question: Question, value: Any) -> tuple[str, ...]:
    return (question.spec.fixed_label(value) or value,)


def _option_lines(question: Question, value: Any) -> tuple[str, ...]:
    codes = value if question.spec.holds_list else [value]
    return tuple(question.label_for(code) for code in codes)


def _date_lines(question: Question, value: Any) -> tuple[str, ...]:
    return (long_date(value),)


def _scale_lines(question: Question, value: Any) -> tuple[str, ...]:
    scale = question.spec.scale
    assert scale is not None  # the registry gives every scale type its bounds
    return (scale.word(value) if scale.words else f"{value} out of {scale.high}",)


def _number_lines(question: Question, value: Any) -> tuple[str, ...]:
    return (f"{value} {question.unit}" if question.unit else str(value),)


def _text_lines(question: Question, value: Any) -> tuple[str, ...]:
    return (str(value),)


def _medication_lines(question: Question, value: Any) -> tuple[str, ...]:
    return tuple(_medicine_line(entry) for entry in value)


# How each question type's answer reads; the import fails if a registry type has none.
ANSWER_LINES: Mapping[QuestionType, Callable[[Question, Any], tuple[str, ...]]] = {
    "date": _date_lines,
    "yes_no": _fixed_code_lines,
    "yes_no_unsure": _fixed_code_lines,
    "single": _option_lines,
    "multi": _option_lines,
    "scale_0_3": _scale_lines,
    "scale_0_10": _scale_lines,
    "number": _number_lines,
    "text": _text_lines,
    "medication_list": _medication_lines,
}
require_every_type(ANSWER_LINES, "display.ANSWER_LINES")


def _medicine_line(entry: Mapping[str, Any]) -> str:
    how_often = HOW_OFTEN_LABELS.get(entry["how_often"], entry["how_often"])
    last = f", last taken {long_date(entry['last_taken'])}" if entry.get("last_taken") else ""
    return f"{entry['name']}: {how_often}{last}"


CONTAINS_OPIOID_LABELS = {option.code: option.label for option in REGISTRY["yes_no_unsure"].fixed_options}


def answer_pages(
    questionnaire: Questionnaire, answers: Mapping[str, Any], context: Context | None = None
) -> list[PageRows]:
    """Every shown question with its answer, page by page, in questionnaire order; a
    review page shows each entry it asked about with the patient's answer."""
    visible = questionnaire.visible_ids(answers, context)
    result = []
    for page in questionnaire.pages:
        rows = tuple(
            AnswerRow(q.text, answer_lines(q, answers.get(q.id)), page.id, q.id)
            for q in page.questions if q.id in visible
        )
        if page.reviews is not None and medicine_check.is_shown(page, answers, visible):
            rows += _review_rows(page, answers[page.reviews])
        if rows:
            result.append(PageRows(page, rows))
    return result


def _review_rows(page: Page, entries: list[Mapping[str, Any]]) -> tuple[AnswerRow, ...]:
    """'Does <name> contain an opioid?' and the answer, for each entry the page asked about."""
    return tuple(
        AnswerRow(
            f"Does {entries[position]['name']} contain an opioid?",
            (CONTAINS_OPIOID_LABELS.get(entries[position].get(CONTAINS_OPIOID, ""), NOT_ANSWERED),),
            page.id, f"entries-{number}-contains_opioid",
        )
        for number, position in enumerate(medicine_check.entries_to_check(entries))
    )
