"""Custom fields and strict parsers for patient input.

Patients type on phones, so parsing is forgiving about spaces but strict about meaning:
only ASCII digits make a number (Python alone would accept "४२", "4_2", "NaN" and
"1e309"), and a date is three boxes (day, month, year) as in the GOV.UK pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from wtforms import Field, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectFieldBase
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

DATE_PARTS = ("day", "month", "year")
_DIGITS = re.compile(r"\A[0-9]{1,4}\Z")
_DECIMAL = re.compile(r"\A[0-9]{1,6}(?:\.[0-9]{1,3})?\Z")


def parse_decimal(text: str, *, integer: bool) -> float | int:
    """An ASCII decimal number, or ValueError with a patient-facing message."""
    cleaned = text.strip().replace(",", ".") if not integer else text.strip()
    pattern = _DIGITS if integer else _DECIMAL
    if not pattern.match(cleaned):
        raise ValueError("Enter a whole number, like 12" if integer else "Enter a number, like 42 or 1.5")
    return int(cleaned) if integer else float(cleaned)


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
        text = field.data or ""
        # U+FFFD is what invalid UTF-8 in the request decodes to.
        if any((ord(ch) < 32 and ch not in "\n\r\t") or ch == "\ufffd" for ch in text):
            raise ValidationError(self.message)


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


class ChoiceField(RadioField):
    """A radio group whose 'not a valid choice' message is in plain words."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None and self.data not in _values(self):
            raise StopValidation(UNKNOWN_CHOICE)


class MultiChoiceField(SelectMultipleField):
    """Checkboxes; unknown codes get a plain message."""

    def pre_validate(self, form: Any) -> None:
        allowed = _values(self)
        if any(value not in allowed for value in self.data or ()):
            raise StopValidation(UNKNOWN_CHOICE)
