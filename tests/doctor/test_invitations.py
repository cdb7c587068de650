"""Doctors create, list, revoke and re-issue patient invitations in the browser."""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from screening.models import AuditEvent, Invitation
from tests.doctor_fixtures import CSRF_INPUT
from tests.patient.pages import TYPICAL_PAGES
from tests.patient_client import PatientClient

LINK = re.compile(r'readonly value="http://localhost/i/([^"]+)"')
APPOINTMENT = date.today() + timedelta(days=40)
CONFIRM_BUTTON = "Create another invitation anyway"


def _create(doctor, **fields) -> str:
    response = doctor.post("/doctor/invitations", {"patient_ref": "PT-INV", **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return LINK.search(response.get_data(as_text=True)).group(1)


def _text(response) -> str:
    """The page's words, entities decoded and white space collapsed (sentences span lines)."""
    return re.sub(r"\s+", " ", html_module.unescape(response.get_data(as_text=True)))


def _day(day: date | datetime) -> str:
    return f"{day.day} {day:%b %Y}"


def _invitations(app) -> list[Invitation]:
    with app.extensions["db"].read() as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))


def _invitation_id(app) -> int:
    with app.extensions["db"].read() as session:
        return int(session.scalars(select(Invitation.id)).one())


def _set_status(app, status: str) -> None:
    with app.extensions["db"].write() as session:
        session.scalars(select(Invitation)).one().status = status


def _revoke_from_the_confirmation_page(doctor, invitation_id: int):  # type: ignore[no-untyped-def]
    """What the browser does: open the confirmation page, press "Yes, revoke this link"."""
    token = doctor.csrf_from(f"/doctor/invitations/{invitation_id}/revoke")
    return doctor.client.post(f"/doctor/invitations/{invitation_id}/revoke", data={"csrf_token": token})


def _revocations(app) -> int:
    with app.extensions["db"].read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "invitation.revoked")) or 0)


# --- creating ------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("days_ago", [1, 365])
def test_past_appointment_date_is_refused_with_a_message(app, doctor, days_ago):
    response = doctor.post("/doctor/invitations", {
        "patient_ref": "PT-1", "appointment_date": (date.today() - timedelta(days=days_ago)).isoformat()})
    assert response.status_code == 400
    assert "The appointment date is in the past" in response.get_data(as_text=True)
    assert _invitations(app) == []


# --- a patient reference that already has an open invitation -------------------------------------


@pytest.mark.parametrize("entered", ["P-1234", "p-1234", "P-1234 "])
def test_a_duplicate_open_reference_is_warned_about_and_nothing_is_created(app, doctor, entered):
    _create(doctor, patient_ref="P-1234", appointment_date=APPOINTMENT.isoformat())
    response = doctor.post("/doctor/invitations", {"patient_ref": entered})
    assert response.status_code == 200
    created = _invitations(app)[0].created_at
    assert (f"P-1234 already has an open invitation, created {_day(created)}, appointment {_day(APPOINTMENT)}. "
            "Create another one anyway?") in _text(response)
    assert CONFIRM_BUTTON in _text(response)
    assert len(_invitations(app)) == 1


def test_the_warning_keeps_everything_entered(doctor):
    _create(doctor, patient_ref="P-1234")
    expires = (APPOINTMENT + timedelta(days=3)).isoformat()
    html = doctor.post("/doctor/invitations", {
        "patient_ref": "P-1234", "appointment_date": APPOINTMENT.isoformat(), "expires_on": expires,
    }).get_data(as_text=True)
    for value in ("P-1234", APPOINTMENT.isoformat(), expires):
        assert f'value="{value}"' in html, value


def test_the_warning_says_when_the_open_invitation_has_no_appointment(doctor):
    _create(doctor, patient_ref="P-1234")
    assert ", no appointment date. Create another one anyway?" in _text(
        doctor.post("/doctor/invitations", {"patient_ref": "P-1234"}))


def test_confirming_creates_another_invitation(app, doctor):
    _create(doctor, patient_ref="P-1234")
    response = doctor.post("/doctor/invitations", {"patient_ref": "p-1234", "confirm_duplicate": "P-1234"})
    assert response.status_code == 201 and LINK.search(response.get_data(as_text=True))
    assert [(i.patient_ref, i.status) for i in _invitations(app)] == [("P-1234", "active"), ("p-1234", "active")]


def test_a_confirmation_holds_only_for_the_reference_it_was_given_for(app, doctor):
    _create(doctor, patient_ref="P-1234")
    response = doctor.post("/doctor/invitations", {"patient_ref": "P-1234", "confirm_duplicate": "P-9999"})
    assert response.status_code == 200 and "already has an open invitation" in _text(response)
    assert len(_invitations(app)) == 1


def test_several_open_invitations_are_counted(doctor):
    _create(doctor, patient_ref="P-1234")
    _create(doctor, patient_ref="P-1234", confirm_duplicate="P-1234")
    assert "P-1234 already has 2 open invitations, the newest created" in _text(
        doctor.post("/doctor/invitations", {"patient_ref": "P-1234"}))


def _not_started(app, doctor, submit) -> None:
    _create(doctor, patient_ref="P-1234")


def _in_progress(app, doctor, submit) -> None:
    patient = PatientClient(app.test_client(), _create(doctor, patient_ref="P-1234"))
    patient.open_link()
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})


def _submitted(app, doctor, submit) -> None:
    submit("P-1234")


def _revoked(app, doctor, submit) -> None:
    _create(doctor, patient_ref="P-1234")
    _set_status(app, "revoked")


