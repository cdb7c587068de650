"""Hand-written forms of the doctor workspace (login, invitations, decisions, review)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: WTForms 3.3, stubs stop at 3.2
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from ..forms.fields import ChoiceField, SafeText
from ..invitations import PATIENT_REF_MESSAGE, PATIENT_REF_PATTERN, appointment_problem, expiry_problem
from ..outbox.addresses import ADDRESS_MESSAGE, MAX_LENGTH, AddressError, clean_address
from .decisions import DECISIONS, OVERRIDE_REASONS


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    email = StringField("Email address", validators=[InputRequired("Enter your email address"), Length(max=254),
                                                     SafeText()])
    password = PasswordField("Password", validators=[InputRequired("Enter your password"), Length(max=1024)])


class InvitationForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    patient_ref = StringField(
        "Patient reference",
        description="Your clinic's own reference, not the patient's name.",
        validators=[
            InputRequired("Enter the patient reference"),
            Regexp(PATIENT_REF_PATTERN, message=PATIENT_REF_MESSAGE),
        ],
    )
    email = StringField(
        "Patient's email address (optional)",
        description="We email the link and up to two reminders. The email never mentions health or treatment.",
        validators=[Optional(), Length(max=MAX_LENGTH, message=ADDRESS_MESSAGE)],
    )
    appointment_date = DateField("Appointment date", validators=[Optional()],
                                 description="The rules check opioid wait times against this date.")
    expires_on = DateField("Link valid until (optional)", validators=[Optional()],
                           description="By default, the day after the appointment, or 30 days.")
    # Sent only by the "Create another invitation anyway" button of the duplicate warning, with
    # the patient reference it warned about: the confirmation holds for that reference alone.
    confirm_duplicate = HiddenField()

    # Both dates lie between today and 2 years ahead (screening.invitations, shared with `flask invite`).
    def validate_email(self, field: StringField) -> None:
        try:
            field.data = clean_address(field.data or "")  # normalised: what is stored and sent to
        except AddressError as error:
            raise ValidationError(str(error)) from None

    def validate_appointment_date(self, field: DateField) -> None:
        problem = appointment_problem(field.data, date.today()) if field.data else None
        if problem:
            raise ValidationError(problem)

    def validate_expires_on(self, field: DateField) -> None:
        problem = expiry_problem(field.data, date.today()) if field.data else None
        if problem:
            raise ValidationError(problem)


class DecisionForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    decision = RadioField(
        "Decision", choices=[SelectChoice(d, d.capitalize()) for d in DECISIONS],
        validators=[InputRequired("Choose accept or override")],
    )
    reason_code = ChoiceField(
        "Reason for overriding",
        choices=[SelectChoice(code, label) for code, label in OVERRIDE_REASONS.items()],
        filters=[lambda value: value or None],  # the select's "Choose a reason" option posts ""
    )
    reason_text = TextAreaField("Note", validators=[Length(max=1000), SafeText()])
    version = IntegerField("version", validators=[InputRequired()])

    def validate_reason_code(self, field: RadioField) -> None:
        if self.decision.data == "overridden" and not field.data:
            raise ValidationError("Choose a reason for overriding this flag")

    def validate_reason_text(self, field: TextAreaField) -> None:
        if self.reason_code.data == "other" and self.decision.data == "overridden" and not field.data:
            raise ValidationError("Explain the reason in the note")


# Where each decision field's error links to, in the flag's own form (ids of macros/doctor.html).
DECISION_FIELD_ANCHORS = {"decision": "accept", "reason_code": "reason", "reason_text": "note"}


@dataclass(frozen=True)
class ErrorLink:
    anchor: str
    text: str


@dataclass(frozen=True)
class DecisionDraft:
    """A decision that did not validate, shown again open in its flag's form with what was
    typed and each error beside its field."""

    rule_id: str
    decision: str | None
    reason_code: str | None
    reason_text: str
    errors: Mapping[str, str]  # field name -> its message

    @classmethod
    def from_form(cls, rule_id: str, form: DecisionForm) -> DecisionDraft:
        errors = {name: str(messages[0]) for name, messages in form.errors.items()
                  if name in DECISION_FIELD_ANCHORS and messages}
        return cls(rule_id, form.decision.data, form.reason_code.data, form.reason_text.data or "", errors)

    @property
    def error_links(self) -> tuple[ErrorLink, ...]:
        return tuple(ErrorLink(f"{self.rule_id}-{DECISION_FIELD_ANCHORS[name]}", text)
                     for name, text in self.errors.items())


class ReviewForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    note = TextAreaField("Review note (optional)", validators=[Optional(), Length(max=2000), SafeText()])
    version = IntegerField("version", validators=[InputRequired()])


class EmptyForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    """For buttons that only need CSRF protection (logout, revoke, re-issue, re-evaluate)."""

    next = HiddenField()


T = TypeVar("T")


def required(value: T | None) -> T:
    """A validated field's data: InputRequired guarantees it, the field's type does not say so."""
    if value is None:
        raise ValueError("a required field was read before its form validated")
    return value


def first_error(form: Any) -> str | None:
    for messages in form.errors.values():
        if messages:
            return str(messages[0])
    return None


__all__ = ["DecisionForm", "EmptyForm", "InvitationForm", "LoginForm", "ReviewForm", "first_error", "required"]
