"""Custom fields and strict parsers for patient input.

Patients type on phones, so parsing is forgiving about spaces around an answer but strict
about meaning: what typed text and numbers mean is read once, in
screening/questionnaire/reading.py (questionnaire.md "Typing numbers", "Typing text"), and
this module says it to the patient. A date is three boxes (day, month, year) as in the
GOV.UK pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn

from wtforms import Field, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectFieldBase
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from ..questionnaire.reading import ReadingError, clean_text, has_control_characters, read_number

DATE_PARTS = ("day", "month", "year")
_DIGITS = re.compile(r"\A[0-9]{1,4}\Z")


def typed_text(value: Any) -> Any:
    """The filter of every typed text box: the text as it will be stored and shown back
    (invisible format characters removed, NFC), without surrounding space."""
    return clean_text(value).strip() if isinstance(value, str) else value


def stripped(value: Any) -> Any:
    """The filter of a number box: the typed text is kept as typed, but for outer space."""
    return value.strip() if isinstance(value, str) else value


class DatePartsField(Field):
    """A date typed as day, month and year in three boxes; `data` is a date or None.

    `parts` keeps exactly what was typed so a page with an error shows it again.
    """

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.parts: dict[str, str] = dict.fromkeys(DATE_PARTS, "")
        self.parse_error: str | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data if isinstance(data, date) else None
        if self.data is not None:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is not None and any(f"{self.name}-{part}" in formdata for part in DATE_PARTS):
            self.parts = {part: formdata.get(f"{self.name}-{part}", "").strip()[:8] for part in DATE_PARTS}
            self.data, self.parse_error = _parse_parts(self.parts)

    def _value(self) -> str:
        return self.data.isoformat() if self.data else ""


def _parse_parts(parts: dict[str, str]) -> tuple[date | None, str | None]:
    filled = [part for part in DATE_PARTS if parts[part]]
    if not filled:
        return None, None
    missing = [part for part in DATE_PARTS if not parts[part]]
    if missing:
        return None, f"The date must include a {' and a '.join(missing)}"
    if not all(_DIGITS.match(parts[part]) for part in DATE_PARTS):
        return None, "Use numbers only, like 27 3 1980"
    if len(parts["year"]) != 4:
        return None, "The year must have 4 numbers, like 1980"
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])), None
    except ValueError:
        return None, "Enter a real date, like 27 3 1980"


class DateRange:
    """Checks a DatePartsField: typed well and inside the range `bounds(form)` gives.

    Bounds are computed per request (from the form's `today` and `as_of`) because the
    form classes themselves are built once, at start-up.
    """

    def __init__(self, bounds: Callable[[Any], tuple[date, date]]) -> None:
        self.bounds = bounds

    def __call__(self, form: Any, field: DatePartsField) -> None:
        if field.parse_error:
            raise StopValidation(field.parse_error)
        if field.data is None:
            return
        earliest, latest = self.bounds(form)
        if field.data > latest:
            if latest <= form.today:
                raise ValidationError("The date must be today or in the past")
            raise ValidationError(f"The date must be on or before {_long(latest)}")
        if field.data < earliest:
            raise ValidationError(f"The date must be on or after {_long(earliest)}")


def _long(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


class SafeText:
    """Rejects text a person cannot have meant: NUL bytes and other control characters."""

    message = "Remove the unusual characters from your answer"

    def __call__(self, form: Any, field: Field) -> None:
        if has_control_characters(field.data or ""):
            raise ValidationError(self.message)


def plain_number(number: float) -> str:
    """A limit or an example as a patient reads it: 10000, not 10000.0."""
    return str(int(number)) if float(number).is_integer() else str(number)


def _example(low: float | None, high: float | None, candidates: tuple[float, ...]) -> str:
    """The first candidate inside the range (an example that would be accepted)."""
    inside = [n for n in candidates if (low is None or n >= low) and (high is None or n <= high)]
    return plain_number(inside[0] if inside else candidates[0])


class TypedNumber:
    """Checks a number typed in a text box (read by reading.read_number) and, when it
    cannot be read, says what to type. What was typed stays in the box."""

    def __init__(self, *, unit: str | None, integer: bool, low: float | None, high: float | None) -> None:
        self.unit = unit
        self.integer = integer
        self.low = low
        self.high = high

    def read(self, text: str) -> float | int:
        """The number, or ReadingError."""
        return read_number(text, unit=self.unit, integer=self.integer, low=self.low, high=self.high)

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data:
            return
        try:
            self.read(field.data)
        except ReadingError as error:
            self.refuse(error)

    def refuse(self, error: ReadingError) -> NoReturn:
        """Raise StopValidation with the words for this problem."""
        low, high, unit = self.low, self.high, self.unit
        big = _example(low, high, (1200, 120, 12))
        small = _example(low, high, (12, 1.5))
        problem = error.problem
        if problem == "commas_or_spaces":
            if self.integer:
                raise StopValidation(f"Type the number without commas or spaces, for example {big}")
            raise StopValidation(
                f"Type the number without commas or spaces, for example {big}. "
                f"Use a point for a decimal, like {_example(low, high, (1.5, 0.5, 12.5))}"
            )
        if problem == "thousands_or_decimal" and error.readings is not None:
            whole, decimal = error.readings
            raise StopValidation(f"We cannot tell if you mean {whole} or {decimal}. Type the one you mean: "
                                 f"{whole} or {decimal}")
        if problem == "other_digits":
            raise StopValidation(f"Type the number with the digits 0 to 9, for example {small}")
        if problem == "wrong_unit" and unit is not None:
            raise StopValidation(f"Type the number in {unit}, for example {small} or {small} {unit}")
        if problem == "no_unit_here":
            raise StopValidation(f"Type just the number, without a unit, for example {small}")
        if problem == "out_of_range" and low is not None and high is not None:
            raise StopValidation(f"Enter a number from {plain_number(low)} to {plain_number(high)}")
        if self.integer:
            raise StopValidation("Enter a whole number, like 12")
        raise StopValidation("Enter a number, like 42 or 1.5")


class ExclusiveNone:
    """'None of these' cannot be ticked together with another answer."""

    def __call__(self, form: Any, field: Field) -> None:
        if field.data and "none" in field.data and len(field.data) > 1:
            raise ValidationError("Choose 'None of these' on its own, or untick it")

UNKNOWN_CHOICE = "Choose one of the answers shown"


def _values(field: SelectFieldBase) -> set[Any]:
    # Each choice is a Choice(value, label, selected, render_kw); types-WTForms 3.2 types
    # it as a plain tuple, so read the value by position.
    return {choice[0] for choice in field.iter_choices()}


@dataclass(frozen=True, slots=True)
class ChoiceInput:
    """One radio button or checkbox as the form macro draws it (templates/macros/fields.html)."""

    id: str  # the first takes the question's ID, so an error summary link lands on it
    value: str
    label: str
    checked: bool
    exclusive: bool  # "None of these": a script unticks the others when it is ticked


def choice_inputs(field: SelectFieldBase, id_base: str, exclusive_none: bool) -> list[ChoiceInput]:
    # Worked out here rather than in the macro's loop: a page with seven 0-10 scales draws
    # some eighty of these, and each step of a template loop costs several times more.
    return [ChoiceInput(id_base if number == 1 else f"{id_base}-{number}", str(choice[0]), str(choice[1]),
                        bool(choice[2]), exclusive_none and choice[0] == "none")
            for number, choice in enumerate(field.iter_choices(), start=1)]


class ChoiceField(RadioField):
    """A radio group whose 'not a valid choice' message is in plain words."""

    def inputs(self, id_base: str) -> list[ChoiceInput]:
        return choice_inputs(self, id_base, exclusive_none=False)

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and self.data not in _values(self):
            raise StopValidation(UNKNOWN_CHOICE)


class MultiChoiceField(SelectMultipleField):
    """Checkboxes; unknown codes get a plain message."""

    def inputs(self, id_base: str) -> list[ChoiceInput]:
        return choice_inputs(self, id_base, exclusive_none=True)

    def pre_validate(self, form: Any) -> None:
        allowed = _values(self)
        if any(value not in allowed for value in self.data or ()):
            raise StopValidation(UNKNOWN_CHOICE)
