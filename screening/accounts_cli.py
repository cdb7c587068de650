"""Commands for doctor accounts and FHIR output (`flask --app screening ...`)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .auth import PasswordPolicyError, hash_password, normalise_email
from .models import Doctor, QuestionnaireResponse, record_audit


def _db():  # type: ignore[no-untyped-def]
    return current_app.extensions["db"]


@click.command("create-doctor")
@click.argument("email")
@click.password_option("--password", prompt="Password (at least 12 characters)")
@with_appcontext
def create_doctor_command(email: str, password: str) -> None:
    """Create a doctor account (prompts for the password)."""
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise click.BadParameter("must be an email address", param_hint="EMAIL")
    try:
        password_hash = hash_password(password)
    except PasswordPolicyError as error:
        raise click.ClickException(str(error)) from None
    with _db().write() as session:
        if session.scalar(select(Doctor).where(Doctor.email == address)):
            raise click.ClickException(f"{address} already has an account")
        doctor = Doctor(email=address, password_hash=password_hash)
        session.add(doctor)
        session.flush()
        record_audit(session, "cli", "doctor.created", target=f"doctor:{doctor.id}")
    click.echo(f"Created doctor account {address}.")


@click.command("list-doctors")
@with_appcontext
def list_doctors_command() -> None:
    """List doctor accounts."""
    with _db().read() as session:
        for doctor in session.scalars(select(Doctor).order_by(Doctor.email)):
            state = "active" if doctor.active else "disabled"
            last = doctor.last_login_at.strftime("%Y-%m-%d %H:%M") if doctor.last_login_at else "never"
            click.echo(f"{doctor.email}\t{state}\tlast login {last}")


@click.command("disable-doctor")
@click.argument("email")
@with_appcontext
def disable_doctor_command(email: str) -> None:
    """Disable a doctor account and end its sessions at once."""
    with _db().write() as session:
        doctor = session.scalar(select(Doctor).where(Doctor.email == normalise_email(email)))
        if doctor is None:
            raise click.ClickException(f"no account for {email}")
        doctor.active = False
        doctor.session_version += 1
        record_audit(session, "cli", "doctor.disabled", target=f"doctor:{doctor.id}")
    click.echo(f"Disabled {doctor.email}.")


@click.command("fhir-questionnaire")
@with_appcontext
def fhir_questionnaire_command() -> None:
    """Print the questionnaire as a FHIR R4 Questionnaire."""
    from .export.fhir import questionnaire_resource

    click.echo(json.dumps(questionnaire_resource(current_app.extensions["questionnaire"]), indent=2))


@click.command("fhir-response")
@click.argument("submission_id", type=int)
@with_appcontext
def fhir_response_command(submission_id: int) -> None:
    """Print one submission as a FHIR R4 QuestionnaireResponse."""
    from .export.submission_json import submission_fhir

    with _db().read() as session:
        response = session.get(QuestionnaireResponse, submission_id)
        if response is None or not response.submitted:
            raise click.ClickException(f"no submitted questionnaire with ID {submission_id}")
        resource = submission_fhir(current_app.extensions["questionnaire"], response)
    click.echo(json.dumps(resource, indent=2))


COMMANDS = (
    create_doctor_command,
    list_doctors_command,
    disable_doctor_command,
    fhir_questionnaire_command,
    fhir_response_command,
)
