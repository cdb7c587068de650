"""The outbox's sender: recover, queue reminders, claim due messages, send, record.

One run (`send_due`) does, each step in its own short transaction:

1. **Recover** messages whose sender stopped (killed, crashed, lost power) and whose lease
   has run out: one that never reached the in-flight marker goes back to the queue (the
   server never got its data); one that did becomes `unconfirmed` and is never sent again
   by itself: it may have been delivered, and a second copy is worse than a doctor pressing
   "Resend" (docs/outbox.md states this guarantee).
2. **Queue** the reminders that have fallen due (`schedule.queue_due`).
3. **Claim** a batch of due messages: status `sending`, a lease, one more attempt. On
   PostgreSQL the rows are locked with SKIP LOCKED, so senders running at once take
   different rows; on SQLite the write transaction (BEGIN IMMEDIATE) is the single writer.
4. **Send** each: compose it, MAIL FROM and RCPT TO, then the in-flight marker in its own
   committed transaction, then DATA; record what happened.

Every update after the claim names the claim (row id and attempt number) and the status it
expects, so a sender that lost its lease changes nothing and sends nothing.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from email import policy
from email.utils import format_datetime, parseaddr
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import rows_changed
from ..extensions import db
from ..models import OutboxMessage, utcnow
from .compose import Cancel, Defer, Ready, compose
from .schedule import queue_due
from .settings import MailSettings
from .smtp import Connection, ConnectionFailed, DeliveryError, Permanent, Temporary, Uncertain

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # how long a claimed message stays with its sender
BATCH_SIZE = 20
MAX_ATTEMPTS = 10  # the last retry comes about 8.5 hours after the first attempt
FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8 … minutes
LONGEST_RETRY = timedelta(hours=6)
SOONEST_DEFER = timedelta(minutes=1)  # a Defer never makes a message due again in the same run
# CRLF, and headers folded only past RFC 5322's hard limit of 998: at 78, Python turns a long
# header without spaces (List-Unsubscribe's URL) into an encoded word that no client reads.
WIRE = policy.SMTP.clone(max_line_length=998)

STOPPED_BEFORE_DATA = "The sender stopped before handing the message over; it will be tried again"
STOPPED_DURING_DATA = ("The sender stopped while handing the message to the mail server: "
                       "it may not have been delivered")
GAVE_UP_AFTER_STOPS = f"The sender stopped before handing the message over; gave up after {MAX_ATTEMPTS} attempts"
MAY_NOT_HAVE_ARRIVED = "it may not have been delivered"


def backoff(attempts: int) -> timedelta:
    """The wait after a temporary failure of the `attempts`-th attempt: 1, 2, 4 … minutes, at most 6 hours."""
    doublings = min(max(attempts - 1, 0), 30)  # 2**30 minutes is far past the cap already
    return min(FIRST_RETRY * (1 << doublings), LONGEST_RETRY)


@dataclass
class Report:
    """What one run did, by outcome."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    unconfirmed: int = 0
    cancelled: int = 0
    deferred: int = 0
    recovered: int = 0  # back in the queue after a sender stopped before the data

    def __iadd__(self, other: Report) -> Report:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    @property
    def anything(self) -> bool:
        return any(getattr(self, field.name) for field in fields(self))

    def summary(self) -> str:
        text = (f"Sent {self.sent}, to retry {self.retried}, failed {self.failed}, "
                f"may not have been delivered {self.unconfirmed}, cancelled {self.cancelled}, "
                f"deferred {self.deferred}.")
        if self.recovered:
            text += f" {self.recovered} back in the queue after a sender stopped."
        return text


@dataclass(frozen=True)
class Claim:
    """A claimed message: its row and the attempt this claim is (which names the claim)."""

    id: int
    attempt: int


def _claimed(claim: Claim) -> Any:
    return (OutboxMessage.id == claim.id) & (OutboxMessage.attempts == claim.attempt)


