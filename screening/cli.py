"""Flask commands: `flask --app screening <command>`.

init-db applies the migrations; invite prints a patient link; demo seeds a ready-made
example. The clinical commands (evaluate, classify-medication) come from their own
packages and need no database.
"""

from __future__ import annotations

from datetime import date

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .invitations import create_invitation
from .migrations import upgrade


def _database():  # type: ignore[no-untyped-def]
    return current_app.extensions["db"]


def invitation_link(token: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"] or f"http://127.0.0.1:{current_app.config.get('PORT', 5000)}"
    return f"{base.rstrip('/')}/i/{token}"


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.command("invite")
@click.option("--patient", "patient_ref", required=True, help="The clinic's reference for the patient (no names).")
@click.option("--appointment", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Appointment date, YYYY-MM-DD. LDN start checks use this date.")
@with_appcontext
def invite_command(patient_ref: str, appointment: object) -> None:
    """Create an invitation and print the patient's link."""
    appointment_date: date | None = appointment.date() if appointment else None  # type: ignore[attr-defined]
    if not patient_ref.strip() or len(patient_ref) > 64:
        raise click.BadParameter("must be 1 to 64 characters", param_hint="--patient")
    with _database().write() as session:
        invitation, token = create_invitation(
            session, patient_ref.strip(), appointment_date,
            days_valid=current_app.config["INVITATION_DAYS_VALID"],
        )
        expires = invitation.expires_at
    click.echo(invitation_link(token))
    click.echo(f"(expires {expires:%Y-%m-%d %H:%M} UTC)", err=True)


def register_commands(app: Flask) -> None:
    from .accounts_cli import COMMANDS as ACCOUNT_COMMANDS
    from .data_cli import COMMANDS as DATA_COMMANDS
    from .demo import demo_command
    from .medications.cli import classify_medication_command
    from .rules.cli import evaluate_command

    for command in (init_db_command, invite_command, demo_command, evaluate_command,
                    classify_medication_command, *ACCOUNT_COMMANDS, *DATA_COMMANDS):
        app.cli.add_command(command)
