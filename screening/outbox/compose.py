"""Each outbox row becomes an email when it is sent, not when it is queued: the link, the
expiry and whether the message is still wanted are read at that moment.

An email says nothing about the patient's health: no medicine, condition or treatment,
not even why the clinic asks (tests/email/test_messages.py scans every message for a list
of such words). Every message has a plain-text and an HTML part from templates/email/, and
a "stop reminders" link that stops reminders for this invitation only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from flask import render_template
from sqlalchemy.orm import Session

from ..invitations import current_token, invitation_status, invitation_url, rebuild_token
from ..models import CheckIn, Invitation, OutboxMessage, TreatmentPlan
from ..questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE
from ..questionnaire.display import date_in_words
from ..questionnaire.navigation import estimated_minutes
from ..rules import checkin_context
from .settings import MailSettings

SUBJECTS = {
    "invitation": "{clinic}: please fill in your form before your visit",
    "reminder": "{clinic}: a reminder to finish your form",
    "new_link": "{clinic}: your new link to your form",
    "checkin": "{clinic}: a few short questions for you",
    "checkin_reminder": "{clinic}: a reminder about your short questions",
}
STOP_PURPOSE = b"ldn-screening/stop-reminders/v1"


@dataclass(frozen=True)
class Ready:
    to: str
    message: EmailMessage


@dataclass(frozen=True)
class Cancel:
    reason: str


@dataclass(frozen=True)
class Defer:
    until: datetime


def stop_token(invitation: Invitation, key: bytes) -> str:
    """The "stop reminders" link's token: one purpose (it cannot open the form), unguessable,
    and it changes when the link is re-issued."""
    material = f"{invitation.id}:{invitation.link_salt or invitation.token_hash}".encode("ascii")
    return hmac.new(key + STOP_PURPOSE, material, hashlib.sha256).hexdigest()


def plan_stop_token(plan: TreatmentPlan, key: bytes) -> str:
    """The "stop reminders" token of a plan's check-in emails (one purpose, like stop_token)."""
    material = f"plan:{plan.id}:{plan.created_at.isoformat()}".encode("ascii")
    return hmac.new(key + STOP_PURPOSE, material, hashlib.sha256).hexdigest()


def compose(session: Session, row: OutboxMessage, settings: MailSettings, now: datetime) -> Ready | Cancel | Defer:
    if row.checkin_id is not None:
        return _compose_checkin(session, row, settings, now)
    invitation = session.get(Invitation, row.invitation_id) if row.invitation_id is not None else None
    if invitation is None:
        return Cancel("the invitation no longer exists")
    if not invitation.email:
        return Cancel("no email address (removed after the form was sent, or the link was revoked)")
    status = invitation_status(invitation, now)
    if status not in ("not started", "in progress"):
        return Cancel(f"not needed: the invitation is {status}")
    if row.kind == "reminder":
        if invitation.reminders_stopped:
            return Cancel("the patient asked for no more reminders")
        if (later := settings.after_quiet_hours(now)) != now:
            return Defer(later)
    token = current_token(invitation, settings.link_key)
    if token is None:
        return Cancel("the link cannot be rebuilt (the app's secret key changed): re-issue it")
    return Ready(invitation.email, _message(row, invitation, token, settings))


def _compose_checkin(session: Session, row: OutboxMessage, settings: MailSettings, now: datetime) \
        -> Ready | Cancel | Defer:
    checkin = session.get(CheckIn, row.checkin_id)
    if checkin is None:
        return Cancel("the check-in no longer exists")
    plan = checkin.plan
    if plan.status != "active" or not plan.email:
        return Cancel("not needed: the plan has ended or has no email address")
    if checkin.submitted or now >= checkin.expires_at:
        return Cancel("not needed: the check-in is sent or its link has expired")
    if row.kind == "checkin_reminder":
        if plan.reminders_stopped:
            return Cancel("the patient asked for no more reminders")
        if (later := settings.after_quiet_hours(now)) != now:
            return Defer(later)
    token = rebuild_token(checkin.link_salt, checkin.token_hash, settings.link_key)
    if token is None:
        return Cancel("the link cannot be rebuilt (the app's secret key changed): send a check-in now")
    base = settings.public_base_url.rstrip("/")
    context = {
        "kind": row.kind, "clinic": settings.clinic_name, "contact": settings.clinic_contact,
        "link": f"{base}/c/{token}",
        "stop_link": f"{base}/reminders/stop-checkins/{plan.id}/{plan_stop_token(plan, settings.link_key)}",
        "expires": date_in_words(checkin.expires_at.date()), "appointment": None,
        # What this patient is asked: the pregnancy and thyroid questions depend on the screening.
        "minutes": estimated_minutes(CHECKIN_QUESTIONNAIRE, checkin_context(plan.response.answers), round_to=1),
    }
    return Ready(plan.email, _render(row, plan.email, context, settings))


def _message(row: OutboxMessage, invitation: Invitation, token: str, settings: MailSettings) -> EmailMessage:
    base = settings.public_base_url.rstrip("/")
    context = {
        "kind": row.kind,
        "clinic": settings.clinic_name,
        "contact": settings.clinic_contact,
        "link": invitation_url(base, token),
        "stop_link": f"{base}/reminders/stop/{invitation.id}/{stop_token(invitation, settings.link_key)}",
        "expires": date_in_words(invitation.expires_at.date()),
        "appointment": date_in_words(invitation.appointment_date) if invitation.appointment_date else None,
        "minutes": estimated_minutes(QUESTIONNAIRE),
    }
    return _render(row, invitation.email or "", context, settings)


def _render(row: OutboxMessage, to: str, context: Mapping[str, object], settings: MailSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = SUBJECTS[row.kind].format(clinic=settings.clinic_name)
    message["From"] = _address(settings.sender)
    message["To"] = to
    message["Message-ID"] = row.message_id
    message["List-Unsubscribe"] = f"<{context['stop_link']}>"
    message.set_content(render_template("email/message.txt", **context))
    message.add_alternative(render_template("email/message.html", **context), subtype="html")
    return message


def _address(sender: str) -> str:
    name, address = parseaddr(sender)
    return formataddr((name, address)) if name else address