def recover(session: Session, now: datetime) -> Report:
    """Messages whose sender stopped and whose lease ran out: back to the queue before the
    marker (the server never got their data), `unconfirmed` after it."""
    expired = (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now)
    report = Report()
    report.unconfirmed = rows_changed(session.execute(
        update(OutboxMessage).where(expired & OutboxMessage.in_flight_at.is_not(None))
        .values(status="unconfirmed", claimed_until=None, last_error=STOPPED_DURING_DATA)))
    report.failed = rows_changed(session.execute(
        update(OutboxMessage).where(expired & (OutboxMessage.attempts >= MAX_ATTEMPTS))
        .values(status="failed", claimed_until=None, last_error=GAVE_UP_AFTER_STOPS)))
    report.recovered = rows_changed(session.execute(
        update(OutboxMessage).where(expired)
        .values(status="queued", claimed_until=None, next_attempt_at=now, last_error=STOPPED_BEFORE_DATA)))
    return report


def claim(session: Session, due_by: datetime, now: datetime, limit: int = BATCH_SIZE) -> list[Claim]:
    """Take up to `limit` messages due by `due_by`, oldest first, for this sender."""
    query = (select(OutboxMessage)
             .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= due_by)
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claims = []
    for row in session.scalars(query):
        row.status, row.claimed_until, row.in_flight_at = "sending", now + LEASE, None
        row.attempts += 1
        claims.append(Claim(row.id, row.attempts))
    return claims


def release(session: Session, claims: Sequence[Claim]) -> None:
    """Give back claimed messages this sender will not try (it is stopping): as if never claimed."""
    for claimed in claims:
        session.execute(update(OutboxMessage)
                        .where(_claimed(claimed), OutboxMessage.status == "sending",
                               OutboxMessage.in_flight_at.is_(None))
                        .values(status="queued", claimed_until=None, attempts=OutboxMessage.attempts - 1))


class LeaseLost(Exception):
    """The claim ran out and another sender (or a recovery) has the message now."""


