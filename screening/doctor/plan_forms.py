"""The treatment plan's forms: start or change a plan, end it.

Every plan field is typed as text and read here, so each error is a sentence beside its
field: what cannot be read ("Enter the start dose as a number of mg"), then what is out of
followup.md's ranges, in the words of `rules.plan.PlanError` and `start_date_problem`. The
fields come filled in with followup.md's defaults, which are expert practice, not a label.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: WTForms 3.3, stubs stop at 3.2
    IntegerField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..followup.plan_page import END_WORDS, TERM_LABELS
from ..forms.fields import ChoiceField, SafeText
from ..outbox.addresses import ADDRESS_MESSAGE, MAX_LENGTH, AddressError, clean_address
from ..rules.plan import (
    CHECKIN_DAY,
    DEFAULT_CHECKIN_DAYS,
    DEFAULT_START_DOSE_MG,
    DEFAULT_STEP_DAYS,
    DEFAULT_STEP_MG,
    DEFAULT_TARGET_DOSE_MG,
    END_REASONS,
    PLAN_FIELDS,
    START_DOSE_MG,
    START_WITHIN_DAYS,
    STEP_DAYS,
    STEP_MG,
    TARGET_DOSE_MG,
    Plan,
    PlanError,
    start_date_problem,
)

_NUMBER = re.compile(r"(?:[0-9]{1,4}(?:\.[0-9]{1,6})?|\.[0-9]{1,6})")
_WHOLE = re.compile(r"[0-9]{1,4}")
_SEPARATORS = re.compile(r"[\s,;]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _mg(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _days(days: tuple[int, ...]) -> str:
    return ", ".join(str(day) for day in days)


# What a number field must look like, when it cannot be read at all.
UNREADABLE = {
    "start_date": "Enter the start date as a date, for example {example}",
    "start_dose_mg": "Enter the start dose as a number of mg, for example 0.5",
    "step_mg": "Enter the step as a number of mg, for example 0.5 (0 for a fixed dose)",
    "step_days": "Enter the days between steps as a whole number, for example 7",
    "target_dose_mg": "Enter the target dose as a number of mg, for example 4.5",
    "checkin_days": "Enter the check-in days as whole numbers separated by commas, for example 7, 14, 28",
}
CHANGE_NOTE = ("The values filled in are this plan's terms now; each field's hint gives the usual default, which "
               "is expert practice, not a licensed label. A start date already in the past may be kept as it is.")
DEFAULTS_NOTE = ("The values filled in are the usual way to start LDN (followup.md): low, raised step by step. "
                 "This is expert practice, not a licensed label: change any of them for this patient.")


def default_values(today: date) -> dict[str, str]:
    """followup.md's defaults, as the form shows them (start: today)."""
    return {
        "start_date": today.isoformat(),
        "start_dose_mg": _mg(DEFAULT_START_DOSE_MG),
        "step_mg": _mg(DEFAULT_STEP_MG),
        "step_days": str(DEFAULT_STEP_DAYS),
        "target_dose_mg": _mg(DEFAULT_TARGET_DOSE_MG),
        "checkin_days": _days(DEFAULT_CHECKIN_DAYS),
    }


def plan_values(plan: Plan) -> dict[str, str]:
    """A plan's terms, as the change form shows them."""
    return {
        "start_date": plan.start_date.isoformat(),
        "start_dose_mg": _mg(plan.start_dose_mg),
        "step_mg": _mg(plan.step_mg),
        "step_days": str(plan.step_days),
        "target_dose_mg": _mg(plan.target_dose_mg),
        "checkin_days": _days(tuple(sorted(plan.checkin_days))),
    }


def _hint(low: Any, high: Any, default: Any, unit: str) -> str:
    return f"From {low} to {high} {unit}. Default {default} {unit}."


HINTS = {
    "start_date": f"The first dose: from today to {START_WITHIN_DAYS} days ahead. Default today.",
    "start_dose_mg": _hint(_mg(START_DOSE_MG[0]), _mg(START_DOSE_MG[1]), _mg(DEFAULT_START_DOSE_MG), "mg"),
    "step_mg": "Added at each step; 0 keeps the start dose throughout. "
               + _hint(_mg(STEP_MG[0]), _mg(STEP_MG[1]), _mg(DEFAULT_STEP_MG), "mg"),
    "step_days": _hint(STEP_DAYS[0], STEP_DAYS[1], DEFAULT_STEP_DAYS, "days"),
    "target_dose_mg": "The dose is never planned above this; at least the start dose. "
                      + _hint(_mg(TARGET_DOSE_MG[0]), _mg(TARGET_DOSE_MG[1]), _mg(DEFAULT_TARGET_DOSE_MG), "mg"),
    "checkin_days": f"Days after the start when the patient is asked to check in, separated by commas; each "
                    f"from {CHECKIN_DAY[0]} to {CHECKIN_DAY[1]}. Leave empty for none. "
                    f"Default {_days(DEFAULT_CHECKIN_DAYS)}.",
}


