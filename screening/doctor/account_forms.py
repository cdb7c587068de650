"""Forms of sign-in's second step, the password change, re-authentication and the admin pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (  # type: ignore[attr-defined]  # SelectChoice: WTForms 3.3, stubs stop at 3.2
    BooleanField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from ..invitations import PATIENT_REF_MESSAGE, PATIENT_REF_PATTERN
from .roles import ROLES


class CodeForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    code = StringField("Code", validators=[InputRequired("Enter the code"), Length(max=64)])


class PasswordChangeForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    current = PasswordField("Current password", validators=[InputRequired("Enter your current password"),
                                                            Length(max=1024)])
    new = PasswordField("New password", validators=[InputRequired("Enter a new password"), Length(max=1024)])
    confirm = PasswordField("New password again", validators=[
        InputRequired("Enter the new password again"), EqualTo("new", "The two new passwords are not the same")])


class ReauthForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    password = PasswordField("Password", validators=[Optional(), Length(max=1024)])
    code = StringField("Or a code from your authenticator app", validators=[Optional(), Length(max=64)])
    next = HiddenField()


class RoleForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    role = SelectField("Role", choices=[SelectChoice(name, name.capitalize()) for name in ROLES],
                       validators=[InputRequired()])


class PatientDataForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    patient_ref = StringField("Patient reference", validators=[
        InputRequired("Enter the patient reference"), Regexp(PATIENT_REF_PATTERN, message=PATIENT_REF_MESSAGE)])
    confirm = BooleanField("I understand this erases the patient's answers and evaluations for good")
