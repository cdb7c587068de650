"""Answers as people read them: the patient's check page and the doctor's summary.

Turns a contract-format answer back into its labels ("yes" → "Yes", a date into
"2 April 1978", a code list into its labels) from the definition, so no template
ever needs to know an option code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import Page, Question, Questionnaire

YES_NO_LABELS = {"yes": "Yes", "no": "No", "unsure": "I'm not sure"}
SCALE_0_3_LABELS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
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
    question: Question
    lines: tuple[str, ...]
    page_id: str


@dataclass(frozen=True)
class PageRows:
    page: Page
    rows: tuple[AnswerRow, ...]


def long_date(iso: str) -> str:
    value = date.fromisoformat(iso)
    return f"{value.day} {value:%B %Y}"


def answer_lines(question: Question, value: Any) -> tuple[str, ...]:
    """One line per item of the answer (several for lists and medicines)."""
    if value is None:
        return (NOT_ANSWERED,)
    kind = question.type
    if kind in ("yes_no", "yes_no_unsure"):
        return (YES_NO_LABELS.get(value, value),)
    if kind == "single":
        return (question.label_for(value),)
    if kind == "multi":
        return tuple(question.label_for(code) for code in value)
    if kind == "date":
        return (long_date(value),)
    if kind == "scale_0_3":
        return (SCALE_0_3_LABELS[value],)
    if kind == "scale_0_10":
        return (f"{value} out of 10",)
    if kind == "number":
        return (f"{value} {question.unit}" if question.unit else str(value),)
    if kind == "medication_list":
        return tuple(_medicine_line(entry) for entry in value)
    return (str(value),)


def _medicine_line(entry: Mapping[str, Any]) -> str:
    how_often = HOW_OFTEN_LABELS.get(entry["how_often"], entry["how_often"])
    last = f", last taken {long_date(entry['last_taken'])}" if entry.get("last_taken") else ""
    return f"{entry['name']}: {how_often}{last}"


def answer_pages(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[PageRows]:
    """Every shown question with its answer, page by page, in questionnaire order."""
    visible = questionnaire.visible_ids(answers)
    result = []
    for page in questionnaire.pages:
        rows = tuple(
            AnswerRow(q, answer_lines(q, answers.get(q.id)), page.id)
            for q in page.questions if q.id in visible
        )
        if rows:
            result.append(PageRows(page, rows))
    return result
