"""Check-in links: created from a plan's check-in days, each a hashed-token link like an
invitation's, open from its due date until 14 days later (followup.md section 2).

Only the token's hash is stored; with the app's link key the token is derived from a
per-link salt (screening.invitations), so an email can carry the link later.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..invitations import hash_token, issue_token
from ..models import CheckIn, TreatmentPlan, utcnow
from ..rules.plan import Plan, PlanError, checkin_due_dates, plan_from_json

VALID_DAYS = 14  # a check-in's link works from its due date until 14 days later
MAX_TOKEN_LENGTH = 128


def plan_terms(plan: TreatmentPlan) -> Plan:
    """The plan's terms as the arithmetic and the rules read them."""
    return plan_from_json(plan.terms)


def terms_history(plan: TreatmentPlan) -> list[tuple[date, Plan]]:
    """The plan's terms as they were in force: (from this date, terms), oldest first, from its
    history (a change applies from the day it was made). The first applies from the
    beginning; an entry that cannot be read is skipped; no history: the current terms."""
    versions: list[tuple[date, Plan]] = []
    for change in plan.changes:
        if change.action not in ("started", "changed"):
            continue
        try:
            terms = plan_from_json(change.terms)
        except PlanError:
            continue
        versions.append((date.min if not versions else change.at.date(), terms))
    return versions or [(date.min, plan_terms(plan))]


def terms_on(plan: TreatmentPlan, day: date) -> Plan:
    """The terms in force on `day` (followup.md: a check-in reads the plan in force on its due date)."""
    history = terms_history(plan)
    in_force = history[0][1]
    for since, terms in history:
        if since <= day:
            in_force = terms
    return in_force


def link_expiry(due: date) -> datetime:
    """The end of the last day a check-in's link works (UTC)."""
    return datetime.combine(due + timedelta(days=VALID_DAYS), time.max, tzinfo=UTC)


def create_checkin(session: Session, plan: TreatmentPlan, due: date, key: bytes | None) -> tuple[CheckIn, str]:
    """A check-in due on `due` and its token (the only time a random token exists in clear)."""
    token, salt, token_hash = issue_token(key)
    checkin = CheckIn(plan_id=plan.id, due_date=due, opens_on=due, expires_at=link_expiry(due),
                      token_hash=token_hash, link_salt=salt, answers={}, revision=0, created_at=utcnow())
    session.add(checkin)
    session.flush()
    return checkin, token


def sync_checkins(
    session: Session, plan: TreatmentPlan, key: bytes | None, today: date | None = None,
) -> list[CheckIn]:
    """Create the check-ins the plan's terms call for that do not exist yet (after a start or
    a change); ones already created, answered or not, are kept, and none is created whose
    link would already have expired (a day added to a plan after its time). Returns the new ones."""
    existing = set(session.scalars(select(CheckIn.due_date).where(CheckIn.plan_id == plan.id)))
    last_open = (today or utcnow().date()) - timedelta(days=VALID_DAYS)
    return [create_checkin(session, plan, due, key)[0]
            for due in checkin_due_dates(plan_terms(plan)) if due not in existing and due >= last_open]


def checkin_status(checkin: CheckIn, today: date, now: datetime | None = None) -> str:
    """In words: "not open yet", "open", "started", "sent", "expired"."""
    if checkin.submitted:
        return "sent"
    if (now or utcnow()) >= checkin.expires_at:
        return "expired"
    if today < checkin.opens_on:
        return "not open yet"
    return "started" if checkin.answers else "open"


def checkin_for_token(session: Session, token: str) -> CheckIn | None:
    """The check-in this token opens, whatever its state (the caller says what the state means)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(CheckIn).where(CheckIn.token_hash == hash_token(token)))