def _problem_sentence(name: str, problem: str) -> str:
    """"must be from 0.1 mg to 4.5 mg (not 5 mg)" → "Start dose must be from …"."""
    label = TERM_LABELS.get(name, name)
    return f"{label} {problem}" if problem.startswith("must") else f"{label}: {problem}"


class PlanForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    """Start a plan, or change one (then `version` is the plan's version the doctor saw)."""

    start_date = StringField(TERM_LABELS["start_date"], description=HINTS["start_date"],
                             validators=[Length(max=32)])
    start_dose_mg = StringField(f"{TERM_LABELS['start_dose_mg']} (mg)", description=HINTS["start_dose_mg"],
                                validators=[Length(max=32)])
    step_mg = StringField(f"{TERM_LABELS['step_mg']} (mg)", description=HINTS["step_mg"], validators=[Length(max=32)])
    step_days = StringField(TERM_LABELS["step_days"], description=HINTS["step_days"], validators=[Length(max=32)])
    target_dose_mg = StringField(f"{TERM_LABELS['target_dose_mg']} (mg)", description=HINTS["target_dose_mg"],
                                 validators=[Length(max=32)])
    checkin_days = StringField(TERM_LABELS["checkin_days"], description=HINTS["checkin_days"],
                               validators=[Length(max=2000)])
    email = StringField(
        "Patient's email address (optional)",
        description="For the check-in links. The email never mentions health or treatment.",
        validators=[Optional(), Length(max=MAX_LENGTH, message=ADDRESS_MESSAGE)],
    )
    version = IntegerField("version", validators=[Optional()])

    def validate_email(self, field: StringField) -> None:
        try:
            field.data = clean_address(field.data or "")  # normalised: what is stored and sent to
        except AddressError as error:
            raise ValidationError(str(error)) from None

    def _add_error(self, name: str, message: str) -> None:
        field = self[name]
        field.errors = [*field.errors, message]

    def read_plan(self, today: date, current_start: date | None = None) -> Plan | None:
        """The plan typed, or None with each problem beside its field. The start date must lie
        from today to 90 days ahead, unless it is `current_start` (a change that keeps it).
        Every field is checked, however many others cannot be read."""
        read: dict[str, Any] = {}
        unreadable = set()
        for name in PLAN_FIELDS:
            value = None if self[name].errors else _read(name, (self[name].data or "").strip())
            if value is None:
                unreadable.add(name)
                if not self[name].errors:
                    self._add_error(name, UNREADABLE[name].format(example=today.isoformat()))
            else:
                read[name] = value
        if "start_date" in read and read["start_date"] != current_start:
            problem = start_date_problem(read["start_date"], today)
            if problem:
                self._add_error("start_date", _problem_sentence("start_date", problem))
        try:
            # What cannot be read stands in as its default, so the other fields are still checked.
            plan = Plan(**{"start_date": today, **read})
        except PlanError as error:
            for name, problem in error.problems.items():
                against_a_guess = name == "target_dose_mg" and "start_dose_mg" in unreadable \
                    and problem.startswith("must be at least")
                if name in PLAN_FIELDS and name not in unreadable and not against_a_guess:
                    self._add_error(name, _problem_sentence(name, problem))
            return None
        return None if unreadable or any(self[name].errors for name in PLAN_FIELDS) else plan


def _read(name: str, text: str) -> Any:
    """One field's text as the plan's type; None when it cannot be read."""
    if name == "start_date":
        if not _ISO_DATE.fullmatch(text):
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    if name == "step_days":
        return int(text) if _WHOLE.fullmatch(text) else None
    if name == "checkin_days":
        parts = [part for part in _SEPARATORS.split(text) if part]
        if not all(_WHOLE.fullmatch(part) for part in parts):
            return None
        return tuple(sorted(int(part) for part in parts))
    number = re.sub(r"\s*mg\Z", "", text, flags=re.IGNORECASE)
    if not _NUMBER.fullmatch(number):
        return None
    try:
        return Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
        return None


class EndPlanForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    reason = ChoiceField("Why is the plan ending?",
                         choices=[SelectChoice(code, END_WORDS[code]) for code in END_REASONS],
                         validators=[InputRequired("Choose why the plan is ending")])
    # No Optional(): it would stop the chain before validate_note asks for a note with "another reason".
    note = TextAreaField("Note (optional)", validators=[Length(max=1000), SafeText()])
    version = IntegerField("version", validators=[InputRequired()])

    def validate_note(self, field: TextAreaField) -> None:
        if self.reason.data == "stopped_other" and not (field.data or "").strip():
            raise ValidationError("Explain the reason in the note")


__all__ = ["CHANGE_NOTE", "DEFAULTS_NOTE", "EndPlanForm", "PlanForm", "default_values", "plan_values"]
