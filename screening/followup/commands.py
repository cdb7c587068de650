"""Follow-up commands: `flask --app screening plans` lists the active LDN plans for the
clinic's records (patient reference, start date, planned dose today, next check-in due),
never an email address."""

from __future__ import annotations

import csv
import io
from datetime import date

import click
from flask.cli import with_appcontext

from ..extensions import db
from .plan_page import mg
from .plans import ActivePlan, active_plans

CSV_COLUMNS = ("plan", "patient_ref", "start_date", "planned_dose_mg_today", "next_checkin_due")


def _dose(row: ActivePlan) -> str:
    return mg(row.dose_today_mg) if row.dose_today_mg is not None else "not started"


@click.command("plans")
@with_appcontext
@click.option("--format", "output", type=click.Choice(("text", "csv")), default="text", show_default=True,
              help="Aligned text for reading, or CSV for a spreadsheet.")
def plans_command(output: str) -> None:
    """List the active LDN plans: patient reference, start date, planned dose today, next check-in due."""
    today = date.today()
    with db().read() as session:
        rows = active_plans(session, today)
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow((row.plan_id, row.patient_ref, row.start_date.isoformat(),
                             "" if row.dose_today_mg is None else f"{row.dose_today_mg.normalize():f}",
                             row.next_checkin.isoformat() if row.next_checkin else ""))
        click.echo(buffer.getvalue(), nl=False)
        return
    if not rows:
        click.echo("No active plans.")
        return
    width = max(len("patient"), *(len(row.patient_ref) for row in rows))
    click.echo(f"{'plan':>6}  {'patient':<{width}}  {'start':<10}  {'dose today':<12}  next check-in due")
    for row in rows:
        due = row.next_checkin.isoformat() if row.next_checkin else "none"
        click.echo(f"{row.plan_id:>6}  {row.patient_ref:<{width}}  {row.start_date.isoformat():<10}  "
                   f"{_dose(row):<12}  {due}")
    click.echo(f"{len(rows)} active plan{'s' if len(rows) != 1 else ''} on {today.isoformat()}.")


COMMANDS = (plans_command,)
