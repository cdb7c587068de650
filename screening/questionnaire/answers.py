"""Check an answers object against the contract's answer formats (questionnaire.md).

Used wherever answers arrive as JSON rather than through the page forms: the `evaluate`
command, imports, and a last check before a submission is evaluated. Each problem is an
:class:`AnswerError` whose message names the question and what is wrong, in one line.

Free text (text answers, medicine names) is read as the page forms read it
(reading.clean_text: invisible format characters removed, NFC; control characters
refused), so the answers `validate_answers` returns are the ones to evaluate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from .model import CONTAINS_OPIOID_CODES, EXCLUSIVE_CODE, HOW_OFTEN_CODES, Context, Question, Questionnaire
from .reading import clean_text, has_control_characters
from .types import QuestionType, require_every_type

ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
EARLIEST_DATE = date(1900, 1, 1)
MEDICATION_KEYS = {"name", "how_often", "last_taken", "contains_opioid"}


class AnswerError(ValueError):
    """An answer does not match the contract; the message says which and why."""


def parse_iso_date(value: Any, where: str) -> date:
    """A real calendar date written YYYY-MM-DD, or AnswerError."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise AnswerError(f"{where}: {value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AnswerError(f"{where}: {value!r} is not a real date") from None


def validate_answers(
    questionnaire: Questionnaire, answers: Any, as_of: date, context: Context | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The answers as read (free text cleaned) with hidden questions removed, and the IDs
    removed; or AnswerError. Evaluate the answers returned, not the ones given. `context`:
    the facts a questionnaire with context conditions (the check-in) is shown on."""
    if not isinstance(answers, Mapping):
        raise AnswerError("'answers' must be an object keyed by question ID")
    read: dict[str, Any] = {}
    for qid, value in answers.items():
        question = questionnaire.questions.get(qid)
        if question is None:
            raise AnswerError(f"unknown question ID {qid!r}")
        read[qid] = check_answer(question, value, as_of)
    return questionnaire.prune(read, context)


def check_answer(question: Question, value: Any, as_of: date) -> Any:
    """The answer as read (free text cleaned, everything else as given), or AnswerError."""
    checker = CHECKERS[question.type]
    return checker(question, value, as_of)


def _check_date(question: Question, value: Any, as_of: date) -> Any:
    parsed = _check_date_value(question.id, value, as_of, allow_future=question.allow_future)
    # The same window the page form allows (forms.builders.date_bounds), e.g. surgery_date.
    before, after = question.min_days_before_as_of, question.max_days_after_as_of
    if before is not None and parsed < as_of - timedelta(days=before):
        raise AnswerError(f"{question.id}: {value} is more than {before} days before as_of")
    if after is not None and parsed > as_of + timedelta(days=after):
        raise AnswerError(f"{question.id}: {value} is more than {after} days after as_of")
    return value


def _check_date_value(where: str, value: Any, as_of: date, *, allow_future: bool) -> date:
    parsed = parse_iso_date(value, where)
    if parsed < EARLIEST_DATE:
        raise AnswerError(f"{where}: {value} is before 1900")
    if not allow_future and parsed > as_of:
        raise AnswerError(f"{where}: {value} is after as_of ({as_of.isoformat()})")
    return parsed


def _check_code(question: Question, value: Any, _as_of: date) -> Any:
    if not isinstance(value, str) or value not in question.codes:
        raise AnswerError(f"{question.id}: unknown code {value!r} (expected one of {list(question.codes)})")
    return value


def _check_multi(question: Question, value: Any, _as_of: date) -> Any:
    if not isinstance(value, list) or not value:
        raise AnswerError(f"{question.id}: expected a non-empty list of codes")
    for code in value:
        if not isinstance(code, str) or code not in question.codes:
            raise AnswerError(f"{question.id}: unknown code {code!r}")
    if len(set(value)) != len(value):
        raise AnswerError(f"{question.id}: a code is repeated")
    if EXCLUSIVE_CODE in value and len(value) > 1:
        raise AnswerError(f"{question.id}: 'none' cannot be combined with another code")
    return value


def _check_scale(question: Question, value: Any, _as_of: date) -> Any:
    scale = question.spec.scale
    assert scale is not None  # the registry gives every scale type its bounds
    if isinstance(value, bool) or not isinstance(value, int) or value not in scale.points:
        raise AnswerError(f"{question.id}: expected a whole number from {scale.low} to {scale.high}")
    return value


def _check_number(question: Question, value: Any, _as_of: date) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerError(f"{question.id}: expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswerError(f"{question.id}: expected a number")
    assert question.min is not None and question.max is not None  # checked by the loader
    # The range first: a JSON integer too large for a float must fail here, not crash below.
    if not question.min <= value <= question.max:
        raise AnswerError(f"{question.id}: {value} is outside {question.min}..{question.max}")
    if question.integer and not float(value).is_integer():
        raise AnswerError(f"{question.id}: expected a whole number")
    return value


def _check_text(question: Question, value: Any, _as_of: date) -> Any:
    if not isinstance(value, str):
        raise AnswerError(f"{question.id}: expected text")
    text = _read_text(question.id, value)
    assert question.max_length is not None  # required by the loader
    if len(text) > question.max_length:
        raise AnswerError(f"{question.id}: longer than {question.max_length} characters")
    return text


def _read_text(where: str, value: str) -> str:
    """Free text as the page forms store it (reading.clean_text); control characters refused."""
    if has_control_characters(value):
        raise AnswerError(f"{where}: contains control characters")
    return clean_text(value)


def _check_medications(question: Question, value: Any, as_of: date) -> Any:
    if not isinstance(value, list):
        raise AnswerError(f"{question.id}: expected a list of medicines")
    low, high, name_max = question.min_entries, question.max_entries, question.name_max_length
    assert low is not None and high is not None and name_max is not None  # required by the loader
    if not low <= len(value) <= high:
        raise AnswerError(f"{question.id}: expected {low} to {high} entries")
    read: list[dict[str, Any]] = []
    for number, entry in enumerate(value, start=1):
        where = f"{question.id}[{number}]"
        if not isinstance(entry, Mapping) or set(entry) - MEDICATION_KEYS:
            raise AnswerError(f"{where}: expected an object with name, how_often, last_taken, contains_opioid")
        name = entry.get("name")
        if isinstance(name, str):
            name = _read_text(f"{where}.name", name)
        if not isinstance(name, str) or not name.strip():
            raise AnswerError(f"{where}: 'name' must be non-empty text")
        if len(name) > name_max:
            raise AnswerError(f"{where}: 'name' is longer than {name_max} characters")
        if entry.get("how_often") not in HOW_OFTEN_CODES:
            raise AnswerError(f"{where}: unknown how_often code {entry.get('how_often')!r}")
        if entry.get("last_taken") is not None:
            _check_date_value(f"{where}.last_taken", entry["last_taken"], as_of, allow_future=False)
        if "contains_opioid" in entry and entry["contains_opioid"] not in CONTAINS_OPIOID_CODES:
            raise AnswerError(f"{where}: unknown contains_opioid code {entry['contains_opioid']!r}")
        read.append({**entry, "name": name})  # the entry as given, its name as read
    return read


# A checker returns the answer as read: free text cleaned, every other answer as given.
Checker = Callable[[Question, Any, date], Any]

# One checker per question type; the import fails if a registry type has none.
CHECKERS: Mapping[QuestionType, Checker] = {
    "date": _check_date,
    "yes_no": _check_code,
    "yes_no_unsure": _check_code,
    "single": _check_code,
    "multi": _check_multi,
    "scale_0_3": _check_scale,
    "scale_0_10": _check_scale,
    "number": _check_number,
    "text": _check_text,
    "medication_list": _check_medications,
}
require_every_type(CHECKERS, "answers.CHECKERS")
