"""Email addresses and the settings that reach message headers are attack surface: header
injection, over-long or control-character addresses, and the stop-reminders link, which
must be unguessable and open nothing but the stop page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from screening import create_app
from screening.config import ConfigError
from screening.models import Invitation, OutboxMessage
from screening.outbox.compose import stop_token
from tests.email.conftest import MAIL_CONFIG, invite  # noqa: F401  (a fixture)

HOSTILE_ADDRESSES = [
    "pat@example.org\r\nBcc: everyone@example.org",
    "pat@example.org\nSubject: changed",
    "pat@example.org%0d%0aBcc:x@example.org",
    "Pat <pat@example.org>",
    "pat@example.org, other@example.org",
    "p\x00t@example.org",
    "pat\t@example.org",
    "pat@exa\u202emple.org",
    "x" * 250 + "@example.org",
    "pat@" + "a" * 250 + ".org",
    "pät@example.org",
    '"pat"@example.org',
    "pat@[127.0.0.1]",
    "pat@localhost",
    "not an address",
    "",
]


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = create_app({**MAIL_CONFIG, "DATABASE_URL": database_url})
    yield application
    application.extensions["db"].dispose()


def _state(app: Flask) -> tuple[list[str | None], int]:
    with app.extensions["db"].read() as session:
        emails = list(session.scalars(select(Invitation.email)))
        messages = len(session.scalars(select(OutboxMessage.id)).all())
    return emails, messages


@pytest.mark.parametrize("typed", [a for a in HOSTILE_ADDRESSES if a], ids=range(len(HOSTILE_ADDRESSES) - 1))
def test_the_doctors_form_refuses_a_hostile_address_and_stores_nothing(app, doctor, typed) -> None:
    response = doctor.post("/doctor/invitations", {"patient_ref": "P-SEC", "email": typed})
    assert response.status_code == 400
    assert "Enter an email address like name@example.com" in response.get_data(as_text=True)
    assert _state(app) == ([], 0)


@pytest.mark.parametrize("typed", [a for a in HOSTILE_ADDRESSES if a], ids=range(len(HOSTILE_ADDRESSES) - 1))
def test_the_command_line_refuses_a_hostile_address_and_stores_nothing(app, typed) -> None:
    result = app.test_cli_runner().invoke(args=["invite", "--patient", "P-SEC", "--email", typed])
    assert result.exit_code == 2 and "Enter an email address" in result.output
    assert _state(app) == ([], 0)


@pytest.mark.parametrize("patient_ref", ["P-1\r\nBcc: x@example.org", "P-1\nSubject: x", "P-1\x00"])
def test_a_patient_reference_cannot_carry_a_header_either(app, doctor, patient_ref) -> None:
    response = doctor.post("/doctor/invitations", {"patient_ref": patient_ref, "email": "pat@example.org"})
    assert response.status_code == 400 and _state(app) == ([], 0)


@pytest.mark.parametrize(("setting", "value"), [
    ("CLINIC_NAME", "Riverside\r\nBcc: everyone@example.org"),
    ("MAIL_FROM", "Riverside <forms@clinic.example>\r\nBcc: everyone@example.org"),
    ("MAIL_FROM", "no address at all"),
    ("MAIL_URL", "http://smtp.example.org"),
    ("MAIL_URL", "smtp://smtp.example.org:99999"),
    ("QUIET_HOURS", "late"),
    ("CLINIC_TIMEZONE", "Mars/Olympus"),
    ("REMINDER_DAYS_AFTER_INVITATION", "-1"),
])
def test_mail_settings_that_could_break_a_header_or_a_schedule_stop_the_start(database_url, setting, value) -> None:
    with pytest.raises(ConfigError, match=setting):
        create_app({**MAIL_CONFIG, "DATABASE_URL": database_url, setting: value})


@pytest.fixture
def links(app, invite) -> tuple[int, str, str, int]:  # noqa: F811
    invitation_id, token = invite()
    other_id, _other = invite(patient_ref="P-OTHER")
    with app.extensions["db"].read() as session:
        good = stop_token(session.get_one(Invitation, invitation_id), app.extensions["mail"].link_key)
    return invitation_id, token, good, other_id


@pytest.mark.parametrize("tamper", [
    "wrong token", "another invitation", "short", "long", "upper case", "patient link as stop token",
    "unknown invitation",
])
def test_a_stop_link_is_unguessable_and_one_purpose(app, client, links, tamper) -> None:
    invitation_id, token, good, other_id = links
    path = {
        "wrong token": f"/reminders/stop/{invitation_id}/{'0' * 64}",
        "another invitation": f"/reminders/stop/{other_id}/{good}",
        "short": f"/reminders/stop/{invitation_id}/{good[:32]}",
        "long": f"/reminders/stop/{invitation_id}/{good}00",
        "upper case": f"/reminders/stop/{invitation_id}/{good.upper()}",
        "patient link as stop token": f"/reminders/stop/{invitation_id}/{token}",
        "unknown invitation": f"/reminders/stop/999999/{good}",
    }[tamper]
    assert client.get(path).status_code == 404
    assert client.post(path, data={}).status_code in (400, 404)
    with app.extensions["db"].read() as session:
        assert not any(session.scalars(select(Invitation.reminders_stopped)))


def test_a_stop_token_opens_no_form(client, links) -> None:
    _invitation_id, _token, good, _other = links
    response = client.get(f"/i/{good}")
    assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)


def test_a_reissued_link_changes_the_stop_token(app, links) -> None:
    from screening.invitations import reissue

    invitation_id, _token, good, _other = links
    with app.extensions["db"].write() as session:
        invitation = session.get_one(Invitation, invitation_id)
        reissue(invitation, key=app.extensions["mail"].link_key)
        assert stop_token(invitation, app.extensions["mail"].link_key) != good
