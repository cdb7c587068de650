"""`flask demo`: seed a demonstration so a newcomer sees the product at once.

Prints a fresh patient link ready to fill in. Run by `make run` after `init-db`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from .invitations import create_invitation

DEMO_PATIENT_REF = "DEMO-PATIENT"


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed demo data and print a patient link to try."""
    from .cli import invitation_link

    appointment = (datetime.now(UTC) + timedelta(days=14)).date()
    with current_app.extensions["db"].write() as session:
        _invitation, token = create_invitation(session, DEMO_PATIENT_REF, appointment)
    click.echo("")
    click.echo("Demo patient link (open it in your browser to fill in the questionnaire):")
    click.echo(f"  {invitation_link(token)}")
    click.echo("")
