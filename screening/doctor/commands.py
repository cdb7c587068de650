"""Commands for doctor accounts (`flask --app screening ...`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..auth import PasswordPolicyError, hash_password, normalise_email
from ..extensions import db
from ..models import Doctor, record_audit


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
    with db().write() as session:
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
    with db().read() as session:
        for doctor in session.scalars(select(Doctor).order_by(Doctor.email)):
            state = "active" if doctor.active else "disabled"
            last = doctor.last_login_at.strftime("%Y-%m-%d %H:%M") if doctor.last_login_at else "never"
            click.echo(f"{doctor.email}\t{state}\tlast login {last}")


@click.command("disable-doctor")
@click.argument("email")
@with_appcontext
def disable_doctor_command(email: str) -> None:
    """Disable a doctor account and end its sessions at once."""
    with db().write() as session:
        doctor = session.scalar(select(Doctor).where(Doctor.email == normalise_email(email)))
        if doctor is None:
            raise click.ClickException(f"no account for {email}")
        doctor.active = False
        doctor.session_version += 1
        record_audit(session, "cli", "doctor.disabled", target=f"doctor:{doctor.id}")
    click.echo(f"Disabled {doctor.email}.")


COMMANDS = (create_doctor_command, list_doctors_command, disable_doctor_command)