class Sender:
    """Sends claimed messages over one connection and records each outcome."""

    def __init__(self, settings: MailSettings) -> None:
        if settings.url is None:
            raise ValueError("mail is off (no MAIL_URL)")
        self.settings = settings
        self.envelope_from = parseaddr(settings.sender)[1]
        self.connection = Connection(settings.url)

    def close(self) -> None:
        self.connection.close()

    def deliver(self, claimed: Claim, report: Report) -> None:
        """Compose, send and record one claimed message. ConnectionFailed is recorded for
        this message and then passed on: the rest of the batch cannot go either."""
        outcome = self._compose(claimed)
        if isinstance(outcome, Cancel):
            self._record(claimed, status="cancelled", claimed_until=None, last_error=outcome.reason)
            report.cancelled += 1
        elif isinstance(outcome, Defer):
            later = max(outcome.until, utcnow() + SOONEST_DEFER)
            self._record(claimed, status="queued", claimed_until=None, next_attempt_at=later,
                         attempts=OutboxMessage.attempts - 1)
            report.deferred += 1
        elif isinstance(outcome, DeliveryError):
            self._failed(claimed, outcome, report)
        else:
            self._send(claimed, outcome, report)

    def _compose(self, claimed: Claim) -> Ready | Cancel | Defer | DeliveryError:
        with db().read() as session:
            row = session.get(OutboxMessage, claimed.id)
            if row is None:
                return Cancel("the message was deleted")
            try:
                return compose(session, row, self.settings, utcnow())
            except Exception as error:  # a bug must not stop the other messages
                # Where it broke, but not the exception's text: that might quote an address.
                logger.error("outbox message %s could not be composed (%s), at:\n%s", claimed.id,
                             type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))
                return Temporary(f"The message could not be composed ({type(error).__name__})")

    def _send(self, claimed: Claim, ready: Ready, report: Report) -> None:
        message = ready.message
        if "Message-ID" not in message:
            with db().read() as session:
                message["Message-ID"] = session.scalar(
                    select(OutboxMessage.message_id).where(OutboxMessage.id == claimed.id))
        if "Date" not in message:
            message["Date"] = format_datetime(utcnow())
        data = message.as_bytes(policy=WIRE)
        try:
            self.connection.send(self.envelope_from, ready.to, data, lambda: self._mark_in_flight(claimed))
        except LeaseLost:
            logger.warning("outbox message %s: lease lost before sending; another sender has it", claimed.id)
            return
        except DeliveryError as error:
            self._failed(claimed, error, report)
            if isinstance(error, ConnectionFailed):
                raise
            return
        self._record(claimed, status="sent", sent_at=utcnow(), claimed_until=None, last_error=None,
                     statuses=("sending", "unconfirmed"))
        report.sent += 1
        logger.info("outbox message %s sent (attempt %s)", claimed.id, claimed.attempt)

    def _mark_in_flight(self, claimed: Claim) -> None:
        """The marker, committed before any of the message's data goes to the server."""
        now = utcnow()
        with db().write() as session:
            marked = rows_changed(session.execute(
                update(OutboxMessage)
                .where(_claimed(claimed), OutboxMessage.status == "sending", OutboxMessage.in_flight_at.is_(None))
                .values(in_flight_at=now, claimed_until=now + LEASE)))
        if not marked:
            raise LeaseLost(claimed.id)

    def _failed(self, claimed: Claim, error: DeliveryError, report: Report) -> None:
        statuses: tuple[str, ...] = ("sending",)
        if isinstance(error, Uncertain):
            values: dict[str, Any] = {"status": "unconfirmed", "last_error": f"{error.reason}: {MAY_NOT_HAVE_ARRIVED}"}
            statuses = ("sending", "unconfirmed")
            report.unconfirmed += 1
        elif isinstance(error, Permanent):
            values = {"status": "failed", "last_error": error.reason}
            report.failed += 1
        elif claimed.attempt >= MAX_ATTEMPTS:
            values = {"status": "failed", "last_error": f"{error.reason} (gave up after {claimed.attempt} attempts)"}
            report.failed += 1
        else:
            values = {"status": "queued", "last_error": error.reason,
                      "next_attempt_at": utcnow() + backoff(claimed.attempt), "in_flight_at": None}
            report.retried += 1
        logger.info("outbox message %s: %s (%s)", claimed.id, values["status"], values["last_error"])
        self._record(claimed, claimed_until=None, statuses=statuses, **values)

    def _record(self, claimed: Claim, *, statuses: tuple[str, ...] = ("sending",), **values: Any) -> None:
        with db().write() as session:
            changed = rows_changed(session.execute(
                update(OutboxMessage).where(_claimed(claimed), OutboxMessage.status.in_(statuses)).values(**values)))
        if not changed:
            logger.warning("outbox message %s changed under this sender; its outcome was not recorded", claimed.id)


def send_due(settings: MailSettings, *, stop: Callable[[], bool] = lambda: False,
             batch_size: int = BATCH_SIZE) -> Report:
    """Send every message due when the run starts, then return. `stop()` is asked between
    messages: once true, the message in flight is finished and the rest given back."""
    started = utcnow()
    report = Report()
    with db().write() as session:
        report += recover(session, started)
    try:
        with db().write() as session:
            queue_due(session, settings, started)
    except Exception:  # reminders must not hold back invitations already queued
        logger.exception("queueing the reminders that fell due failed")
    sender = Sender(settings)
    try:
        while not stop():
            with db().write() as session:
                claims = claim(session, started, utcnow(), batch_size)
            if not claims:
                break
            if not _send_batch(sender, claims, report, stop):
                break
    finally:
        sender.close()
    return report


def _send_batch(sender: Sender, claims: list[Claim], report: Report, stop: Callable[[], bool]) -> bool:
    """Send a claimed batch; False when the run should end (stopping, or no server)."""
    for index, claimed in enumerate(claims):
        if stop():
            _release(claims[index:])
            return False
        try:
            sender.deliver(claimed, report)
        except ConnectionFailed:
            _release(claims[index + 1:])
            return False
    return True


def _release(claims: Sequence[Claim]) -> None:
    if claims:
        with db().write() as session:
            release(session, claims)
