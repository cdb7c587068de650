"""Addresses on invitations: the doctor's form and `flask invite --email` queue the email in
the same transaction; the list shows delivery; revoke, submit and purge forget the address;
the address never reaches the audit trail or an export; the stop-reminders link."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from screening.models import AuditEvent, Invitation, OutboxMessage
from screening.outbox.compose import stop_token
from screening.outbox.schedule import AFTER_INVITATION
from tests.patient.pages import TYPICAL_PAGES
from tests.patient_client import PatientClient

ADDRESS = "pat@example.org"


def _rows(app):  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return [(m.kind, m.status) for m in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def _invitations(app):  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return session.scalars(select(Invitation).order_by(Invitation.id)).all()


def _create(doctor, **fields):  # type: ignore[no-untyped-def]
    return doctor.post("/doctor/invitations", {"patient_ref": "P-EMAIL", **fields})


def test_the_form_asks_for_an_address_when_email_is_set_up(doctor) -> None:
    html = doctor.get("/doctor/invitations").get_data(as_text=True)
    assert 'id="email"' in html and 'type="email"' in html and "never mentions health" in html


def test_an_invitation_with_an_address_queues_its_email_in_the_same_step(app, doctor) -> None:
    response = _create(doctor, email="  Pat@Example.ORG ")
    assert response.status_code == 201
    assert "on its way to the patient by email" in response.get_data(as_text=True)
    (invitation,) = _invitations(app)
    assert invitation.email == "Pat@example.org" and invitation.link_salt  # the domain normalised
    assert _rows(app) == [("invitation", "queued")]
    assert "Email queued" in doctor.get("/doctor/invitations").get_data(as_text=True)


def test_an_invitation_without_an_address_queues_nothing(app, doctor) -> None:
    assert _create(doctor).status_code == 201
    assert _rows(app) == [] and _invitations(app)[0].email is None


def test_the_address_never_enters_the_audit_trail(app, doctor) -> None:
    _create(doctor, email=ADDRESS)
    with app.extensions["db"].read() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "invitation.created")).all()
        everything = json.dumps([e.details for e in session.scalars(select(AuditEvent))])
    assert ADDRESS not in everything and "example.org" not in everything
    assert re.fullmatch(r"[0-9a-f]{16}", event.details["email_sha256"])


def test_the_list_shows_delivery_in_words(app, doctor) -> None:
    _create(doctor, email=ADDRESS)
    with app.extensions["db"].write() as session:
        message = session.scalar(select(OutboxMessage))
        message.status, message.last_error = "failed", "550 Mailbox unavailable"
    assert "Not delivered: 550 Mailbox unavailable" in doctor.get("/doctor/invitations").get_data(as_text=True)
    with app.extensions["db"].write() as session:
        message = session.scalar(select(OutboxMessage))
        message.status, message.sent_at = "sent", datetime(2026, 11, 30, 14, 2, tzinfo=UTC)
        session.add(OutboxMessage(kind="reminder", slot=AFTER_INVITATION, invitation_id=message.invitation_id,
                                  status="sent", attempts=1, message_id="<r@x>", sent_at=datetime.now(UTC)))
    html = doctor.get("/doctor/invitations").get_data(as_text=True)
    assert "Sent 30 Nov 2026 14:02 UTC" in html and "1 reminder sent" in html


def test_resend_now_queues_the_invitation_again(app, doctor) -> None:
    _create(doctor, email=ADDRESS)
    (invitation,) = _invitations(app)
    response = doctor.post(f"/doctor/invitations/{invitation.id}/resend", {})
    assert response.status_code == 200 and "queued again" in response.get_data(as_text=True)
    assert _rows(app) == [("invitation", "queued"), ("invitation", "queued")]


def test_reissue_queues_the_new_link(app, doctor) -> None:
    _create(doctor, email=ADDRESS)
    (invitation,) = _invitations(app)
    doctor.post(f"/doctor/invitations/{invitation.id}/reissue", {})
    assert _rows(app) == [("invitation", "queued"), ("new_link", "queued")]


def test_revoke_cancels_what_waits_and_forgets_the_address(app, doctor) -> None:
    _create(doctor, email=ADDRESS)
    (invitation,) = _invitations(app)
    doctor.post(f"/doctor/invitations/{invitation.id}/revoke", {})
    assert _rows(app) == [("invitation", "cancelled")]
    assert _invitations(app)[0].email is None


def test_submitting_the_form_forgets_the_address_and_cancels_what_waits(app, invite) -> None:
    _invitation_id, token = invite()
    patient = PatientClient(app.test_client(), token)
    patient.open_link()
    patient.fill(TYPICAL_PAGES)
    assert patient.submit().status_code == 302
    assert _invitations(app)[0].email is None
    assert _rows(app) == [("invitation", "cancelled")]


def test_purge_forgets_the_address_of_an_expired_invitation(app, doctor) -> None:
    from screening.operations.retention import purge

    _create(doctor, email=ADDRESS)
    with app.extensions["db"].write() as session:
        session.scalar(select(Invitation)).expires_at = datetime.now(UTC) - timedelta(days=1)
    with app.extensions["db"].write() as session:
        counts = purge(session, unsubmitted_days=90, retention_days=3000)
    assert counts.addresses_removed == 1 and _invitations(app)[0].email is None


def test_an_access_request_export_says_an_address_is_held_without_showing_it(app, doctor) -> None:
    _create(doctor, email=ADDRESS)
    result = app.test_cli_runner().invoke(args=["export-patient", "P-EMAIL"])
    assert result.exit_code == 0 and ADDRESS not in result.output and '"email_held": true' in result.output


def test_the_command_line_emails_the_link_too(app) -> None:
    result = app.test_cli_runner().invoke(args=["invite", "--patient", "P-CLI", "--email", ADDRESS])
    assert result.exit_code == 0, result.output
    assert "queued to be emailed" in result.output and ADDRESS not in result.output
    assert _rows(app) == [("invitation", "queued")]


# --- the stop-reminders link ----------------------------------------------------------------

@pytest.fixture
def stop_link(app, invite):  # type: ignore[no-untyped-def]
    invitation_id, token = invite()
    with app.extensions["db"].write() as session:
        from screening.outbox.queue import enqueue

        enqueue(session, "reminder", AFTER_INVITATION, invitation_id, domain="clinic.example")
        invitation = session.get_one(Invitation, invitation_id)
        secret = stop_token(invitation, app.extensions["mail"].link_key)
        return invitation_id, token, f"/reminders/stop/{invitation_id}/{secret}"


def test_opening_the_stop_link_changes_nothing(app, client, stop_link) -> None:
    invitation_id, _token, link = stop_link
    response = client.get(link)
    assert response.status_code == 200
    assert "Do you want us to stop sending you reminders" in response.get_data(as_text=True)
    assert _invitations(app)[0].reminders_stopped is False


def test_pressing_stop_stops_this_invitations_reminders_only(app, client, stop_link, invite) -> None:
    invitation_id, token, link = stop_link
    other_id, _other = invite(patient_ref="P-OTHER")
    page = client.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(link, data={"csrf_token": csrf})
    assert "Reminders stopped" in response.get_data(as_text=True)
    with app.extensions["db"].read() as session:
        assert session.get_one(Invitation, invitation_id).reminders_stopped is True
        assert session.get_one(Invitation, other_id).reminders_stopped is False
        kinds = {(m.invitation_id, m.kind): m.status for m in session.scalars(select(OutboxMessage))}
    assert kinds[(invitation_id, "reminder")] == "cancelled"
    assert kinds[(invitation_id, "invitation")] == "queued" and kinds[(other_id, "invitation")] == "queued"
    opened = client.get(f"/i/{token}")  # the form's own link still opens the form
    assert opened.status_code == 302 and opened.headers["Location"] == "/questionnaire/"


def test_stopping_needs_the_pages_csrf_token(app, client, stop_link) -> None:
    _invitation_id, _token, link = stop_link
    assert client.post(link, data={}).status_code in (200, 400)
    assert _invitations(app)[0].reminders_stopped is False
