"""Commands for backups and data protection (`flask --app screening ...`)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .backup import BackupError, backup, restore
from .retention import erase_patient, export_patient, purge


def _db():  # type: ignore[no-untyped-def]
    return current_app.extensions["db"]


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
    _db().dispose()
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
    with _db().write() as session:
        counts = purge(
            session,
            unsubmitted_days=unsubmitted_days or current_app.config["PURGE_UNSUBMITTED_DAYS"],
            retention_days=retention_days or current_app.config["RETENTION_DAYS"],
        )
    click.echo(f"Purged {counts.unsubmitted} unsubmitted questionnaires, {counts.expired_invitations} expired "
               f"invitations and {counts.past_retention} submissions past retention.")


@click.command("export-patient")
@click.argument("patient_ref")
@with_appcontext
def export_patient_command(patient_ref: str) -> None:
    """Print everything held about one patient reference as JSON (access requests)."""
    with _db().write() as session:
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
    with _db().write() as session:
        erased = erase_patient(session, patient_ref)
    click.echo(f"Erased {erased} invitation(s) and everything attached to them.")


COMMANDS = (backup_command, restore_command, purge_command, export_patient_command, erase_patient_command)
