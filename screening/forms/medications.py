"""The medication list: a repeatable group (name, how often, last taken).

It works without JavaScript: "Add another medicine" and "Remove" are ordinary submit
buttons that re-show the page with everything typed so far kept. Rows left completely
blank are ignored, so an unused spare row never blocks the patient.

Its limits (entries, characters in a name) are the question's own, from definition.yaml.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from wtforms import FieldList, Form, FormField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API; types-WTForms 3.2 lacks it
from wtforms.validators import ValidationError

from ..questionnaire.answers import EARLIEST_DATE
from ..questionnaire.display import HOW_OFTEN_LABELS
from ..questionnaire.model import HOW_OFTEN_CODES, Question
from .fields import ChoiceField, DatePartsField, DateRange, SafeText, typed_text


def _until_today(form: Any) -> tuple[date, date]:
    return EARLIEST_DATE, date.today()


class _NameLength:
    """The medicine name is at most the question's `name_max_length` characters, which
    the row's form class carries (see `entry_form_for`)."""

    def __call__(self, form: MedicationEntryForm, field: StringField) -> None:
        limit = form.name_max_length
        if field.data and len(field.data) > limit:
            raise ValidationError(f"The name must be {limit} characters or fewer")


class MedicationEntryForm(Form):
    """One row. Rows are validated only when something was typed in them.

    Validate rows through `entry_form_for(question)`, which sets `name_max_length`.
    """

    name_max_length: ClassVar[int]
    name = StringField(
        "Name of the medicine",
        validators=[_NameLength(), SafeText()],
        filters=[typed_text],
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
        assert question.min_entries is not None and question.max_entries is not None  # required by the loader
        self.low = question.min_entries
        self.high = question.max_entries

    def __call__(self, form: Any, field: FieldList[Any]) -> None:
        filled = [entry for entry in field.entries if not entry.form.is_blank()]
        if len(filled) < self.low:
            raise ValidationError("Enter at least one medicine, or go back and answer 'No'")
        if len(filled) > self.high:
            raise ValidationError(f"You can list up to {self.high} medicines")


if TYPE_CHECKING:  # FieldList is generic in types-WTForms only, not at run time
    _FieldList = FieldList[Any]
else:
    _FieldList = FieldList


class _SkipBlankRows(_FieldList):
    """Blank rows are neither validated nor saved."""

    def validate(self, form: Any, extra_validators: Any = ()) -> bool:
        self.errors = []
        for subfield in self.entries:
            if not subfield.form.is_blank():
                subfield.validate(form)
                if subfield.errors:
                    self.errors.append(subfield.errors)
        chain = list(self.validators) + list(extra_validators)
        self._run_validation_chain(form, chain)  # type: ignore[attr-defined]  # Field's own helper, not in types-WTForms
        return not self.errors


def entry_form_for(question: Question) -> type[MedicationEntryForm]:
    """The row form for this question, holding its limit on a medicine name."""
    assert question.name_max_length is not None  # required by the loader
    return type("MedicationEntryForm", (MedicationEntryForm,), {"name_max_length": question.name_max_length})


def make_medication_field(question: Question) -> FieldList[Any]:
    return _SkipBlankRows(
        FormField(entry_form_for(question)),
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
