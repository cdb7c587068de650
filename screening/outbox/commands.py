"""The outbox's commands: `flask --app screening outbox send | work | list`.

`send` sends everything due once and exits (for cron or a systemd timer); `work` does the
same in a loop with a short sleep, and on SIGTERM or Ctrl-C finishes the message in flight
and exits 0; `list` shows what is queued, sent and failed, never an address.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db, mail
from ..models import OutboxMessage
from .sender import send_due

logger = logging.getLogger(__name__)

STATUSES = ("queued", "sending", "sent", "failed", "cancelled", "unconfirmed")
MAIL_OFF = "Email is off (MAIL_URL not set): nothing sent"
LAST_ERROR_WIDTH = 90

outbox_group = AppGroup("outbox", help="Send and inspect the email outbox (invitations and reminders).")


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT: the work in hand finishes, nothing new starts."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield stop
        return

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {number: signal.signal(number, handle) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@outbox_group.command("send")
def send_command() -> None:
    """Send every message that is due, once, and exit (run it from cron or a systemd timer)."""
    settings = mail()
    if not settings.enabled:
        click.echo(MAIL_OFF)
        return
    with _stop_on_signals() as stop:
        report = send_due(settings, stop=stop.is_set)
    click.echo(report.summary())


@outbox_group.command("work")
@click.option("--interval", type=click.FloatRange(min=0.1, max=3600), default=10.0, show_default=True,
              help="Seconds to wait between looks at the outbox.")
def work_command(interval: float) -> None:
    """Keep sending as messages fall due; SIGTERM or Ctrl-C finishes the message in flight and exits."""
    settings = mail()
    if not settings.enabled:
        click.echo(MAIL_OFF)
        return
    with _stop_on_signals() as stop:
        click.echo(f"Sending from the outbox every {interval:g} seconds; stop with SIGTERM or Ctrl-C.")
        while not stop.is_set():
            try:
                report = send_due(settings, stop=stop.is_set)
            except Exception:  # the database or the network may come back: keep the worker up
                logger.exception("sending from the outbox failed; trying again in %g seconds", interval)
            else:
                if report.anything:
                    click.echo(report.summary())
            stop.wait(interval)
    click.echo("Stopped.")


def _moment(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "-"


def _shorten(text: str | None) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= LAST_ERROR_WIDTH else line[: LAST_ERROR_WIDTH - 1] + "…"


@outbox_group.command("list")
@click.option("--status", "statuses", type=click.Choice(STATUSES), multiple=True,
              help="Only messages with this status (repeat for several).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many messages to show, newest first.")
def list_command(statuses: tuple[str, ...], limit: int) -> None:
    """What is queued, sent, failed or may not have been delivered (no addresses, no content)."""
    columns = (OutboxMessage.id, OutboxMessage.kind, OutboxMessage.status, OutboxMessage.attempts,
               OutboxMessage.next_attempt_at, OutboxMessage.sent_at, OutboxMessage.last_error)
    query = select(*columns).order_by(OutboxMessage.id.desc()).limit(limit)
    counting = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if statuses:
        query = query.where(OutboxMessage.status.in_(statuses))
    with db().read() as session:
        counts: dict[str, int] = {status: count for status, count in session.execute(counting)}
        rows = session.execute(query).all()
    click.echo(", ".join(f"{status} {counts.get(status, 0)}" for status in STATUSES))
    if not rows:
        click.echo("No messages." if not statuses else "No messages with that status.")
        return
    click.echo(f"{'id':>6}  {'kind':<10} {'status':<11} {'tries':>5}  {'next attempt / sent':<22} last error")
    for id_, kind, status, attempts, next_attempt_at, sent_at, last_error in rows:
        when = _moment(sent_at) if status == "sent" else _moment(next_attempt_at) if status == "queued" else "-"
        click.echo(f"{id_:>6}  {kind:<10} {status:<11} {attempts:>5}  {when:<22} {_shorten(last_error)}".rstrip())


COMMANDS = (outbox_group,)
