"""The "Check these medicines" page form: each unrecognised medicine shown back, its name
editable, and whether it contains an opioid (questionnaire.md section 3).

Every row carries the entry's position in the medication list. A row may only name a
position that is unrecognised in the saved list (a forged or stale position is an error,
never a write to another entry). "Does it contain an opioid?" is required only while the
(possibly corrected) name is still unrecognised: a corrected name drops the question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from wtforms import FieldList, Form, FormField, HiddenField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API; types-WTForms 3.2 lacks it
from wtforms.validators import ValidationError

from ..questionnaire.display import CONTAINS_OPIOID_LABELS
from ..questionnaire.medicine_check import CONTAINS_OPIOID, entries_to_check, is_recognised
from ..questionnaire.model import CONTAINS_OPIOID_CODES, Page, Question
from .fields import ChoiceField, SafeText, typed_text

ENTRIES = "entries"  # the page form's one field: the rows to check


class CheckEntryForm(Form):
    """One unrecognised medicine. Build through `check_form_for(page, question)`."""

    name_max_length: ClassVar[int]
    position = HiddenField()
    name = StringField("Name of the medicine", validators=[SafeText()], filters=[typed_text])
    # contains_opioid: added by check_form_for, labelled with the page's own question.

    def validate_name(self, field: StringField) -> None:
        if not field.data:
            raise ValidationError("Enter the name of the medicine")
        if len(field.data) > self.name_max_length:
            raise ValidationError(f"The name must be {self.name_max_length} characters or fewer")

    def validate_contains_opioid(self, field: ChoiceField) -> None:
        if not field.data and not (self.name.data and is_recognised(self.name.data)):
            raise ValidationError("Choose yes, no or not sure")


def _positions_allowed(form: Any, field: FieldList[Any]) -> None:
    """Each row names a different position that is unrecognised in the saved list (the
    page form's `review_positions`): a forged or stale row is refused, never written."""
    positions = [_position(entry.form.position.data) for entry in field.entries]
    if None in positions or len(set(positions)) != len(positions) or not set(positions) <= form.review_positions:
        raise ValidationError("This page changed since you opened it. Check the medicines below again.")


def _position(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() and len(text) < 4 else None


def make_check_field(page: Page, question: Question) -> FieldList[Any]:
    """The page's rows, with the page's question and the list's limit on a name."""
    assert question.name_max_length is not None  # required by the loader
    check_row = type("CheckEntryForm", (CheckEntryForm,), {
        "name_max_length": question.name_max_length,
        CONTAINS_OPIOID: ChoiceField(
            page.ask, choices=[SelectChoice(code, CONTAINS_OPIOID_LABELS[code]) for code in CONTAINS_OPIOID_CODES]),
    })
    return FieldList(FormField(check_row), question.text, validators=[_positions_allowed],
                     min_entries=0, max_entries=question.max_entries)


def rows_to_form(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The saved list's unrecognised entries as rows (position, name, answer so far)."""
    return [
        {"position": str(position), "name": entries[position]["name"],
         "contains_opioid": entries[position].get(CONTAINS_OPIOID)}
        for position in entries_to_check(entries)
    ]


def rows_to_answer(saved: Sequence[Mapping[str, Any]], rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The saved list with each checked entry's corrected name and answer; the answer is
    dropped when the corrected name is recognised."""
    entries = [dict(entry) for entry in saved]
    for row in rows:
        entry = entries[int(row["position"])]
        entry["name"] = row["name"]
        entry.pop(CONTAINS_OPIOID, None)
        if not is_recognised(row["name"]):
            entry[CONTAINS_OPIOID] = row["contains_opioid"]
    return entries
