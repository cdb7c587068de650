"""A tiny composer for driving the sender without the real templates.

The slot says what it does: "cancel…" → Cancel, "defer…" → Defer an hour, anything else →
a plain message to the invitation's address, without a Message-ID (the sender adds the
row's). `install()` puts it in place of the real one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.orm import Session

from screening.models import Invitation, OutboxMessage
from screening.outbox import sender
from screening.outbox.compose import Cancel, Defer, Ready
from screening.outbox.settings import MailSettings

CANCEL_REASON = "the test says no"
DEFER_BY = timedelta(hours=1)


def compose(session: Session, row: OutboxMessage, settings: MailSettings, now: datetime) -> Ready | Cancel | Defer:
    if row.slot.startswith("cancel"):
        return Cancel(CANCEL_REASON)
    if row.slot.startswith("defer"):
        return Defer(now + DEFER_BY)
    invitation = session.get(Invitation, row.invitation_id)
    assert invitation is not None and invitation.email
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = invitation.email
    message["Subject"] = f"Test message {row.id}"
    message.set_content(f"Hello from the outbox test ({row.slot}).")
    return Ready(invitation.email, message)


def install() -> None:
    sender.compose = compose  # type: ignore[assignment]
