"""Check-in links by email (followup.md with the outbox): each check-in's link at 09:00
clinic time on the day it opens, one reminder 3 days later, none once it is sent, expired,
the plan ended or the patient stopped reminders; the same no-health-words rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from screening.models import AuditEvent, CheckIn, OutboxMessage, TreatmentPlan
from screening.outbox.compose import Cancel, Ready, compose, plan_stop_token
from screening.outbox.schedule import queue_due
from screening.patient.submission import create_submitted
from screening.rules.plan import Plan
from tests.email.test_messages import health_words
from tests.test_readability import MAX_GRADE, fk_grade, split_sentences

START = date(2026, 12, 1)


@pytest.fixture
def plan_id(app) -> int:  # type: ignore[no-untyped-def]
    from screening.followup.checkins import sync_checkins
    from tests.doctor_fixtures import CLEAN_ANSWERS

    settings = app.extensions["mail"]
    with app.app_context(), app.extensions["db"].write() as session:
        response = create_submitted(session, "P-PLAN", CLEAN_ANSWERS, appointment=START,
                                    questionnaire_version=app.extensions["questionnaire"].version)
        plan = TreatmentPlan(response_id=response.id, terms=Plan(start_date=START, checkin_days=(7, 14)).to_json(),
                             status="active", email="pat@example.org", version=1,
                             created_at=datetime(2026, 11, 30, tzinfo=UTC))
        session.add(plan)
        session.flush()
        sync_checkins(session, plan, settings.link_key)
        return plan.id


def _queue(app, now: datetime) -> list[tuple[str, date]]:  # type: ignore[no-untyped-def]
    with app.app_context(), app.extensions["db"].write() as session:
        queue_due(session, app.extensions["mail"], now)
    with app.extensions["db"].read() as session:
        return [(kind, due) for kind, due in session.execute(
            select(OutboxMessage.kind, CheckIn.due_date).join(CheckIn, CheckIn.id == OutboxMessage.checkin_id)
            .where(OutboxMessage.status == "queued").order_by(OutboxMessage.id))]


def test_each_check_in_link_goes_out_at_nine_on_its_day_and_one_reminder_three_days_later(app, plan_id) -> None:
    first, second = START + timedelta(days=7), START + timedelta(days=14)
    assert _queue(app, datetime.combine(first, datetime.min.time(), UTC) + timedelta(hours=8, minutes=59)) == []
    assert _queue(app, datetime(2026, 12, 8, 9, 0, tzinfo=UTC)) == [("checkin", first)]
    assert _queue(app, datetime(2026, 12, 11, 9, 0, tzinfo=UTC)) == [("checkin", first), ("checkin_reminder", first)]
    assert _queue(app, datetime(2026, 12, 11, 10, 0, tzinfo=UTC)) == [("checkin", first), ("checkin_reminder", first)]
    assert _queue(app, datetime(2026, 12, 15, 9, 0, tzinfo=UTC))[-1] == ("checkin", second)


@pytest.mark.parametrize("closed", ["submitted", "ended", "no address", "expired"])
def test_nothing_goes_for_a_sent_check_in_an_ended_plan_or_a_plan_without_an_address(app, plan_id, closed) -> None:
    with app.extensions["db"].write() as session:
        plan = session.get_one(TreatmentPlan, plan_id)
        first = plan.checkins[0]
        if closed == "submitted":
            first.submitted = True
        elif closed == "ended":
            plan.status = "ended"
        elif closed == "no address":
            plan.email = None
        else:
            first.expires_at = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert _queue(app, datetime(2026, 12, 11, 9, 0, tzinfo=UTC)) == []


def test_stopped_reminders_still_send_the_links(app, plan_id) -> None:
    with app.extensions["db"].write() as session:
        session.get_one(TreatmentPlan, plan_id).reminders_stopped = True
    assert _queue(app, datetime(2026, 12, 11, 9, 0, tzinfo=UTC)) == [("checkin", START + timedelta(days=7))]


@pytest.mark.parametrize("kind", ["checkin", "checkin_reminder"])
def test_a_check_in_email_says_nothing_about_health_reads_plainly_and_carries_its_link(app, plan_id, kind) -> None:
    _queue(app, datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    with app.app_context(), app.extensions["db"].write() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.kind == kind))
        composed = compose(session, row, app.extensions["mail"], datetime(2026, 12, 11, 9, 5, tzinfo=UTC))
    assert isinstance(composed, Ready) and composed.to == "pat@example.org"
    text = composed.message.get_body(("plain",)).get_content()
    html = composed.message.get_body(("html",)).get_content()
    assert health_words(str(composed.message["Subject"])) == [] and health_words(text) == []
    assert health_words(html) == []
    assert fk_grade([s for s in split_sentences(text) if "://" not in s]) <= MAX_GRADE
    assert "https://forms.clinic.example/c/" in text and "/reminders/stop-checkins/" in text


def test_a_queued_check_in_email_is_cancelled_once_the_check_in_is_sent(app, plan_id) -> None:
    _queue(app, datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    with app.app_context(), app.extensions["db"].write() as session:
        row = session.scalar(select(OutboxMessage))
        session.get_one(CheckIn, row.checkin_id).submitted = True
        assert isinstance(compose(session, row, app.extensions["mail"], datetime(2026, 12, 8, 9, 5, tzinfo=UTC)),
                          Cancel)


def _stop_path(app, plan_id: int) -> str:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        token = plan_stop_token(session.get_one(TreatmentPlan, plan_id), app.extensions["mail"].link_key)
    return f"/reminders/stop-checkins/{plan_id}/{token}"


def test_the_plans_stop_link_stops_check_in_reminders_only_after_pressing(app, client, plan_id) -> None:
    import re

    path = _stop_path(app, plan_id)
    page = client.get(path).get_data(as_text=True)
    assert "reminders about your short questions" in page
    with app.extensions["db"].read() as session:
        assert session.get_one(TreatmentPlan, plan_id).reminders_stopped is False
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert "Reminders stopped" in client.post(path, data={"csrf_token": csrf}).get_data(as_text=True)
    with app.extensions["db"].read() as session:
        plan = session.get_one(TreatmentPlan, plan_id)
        assert plan.reminders_stopped is True
        stopped = session.scalars(select(AuditEvent).where(AuditEvent.action == "reminders.stopped")).one()
        # against the screening, as every plan event is: the audit page names the patient
        assert (stopped.actor, stopped.target, stopped.details) == (
            "patient", f"response:{plan.response_id}", {"plan_id": plan_id})


@pytest.mark.parametrize("tamper", ["zeros", "other plan", "short"])
def test_a_plans_stop_link_cannot_be_guessed(app, client, plan_id, tamper) -> None:
    good = _stop_path(app, plan_id).rsplit("/", 1)[1]
    path = {"zeros": f"/reminders/stop-checkins/{plan_id}/{'0' * 64}",
            "other plan": f"/reminders/stop-checkins/{plan_id + 1}/{good}",
            "short": f"/reminders/stop-checkins/{plan_id}/{good[:40]}"}[tamper]
    assert client.get(path).status_code == 404


def test_quiet_hours_hold_a_check_in_link_until_they_end(app, plan_id) -> None:
    from screening.outbox.settings import parse_quiet_hours

    app.extensions["mail"] = replace(app.extensions["mail"], quiet_hours=parse_quiet_hours("08:00-10:00"))
    _queue(app, datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    with app.extensions["db"].read() as session:
        (due,) = session.scalars(select(OutboxMessage.next_attempt_at)).all()
    assert due == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
