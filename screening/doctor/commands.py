"""Commands for doctor accounts (`flask --app screening ...`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Doctor, record_audit
from . import mfa
from .accounts import AccountError, create_account, find_account, set_password
from .roles import CLINICIAN, ROLES

NEW_PASSWORD_PROMPT = "Password (at least 12 characters, hard to guess)"  # noqa: S105  (a prompt, not a password)


@click.command("create-doctor")
@click.argument("email")
@click.option("--role", "role_name", type=click.Choice(ROLES), default=CLINICIAN, show_default=True,
              help="clinician: queue, summaries, decisions, invitations; admin: also accounts, audit, data "
                   "requests. The first account created is always an admin.")
@click.password_option("--password", prompt=NEW_PASSWORD_PROMPT)
@with_appcontext
def create_doctor_command(email: str, role_name: str, password: str) -> None:
    """Create a doctor account (prompts for the password); they set up a second factor at first sign-in."""
    try:
        with db().write() as session:
            doctor = create_account(session, email, password, role_name)
            record_audit(session, "cli", "doctor.created", target=f"doctor:{doctor.id}", role=doctor.role)
            address, granted = doctor.email, doctor.role
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    first = " (the first account is always an admin)" if granted != role_name else ""
    click.echo(f"Created doctor account {address} as {granted}{first}. "
               "They set up their authenticator app when they first sign in.")


@click.command("reset-password")
@click.argument("email")
@click.password_option("--password", prompt=NEW_PASSWORD_PROMPT)
@with_appcontext
def reset_password_command(email: str, password: str) -> None:
    """Set a doctor's password (prompts) and end all their sessions; their second factor is kept."""
    try:
        with db().write() as session:
            doctor = find_account(session, email)
            set_password(doctor, password)
            doctor.session_version += 1
            record_audit(session, "cli", "doctor.password_reset", target=f"doctor:{doctor.id}")
            address, has_mfa = doctor.email, bool(doctor.totp_secret)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    kept = ("Their authenticator app stays set up: they sign in with the new password and a code. If the "
            "phone is lost too, run reset-mfa.") if has_mfa else "They set up an authenticator app at sign-in."
    click.echo(f"Password changed for {address}; their sessions have ended. {kept}")


@click.command("reset-mfa")
@click.argument("email")
@click.confirmation_option(prompt="Remove this doctor's second factor? They set up a new one at their next sign-in.")
@with_appcontext
def reset_mfa_command(email: str) -> None:
    """Remove a doctor's second factor and recovery codes (a lost phone); ends their sessions."""
    try:
        with db().write() as session:
            doctor = find_account(session, email)
            mfa.reset(session, doctor)
            doctor.session_version += 1
            record_audit(session, "cli", "doctor.mfa_reset", target=f"doctor:{doctor.id}")
            address = doctor.email
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Second factor removed for {address}; they set up a new one at their next sign-in.")


@click.command("list-doctors")
@with_appcontext
def list_doctors_command() -> None:
    """List doctor accounts: state, role, second factor, last login."""
    with db().read() as session:
        for doctor in session.scalars(select(Doctor).order_by(Doctor.email)):
            state = "active" if doctor.active else "disabled"
            last = doctor.last_login_at.strftime("%Y-%m-%d %H:%M") if doctor.last_login_at else "never"
            second = "mfa" if doctor.totp_secret else "no-mfa"
            click.echo(f"{doctor.email}\t{state}\t{doctor.role}\t{second}\tlast login {last}")


@click.command("disable-doctor")
@click.argument("email")
@with_appcontext
def disable_doctor_command(email: str) -> None:
    """Disable a doctor account and end its sessions at once."""
    with db().write() as session:
        doctor = session.scalar(select(Doctor).where(Doctor.email == email.strip().lower()))
        if doctor is None:
            raise click.ClickException(f"no account for {email}")
        doctor.active = False
        doctor.session_version += 1
        record_audit(session, "cli", "doctor.disabled", target=f"doctor:{doctor.id}")
    click.echo(f"Disabled {doctor.email}.")


COMMANDS = (create_doctor_command, reset_password_command, reset_mfa_command, list_doctors_command,
            disable_doctor_command)