def _expired(app, doctor, submit) -> None:
    with app.extensions["db"].write() as session:
        session.add(Invitation(token_hash="x" * 64, patient_ref="P-1234",
                               expires_at=datetime.now(UTC) - timedelta(minutes=1)))


@pytest.mark.parametrize("earlier, warned", [
    (_not_started, True), (_in_progress, True), (_submitted, False), (_revoked, False), (_expired, False),
], ids=lambda value: value.__name__.strip("_") if callable(value) else None)
def test_only_an_open_earlier_invitation_triggers_the_warning(app, doctor, submit, earlier, warned):
    earlier(app, doctor, submit)
    response = doctor.post("/doctor/invitations", {"patient_ref": "P-1234"})
    assert response.status_code == (200 if warned else 201)
    assert ("already has an open invitation" in _text(response)) is warned
    assert len(_invitations(app)) == (1 if warned else 2)


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


# --- revoking: a confirmation page, then a POST ----------------------------------------------------


def test_the_list_links_to_the_confirmation_page_instead_of_revoking(app, doctor):
    _create(doctor)
    html = doctor.get("/doctor/invitations").get_data(as_text=True)
    path = f"/doctor/invitations/{_invitation_id(app)}/revoke"
    assert f'href="{path}"' in html and f'action="{path}"' not in html


def test_the_confirmation_page_names_the_invitation_and_revokes_nothing(app, doctor):
    token = _create(doctor, patient_ref="P-1234", appointment_date=APPOINTMENT.isoformat())
    response = doctor.get(f"/doctor/invitations/{_invitation_id(app)}/revoke")
    text = _text(response)
    assert response.status_code == 200
    for words in ("Revoke the link for P-1234?", _day(APPOINTMENT), "stops working at once",
                  '"This link is not valid"', "You cannot undo this", "Yes, revoke this link", "No, go back"):
        assert words in text, words
    assert CSRF_INPUT.search(response.get_data(as_text=True))
    assert _invitations(app)[0].status == "active" and _revocations(app) == 0
    assert PatientClient(app.test_client(), token).open_link().status_code == 302


def test_yes_revokes_and_kills_the_link(app, doctor):
    token = _create(doctor)
    response = _revoke_from_the_confirmation_page(doctor, _invitation_id(app))
    assert response.status_code == 200 and "Invitation for PT-INV revoked" in _text(response)
    assert app.test_client().get(f"/i/{token}").status_code == 404
    assert "Revoked" in doctor.get("/doctor/invitations").get_data(as_text=True)
    assert _revocations(app) == 1


@pytest.mark.parametrize("csrf_token", [None, "not-a-token"])
def test_revoking_needs_the_csrf_token(app, doctor, csrf_token):
    _create(doctor)
    data = {} if csrf_token is None else {"csrf_token": csrf_token}
    response = doctor.client.post(f"/doctor/invitations/{_invitation_id(app)}/revoke", data=data)
    assert response.status_code == 400
    assert _invitations(app)[0].status == "active" and _revocations(app) == 0


def test_revoking_twice_says_so_and_changes_nothing(app, doctor):
    _create(doctor)
    invitation_id = _invitation_id(app)
    path = f"/doctor/invitations/{invitation_id}/revoke"
    token = doctor.csrf_from(path)  # both presses come from the same confirmation page
    assert doctor.client.post(path, data={"csrf_token": token}).status_code == 200
    issue = _invitations(app)[0].issue
    again = doctor.client.post(path, data={"csrf_token": token})
    assert again.status_code == 409 and "The link for PT-INV is already revoked" in _text(again)
    assert _invitations(app)[0].issue == issue and _revocations(app) == 1


@pytest.mark.parametrize("state, words", [
    ("revoked", "The link for PT-INV is already revoked"),
    ("submitted", "PT-INV has already sent their answers"),
])
def test_the_confirmation_page_of_an_unrevocable_invitation_explains_why(app, doctor, submit, state, words):
    if state == "submitted":
        submit("PT-INV")
    else:
        _create(doctor)
        _set_status(app, "revoked")
    response = doctor.get(f"/doctor/invitations/{_invitation_id(app)}/revoke")
    assert response.status_code == 200 and words in _text(response)
    assert "Yes, revoke this link" not in _text(response)


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_submitted_invitations_can_be_neither_revoked_nor_reissued(app, doctor, submit, action):
    response_id = submit("PT-DONE")
    response = doctor.post(f"/doctor/invitations/{_invitation_id(app)}/{action}")
    assert response.status_code == 409
    assert "PT-DONE has already sent their answers" in _text(response)
    assert f'href="/doctor/submissions/{response_id}"' in response.get_data(as_text=True)


def test_an_unknown_invitation_has_no_confirmation_page(doctor):
    assert doctor.get("/doctor/invitations/99/revoke").status_code == 404


# --- re-issuing, auditing ---------------------------------------------------------------------------


def test_reissue_replaces_the_link_and_keeps_progress(app, doctor):
    old = _create(doctor)
    patient = PatientClient(app.test_client(), old)
    patient.open_link()
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})
    page = doctor.post(f"/doctor/invitations/{_invitation_id(app)}/reissue").get_data(as_text=True)
    new = LINK.search(page).group(1)
    assert app.test_client().get(f"/i/{old}").status_code == 404
    again = PatientClient(app.test_client(), new)
    assert again.open_link().headers["Location"] == "/questionnaire/resume"


def test_invitation_actions_are_audited(app, doctor):
    _create(doctor)
    invitation_id = _invitation_id(app)
    doctor.post(f"/doctor/invitations/{invitation_id}/reissue")
    _revoke_from_the_confirmation_page(doctor, invitation_id)
    with app.extensions["db"].read() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"invitation.created", "invitation.reissued", "invitation.revoked"} <= actions
