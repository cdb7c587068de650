"""One builder per question type: the WTForms field, and the conversions between what
the form holds and the contract's JSON answer format (questionnaire.md).

A builder never decides whether a question is shown: that is the definition's job.
`BUILDERS` is keyed by the question types of screening/questionnaire/types.py and must
cover exactly those: importing this module fails otherwise. What a builder needs to know
about a type (fixed codes, scale points, long answers) it reads from that registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from wtforms import Field, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API; types-WTForms 3.2 lacks it
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from ..questionnaire.answers import EARLIEST_DATE
from ..questionnaire.model import Question
from ..questionnaire.types import QuestionType, Scale, require_every_type
from .fields import (
    ChoiceField,
    DatePartsField,
    DateRange,
    ExclusiveNone,
    MultiChoiceField,
    SafeText,
    TypedNumber,
    stripped,
    typed_text,
)
from .medications import make_medication_field, medications_to_answer, medications_to_form

# The two ends of a scale whose points are numbers, as the radio labels say them.
SCALE_END_WORDS = ("none", "worst")


@dataclass(frozen=True)
class Builder:
    """How one question type becomes a field, and how its data maps to an answer."""

    make_field: Callable[[Question], Field]
    to_answer: Callable[[Question, Any], Any]
    to_form: Callable[[Question, Any], Any] = lambda question, value: value


def required_message(question: Question) -> str:
    """What a blank required question asks for: typed boxes are entered, choices chosen."""
    widget = question.widget
    if widget == "date_field":
        return "Enter a date"
    if widget == "checkboxes":
        return "Choose at least one answer"
    if widget in ("text_field", "textarea", "number_field"):
        return "Enter your answer"
    return "Choose an answer"


def _presence(question: Question) -> list[Any]:
    if question.required:
        return [InputRequired(message=required_message(question))]
    return [Optional()]


def choices_for(question: Question) -> list[SelectChoice]:
    """The radios or checkboxes of a choice question, in order."""
    spec = question.spec
    if spec.fixed_options:
        return [SelectChoice(option.code, option.label) for option in spec.fixed_options]
    if spec.scale is not None:
        return [SelectChoice(str(n), _scale_label(spec.scale, n)) for n in spec.scale.points]
    return [SelectChoice(option.code, option.label) for option in question.options]


def _scale_label(scale: Scale, point: int) -> str:
    if scale.words:
        return scale.word(point)
    ends = dict(zip((scale.low, scale.high), SCALE_END_WORDS, strict=True))
    return f"{point} ({ends[point]})" if point in ends else str(point)


def _radio(question: Question) -> Field:
    return ChoiceField(question.text, choices=choices_for(question), validators=_presence(question))


def _multi(question: Question) -> Field:
    validators = [*_presence(question), ExclusiveNone()]
    return MultiChoiceField(question.text, choices=choices_for(question), validators=validators)


def _text(question: Question) -> Field:
    assert question.max_length is not None  # required by the loader
    field_class = TextAreaField if question.long_answer else StringField
    length = Length(
        max=question.max_length,
        message=f"Your answer must be {question.max_length} characters or fewer",
    )
    # The typed_text filter runs first: the length, the control-character check, what is
    # saved and what a re-shown page holds are all the cleaned text (reading.clean_text).
    # So is the presence of a required answer: spaces or invisible characters alone are none.
    presence = [DataRequired(message=required_message(question))] if question.required else [Optional()]
    return field_class(
        question.text, validators=[*presence, length, SafeText()], filters=[typed_text],
    )


def typed_number(question: Question) -> TypedNumber:
    """How a number question's box is read: its own unit, whole or not, its range."""
    return TypedNumber(unit=question.unit, integer=question.integer, low=question.min, high=question.max)


def _number(question: Question) -> Field:
    # The box keeps what was typed ("1,200" is shown again with the message); only the
    # answer is the number read from it.
    return StringField(
        question.text, validators=[*_presence(question), typed_number(question)], filters=[stripped],
    )


def date_bounds(question: Question) -> Callable[[Any], tuple[date, date]]:
    """The range a date answer may take, given the form's `today` and `as_of`."""

    def bounds(form: Any) -> tuple[date, date]:
        if question.allow_future:
            before = question.min_days_before_as_of or 0
            after = question.max_days_after_as_of or 3650
            return form.as_of - timedelta(days=before), form.as_of + timedelta(days=after)
        earliest = date.fromisoformat(question.min_date) if question.min_date else EARLIEST_DATE
        return earliest, form.today

    return bounds


def _date(question: Question) -> Field:
    validators: list[Any] = [DateRange(date_bounds(question))]
    if question.required:
        validators.append(_DateRequired())
    return DatePartsField(question.text, validators=validators)


class _DateRequired:
    def __call__(self, form: Any, field: DatePartsField) -> None:
        if field.data is None:
            raise StopValidation("Enter a date")


def _answer_or_none(question: Question, value: Any) -> Any:
    return value or None


def _int_answer(question: Question, value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _number_answer(question: Question, value: Any) -> float | int | None:
    if not value:
        return None
    number = typed_number(question).read(value)
    return int(number) if float(number).is_integer() else number


def _date_answer(question: Question, value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _date_form(question: Question, value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _str_form(question: Question, value: Any) -> Any:
    return None if value is None else str(value)


def _medications_answer(question: Question, entries: Any) -> list[dict[str, Any]] | None:
    """The medicine list as stored, each name cleaned like any typed text (typed_text:
    invisible format characters removed, NFC), so the rules, the check page and the doctor
    read the same name. Every other key of an entry is kept as forms.medications gives
    it; a row whose name was only invisible characters has no name left and is dropped."""
    rows = [{**row, "name": typed_text(row["name"])} for row in medications_to_answer(question, entries) or ()]
    kept = [row for row in rows if row["name"]]
    return kept or None


BUILDERS: Mapping[QuestionType, Builder] = {
    "date": Builder(_date, _date_answer, _date_form),
    "yes_no": Builder(_radio, _answer_or_none),
    "yes_no_unsure": Builder(_radio, _answer_or_none),
    "single": Builder(_radio, _answer_or_none),
    "multi": Builder(_multi, lambda question, value: list(value) if value else None),
    "scale_0_3": Builder(_radio, _int_answer, _str_form),
    "scale_0_10": Builder(_radio, _int_answer, _str_form),
    "number": Builder(_number, _number_answer, _str_form),
    "text": Builder(_text, _answer_or_none),
    "medication_list": Builder(make_medication_field, _medications_answer, medications_to_form),
}
require_every_type(BUILDERS, "forms.builders.BUILDERS")
