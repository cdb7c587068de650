"""Operations commands: the schema, patient links, the demo, backups and data protection.

`flask --app screening init-db | invite | demo | backup | restore | purge | export-patient | erase-patient`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db, mail
from ..invitations import (
    PATIENT_REF_MESSAGE,
    appointment_problem,
    create_invitation,
    invitation_url,
    is_valid_patient_ref,
)
from ..migrations import upgrade
from ..models import record_audit
from ..outbox.addresses import AddressError, address_digest, clean_address
from ..outbox.queue import queue_invitation
from .backup import BackupError, backup, restore
from .demo import demo_command
from .retention import erase_patient, export_patient, purge


def invitation_link(token: str) -> str:
    """A patient link as the command line prints it (no request to take a host from)."""
    base = current_app.config["PUBLIC_BASE_URL"] or f"http://127.0.0.1:{current_app.config.get('PORT', 5000)}"
    return invitation_url(base, token)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@click.command("invite")
@click.option("--patient", "patient_ref", required=True,
              help="The clinic's reference for the patient (no names): up to 64 letters, digits, spaces, . - _ /")
@click.option("--appointment", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Appointment date, YYYY-MM-DD, from today to 2 years ahead. LDN start checks use this date.")
@click.option("--email", default=None,
              help="The patient's email address: the link is emailed too (needs MAIL_URL; see docs/outbox.md).")
@with_appcontext
def invite_command(patient_ref: str, appointment: datetime | None, email: str | None) -> None:
    """Create an invitation and print the patient's link (and email it, with --email)."""
    appointment_date: date | None = appointment.date() if appointment else None
    # What the invitation form accepts, no more: no control, bidi or look-alike characters.
    if not is_valid_patient_ref(patient_ref):
        raise click.BadParameter(PATIENT_REF_MESSAGE, param_hint="--patient")
    problem = appointment_problem(appointment_date, date.today()) if appointment_date else None
    if problem:
        raise click.BadParameter(problem, param_hint="--appointment")
    settings = mail()
    address = None
    if email is not None:
        if not settings.enabled:
            raise click.UsageError("--email needs email to be set up: set MAIL_URL and MAIL_FROM (docs/outbox.md)")
        try:
            address = clean_address(email)
        except AddressError as error:
            raise click.BadParameter(str(error), param_hint="--email") from None
    with db().write() as session:
        invitation, token = create_invitation(
            session, patient_ref.strip(), appointment_date,
            days_valid=current_app.config["INVITATION_DAYS_VALID"], key=settings.link_key, email=address,
        )
        queued = queue_invitation(session, invitation, settings) is not None
        record_audit(session, "cli", "invitation.created", target=f"invitation:{invitation.id}",
                     **({"email_sha256": address_digest(address)} if address else {}))
        expires = invitation.expires_at
    click.echo(invitation_link(token))
    click.echo(f"(expires {expires:%Y-%m-%d %H:%M} UTC)", err=True)
    if queued:
        click.echo("The link is queued to be emailed ('flask outbox send' sends it).", err=True)


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(destination: Path) -> None:
    """Write a consistent backup of the database while the app runs."""
    try:
        backup(current_app.config["DATABASE_URL"], destination)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {destination}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="This replaces every record in the database. Is the app stopped?")
@with_appcontext
def restore_command(source: Path) -> None:
    """Replace the database's contents with a backup (stop the app first)."""
    db().dispose()
    try:
        restore(current_app.config["DATABASE_URL"], source)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {source}")


@click.command("purge")
@click.option("--unsubmitted-days", type=click.IntRange(min=1), default=None,
              help="Delete unsubmitted answers and expired links untouched this many days "
                   "(default PURGE_UNSUBMITTED_DAYS).")
@click.option("--retention-days", type=click.IntRange(min=1), default=None,
              help="Delete submissions older than this (default RETENTION_DAYS).")
@with_appcontext
def purge_command(unsubmitted_days: int | None, retention_days: int | None) -> None:
    """Delete data the clinic no longer needs, and record that it did."""
    with db().write() as session:
        counts = purge(
            session,
            unsubmitted_days=unsubmitted_days or current_app.config["PURGE_UNSUBMITTED_DAYS"],
            retention_days=retention_days or current_app.config["RETENTION_DAYS"],
        )
    click.echo(f"Purged {counts.unsubmitted} unsubmitted questionnaires, {counts.expired_invitations} expired "
               f"invitations and {counts.past_retention} submissions past retention; removed "
               f"{counts.addresses_removed} email addresses no longer needed.")


@click.command("export-patient")
@click.argument("patient_ref")
@with_appcontext
def export_patient_command(patient_ref: str) -> None:
    """Print everything held about one patient reference as JSON (access requests)."""
    with db().write() as session:
        document = export_patient(session, patient_ref)
    if not document["invitations"]:
        raise click.ClickException(f"nothing is held for {patient_ref}")
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@click.command("erase-patient")
@click.argument("patient_ref")
@click.confirmation_option(prompt="Erase all answers and evaluations for this patient? This cannot be undone.")
@with_appcontext
def erase_patient_command(patient_ref: str) -> None:
    """Erase one patient's data (erasure requests); an audit record without health data remains."""
    with db().write() as session:
        erased = erase_patient(session, patient_ref)
    click.echo(f"Erased {erased} invitation(s) and everything attached to them.")


COMMANDS = (
    init_db_command, invite_command, demo_command, backup_command, restore_command, purge_command,
    export_patient_command, erase_patient_command,
)
