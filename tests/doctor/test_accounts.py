"""Signing in and out: Argon2id, generic errors, sessions that really end, timeouts."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from screening.auth import HASHER
from screening.models import AuditEvent, Doctor
from tests.doctor_fixtures import PASSWORD, DoctorClient


def _events(app, action):
    with app.extensions["db"].read() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_login_leads_to_the_queue_and_is_audited(app, make_doctor):
    make_doctor()
    browser = DoctorClient(app.test_client())
    response = browser.login("Dr.Who@Clinic.Example")
    assert response.headers["Location"] == "/doctor/"
    assert "Submitted questionnaires" in browser.get("/doctor/").get_data(as_text=True)
    assert len(_events(app, "doctor.login")) == 1


def test_passwords_are_stored_as_argon2id(app, make_doctor):
    make_doctor()
    with app.extensions["db"].read() as session:
        stored = session.scalar(select(Doctor.password_hash))
    assert stored.startswith("$argon2id$")
    assert HASHER.verify(stored, PASSWORD)


@pytest.mark.parametrize("email, password", [
    ("dr.who@clinic.example", "wrong password here"),
    ("nobody@clinic.example", PASSWORD),
])
def test_wrong_credentials_get_one_generic_message(app, make_doctor, email, password):
    make_doctor()
    browser = DoctorClient(app.test_client())
    response = browser.login(email, password)
    assert response.status_code == 401
    assert "The email address or password is not right" in response.get_data(as_text=True)
    assert browser.get("/doctor/").status_code == 302
    failed = _events(app, "doctor.login_failed")
    exists = email == "dr.who@clinic.example"
    assert len(failed) == 1 and failed[0].details == {"account_exists": exists}  # nothing typed is kept
    assert (failed[0].target is not None) is exists


def test_disabled_accounts_cannot_sign_in(app, make_doctor):
    make_doctor(active=False)
    assert DoctorClient(app.test_client()).login("dr.who@clinic.example").status_code == 401


def test_logout_makes_a_copied_cookie_useless(app, doctor):
    stolen = doctor.client.get_cookie("session").value
    assert doctor.post("/doctor/logout").headers["Location"] == "/doctor/login"
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/doctor/")
    assert response.status_code == 302 and "/doctor/login" in response.headers["Location"]
    assert len(_events(app, "doctor.logout")) == 1


def test_login_issues_a_fresh_session(app, make_doctor):
    make_doctor()
    browser = DoctorClient(app.test_client())
    with browser.client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
    before = browser.client.get_cookie("session").value
    browser.login("dr.who@clinic.example")
    with browser.client.session_transaction() as session:
        assert "planted_by_attacker" not in session
    assert browser.client.get_cookie("session").value != before


@pytest.mark.parametrize("idle_seconds, signed_in", [(29 * 60, True), (31 * 60, False)])
def test_idle_timeout(doctor, monkeypatch, idle_seconds, signed_in):
    now = time.time()
    monkeypatch.setattr("screening.auth.time.time", lambda: now + idle_seconds)
    response = doctor.get("/doctor/")
    assert (response.status_code == 200) is signed_in


def test_activity_keeps_the_session_alive_until_the_absolute_timeout(doctor, monkeypatch):
    start = time.time()
    for hours in (0.4, 0.8, 1.2):
        monkeypatch.setattr("screening.auth.time.time", lambda h=hours: start + h * 3600)
        assert doctor.get("/doctor/").status_code == 200
    monkeypatch.setattr("screening.auth.time.time", lambda: start + 12 * 3600 + 1)
    assert doctor.get("/doctor/").status_code == 302


def test_timeouts_are_configurable(app, doctor, monkeypatch):
    from datetime import timedelta

    app.config["DOCTOR_IDLE_TIMEOUT"] = timedelta(minutes=5)
    now = time.time()
    monkeypatch.setattr("screening.auth.time.time", lambda: now + 6 * 60)
    assert doctor.get("/doctor/").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/doctor/audit", "/doctor/audit"),
    ("https://evil.example/phish", "/doctor/"),
    ("//evil.example/phish", "/doctor/"),
    ("/\\evil.example", "/doctor/"),
    ("javascript:alert(1)", "/doctor/"),
])
def test_no_open_redirect_after_login(app, make_doctor, target, expected):
    make_doctor()
    response = DoctorClient(app.test_client()).login("dr.who@clinic.example", next_url=target)
    assert response.headers["Location"] == expected


def test_create_list_and_disable_doctor_commands(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["create-doctor", "New@Clinic.Example"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert created.exit_code == 0, created.output
    listed = runner.invoke(args=["list-doctors"])
    assert "new@clinic.example\tactive\tadmin\tno-mfa" in listed.output  # the first account is an admin
    assert runner.invoke(args=["disable-doctor", "new@clinic.example"]).exit_code == 0
    assert "new@clinic.example\tdisabled" in runner.invoke(args=["list-doctors"]).output
    assert DoctorClient(app.test_client()).login("new@clinic.example").status_code == 401


def test_create_doctor_refuses_short_passwords_and_duplicates(app, make_doctor):
    make_doctor()
    runner = app.test_cli_runner()
    short = runner.invoke(args=["create-doctor", "a@b.example"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    duplicate = runner.invoke(args=["create-doctor", "dr.who@clinic.example"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert duplicate.exit_code != 0 and "already has an account" in duplicate.output


def test_disabling_ends_existing_sessions(app, doctor):
    app.test_cli_runner().invoke(args=["disable-doctor", "dr.who@clinic.example"])
    assert doctor.get("/doctor/").status_code == 302
