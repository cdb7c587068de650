"""Doctors create, list, revoke and re-issue patient invitations in the browser."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from screening.models import AuditEvent, Invitation
from tests.patient.pages import TYPICAL_PAGES
from tests.patient_client import PatientClient

LINK = re.compile(r'readonly value="http://localhost/i/([^"]+)"')


def _create(doctor, **fields) -> str:
    response = doctor.post("/doctor/invitations", {"patient_ref": "PT-INV", **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return LINK.search(response.get_data(as_text=True)).group(1)


def test_create_shows_a_working_link_once(app, doctor):
    token = _create(doctor, appointment_date=(date.today() + timedelta(days=5)).isoformat())
    listing = doctor.get("/doctor/invitations").get_data(as_text=True)
    assert token not in listing and "Not started" in listing
    patient = PatientClient(app.test_client(), token)
    assert patient.open_link().headers["Location"] == "/questionnaire/"


def test_default_expiry_is_the_day_after_the_appointment(app, doctor):
    appointment = date.today() + timedelta(days=5)
    _create(doctor, appointment_date=appointment.isoformat())
    with app.extensions["db"].read() as session:
        invitation = session.scalars(select(Invitation)).one()
    assert invitation.expires_at == datetime.combine(appointment + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    assert invitation.created_by_id is not None


def test_bad_patient_reference_is_explained(doctor):
    response = doctor.post("/doctor/invitations", {"patient_ref": "<script>"})
    assert response.status_code == 400
    assert "Use up to 64 letters" in response.get_data(as_text=True)


def test_expiry_in_the_past_is_refused(doctor):
    response = doctor.post("/doctor/invitations", {
        "patient_ref": "PT-1", "expires_on": (date.today() - timedelta(days=1)).isoformat()})
    assert "cannot expire in the past" in response.get_data(as_text=True)


def test_statuses(app, doctor, submit):
    _create(doctor)                                          # not started
    started = _create(doctor, patient_ref="PT-STARTED")
    patient = PatientClient(app.test_client(), started)
    patient.open_link()
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})  # in progress
    submit("PT-DONE")                                        # submitted
    with app.extensions["db"].write() as session:
        session.add(Invitation(token_hash="x" * 64, patient_ref="PT-OLD",
                               expires_at=datetime.now(UTC) - timedelta(days=1)))
    html = doctor.get("/doctor/invitations").get_data(as_text=True)
    for status in ("Not started", "In progress", "Submitted", "Expired"):
        assert status in html


def test_revoke_kills_the_link(app, doctor):
    token = _create(doctor)
    with app.extensions["db"].read() as session:
        invitation_id = session.scalar(select(Invitation.id))
    doctor.post(f"/doctor/invitations/{invitation_id}/revoke")
    assert app.test_client().get(f"/i/{token}").status_code == 404
    assert "Revoked" in doctor.get("/doctor/invitations").get_data(as_text=True)


def test_reissue_replaces_the_link_and_keeps_progress(app, doctor):
    old = _create(doctor)
    patient = PatientClient(app.test_client(), old)
    patient.open_link()
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})
    with app.extensions["db"].read() as session:
        invitation_id = session.scalar(select(Invitation.id))
    page = doctor.post(f"/doctor/invitations/{invitation_id}/reissue").get_data(as_text=True)
    new = LINK.search(page).group(1)
    assert app.test_client().get(f"/i/{old}").status_code == 404
    again = PatientClient(app.test_client(), new)
    assert again.open_link().headers["Location"] == "/questionnaire/resume"


def test_submitted_invitations_cannot_be_revoked(app, doctor, submit):
    submit("PT-DONE")
    with app.extensions["db"].read() as session:
        invitation_id = session.scalar(select(Invitation.id))
    assert doctor.post(f"/doctor/invitations/{invitation_id}/revoke").status_code == 409


def test_invitation_actions_are_audited(app, doctor):
    _create(doctor)
    with app.extensions["db"].read() as session:
        invitation_id = session.scalar(select(Invitation.id))
    doctor.post(f"/doctor/invitations/{invitation_id}/reissue")
    doctor.post(f"/doctor/invitations/{invitation_id}/revoke")
    with app.extensions["db"].read() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"invitation.created", "invitation.reissued", "invitation.revoked"} <= actions
