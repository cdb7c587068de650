"""The medication list: a repeatable group (name, how often, last taken).

It works without JavaScript: "Add another medicine" and "Remove" are ordinary submit
buttons that re-show the page with everything typed so far kept. Rows left completely
blank are ignored, so an unused spare row never blocks the patient.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import FieldList, Form, FormField, SelectChoice, StringField
from wtforms.validators import Length, ValidationError

from ..questionnaire.answers import EARLIEST_DATE
from ..questionnaire.display import HOW_OFTEN_LABELS
from ..questionnaire.model import HOW_OFTEN_CODES, Question
from .fields import ChoiceField, DatePartsField, DateRange, SafeText

MEDICINE_NAME_MAX = 120


def _until_today(form: Any) -> tuple[date, date]:
    return EARLIEST_DATE, date.today()


class MedicationEntryForm(Form):
    """One row. Rows are validated only when something was typed in them."""

    name = StringField(
        "Name of the medicine",
        validators=[Length(max=MEDICINE_NAME_MAX, message="The name must be 120 characters or fewer"), SafeText()],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    how_often = ChoiceField(
        "How often do you take it?",
        choices=[SelectChoice(code, HOW_OFTEN_LABELS[code]) for code in HOW_OFTEN_CODES],
    )
    last_taken = DatePartsField("When did you last take it? (optional)", validators=[DateRange(_until_today)])

    def is_blank(self) -> bool:
        return not (self.name.data or self.how_often.data or any(self.last_taken.parts.values()))

    def validate_name(self, field: StringField) -> None:
        if not field.data and not self.is_blank():
            raise ValidationError("Enter the name of the medicine")

    def validate_how_often(self, field: ChoiceField) -> None:
        if not field.data and not self.is_blank():
            raise ValidationError("Choose how often you take it")


class MedicationListValidator:
    """At least `min_entries` filled rows, at most `max_entries`; blank rows don't count."""

    def __init__(self, question: Question) -> None:
        self.low = question.min_entries or 0
        self.high = question.max_entries or 40

    def __call__(self, form: Any, field: FieldList) -> None:
        filled = [entry for entry in field.entries if not entry.form.is_blank()]
        if len(filled) < self.low:
            raise ValidationError("Enter at least one medicine, or go back and answer 'No'")
        if len(filled) > self.high:
            raise ValidationError(f"You can list up to {self.high} medicines")


class _SkipBlankRows(FieldList):
    """Blank rows are neither validated nor saved."""

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        self.errors = []
        for subfield in self.entries:
            if not subfield.form.is_blank():
                subfield.validate(form)
                if subfield.errors:
                    self.errors.append(subfield.errors)
        chain = list(self.validators) + list(extra_validators)
        self._run_validation_chain(form, chain)
        return not self.errors


def make_medication_field(question: Question) -> FieldList:
    return _SkipBlankRows(
        FormField(MedicationEntryForm),
        question.text,
        validators=[MedicationListValidator(question)],
        min_entries=1,
        max_entries=question.max_entries,
    )


def medications_to_answer(question: Question, entries: Any) -> list[dict[str, Any]] | None:
    rows = [
        {
            "name": row["name"],
            "how_often": row["how_often"],
            "last_taken": row["last_taken"].isoformat() if row["last_taken"] else None,
        }
        for row in (entries or [])
        if row.get("name")
    ]
    return rows or None


def medications_to_form(question: Question, value: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": row["name"],
            "how_often": row["how_often"],
            "last_taken": date.fromisoformat(row["last_taken"]) if row.get("last_taken") else None,
        }
        for row in (value or [])
    ]
