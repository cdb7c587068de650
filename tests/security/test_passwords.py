"""Finding 4: passwords. One policy everywhere a password is set; change and reset."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from screening.auth import HASHER
from screening.doctor.password_policy import password_problem
from screening.models import AuditEvent, Doctor
from tests.doctor_fixtures import PASSWORD, DoctorClient

EMAIL = "dr.who@clinic.example"
GOOD = "plum orbit kettle violin"


@pytest.mark.parametrize("password, refused_because", [
    ("aaaaaaaaaaaa", "one character repeated"),
    (" " * 12, "one character repeated"),
    ("short", "at least 12 characters"),
    ("elevenchars", "at least 12 characters"),
    ("Password1234", "Choose a harder password"),
    ("qwertyuiop12", "Choose a harder password"),
    ("123456789012", "Choose a harder password"),
    ("drwho-is-my-password", "email address's name"),
    ("dr.who.plum.orbit", "email address's name"),
    ("naltrexone12", "Choose a harder password"),
    ("correct horse battery staple", None),
    (GOOD, None),
    ("Tr0ub4dor&3-gallop", None),
    ("x" * 20 + "plum orbit kettle violin" * 4, None),  # longer than zxcvbn's 72: scored on the start
])
def test_password_policy(password, refused_because):
    problem = password_problem(password, EMAIL)
    if refused_because is None:
        assert problem is None
    else:
        assert problem is not None and refused_because in problem


def test_zxcvbn_feedback_is_the_message():
    problem = password_problem("Password1234", EMAIL)
    assert "similar to a commonly used password" in problem


def _cli(app, *args: str, text: str = ""):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=list(args), input=text)


def test_create_doctor_applies_the_policy_and_the_first_account_is_admin(app):
    weak = _cli(app, "create-doctor", "a@clinic.example", text="aaaaaaaaaaaa\naaaaaaaaaaaa\n")
    assert weak.exit_code != 0 and "one character repeated" in weak.output
    first = _cli(app, "create-doctor", "first@clinic.example", "--role", "clinician", text=f"{GOOD}\n{GOOD}\n")
    assert first.exit_code == 0 and "as admin (the first account is always an admin)" in first.output
    second = _cli(app, "create-doctor", "second@clinic.example", text=f"{GOOD}\n{GOOD}\n")
    third = _cli(app, "create-doctor", "third@clinic.example", "--role", "admin", text=f"{GOOD}\n{GOOD}\n")
    assert second.exit_code == third.exit_code == 0
    with app.extensions["db"].read() as session:
        roles = {email: role for email, role in session.execute(select(Doctor.email, Doctor.role))}
    assert roles == {"first@clinic.example": "admin", "second@clinic.example": "clinician",
                     "third@clinic.example": "admin"}
    assert _cli(app, "create-doctor", "x@clinic.example", "--role", "root", text=f"{GOOD}\n{GOOD}\n").exit_code == 2


def test_reset_password_prompts_applies_the_policy_ends_sessions_and_keeps_mfa(app, doctor):
    weak = _cli(app, "reset-password", EMAIL, text="Password1234\nPassword1234\n")
    assert weak.exit_code != 0 and "Choose a harder password" in weak.output
    assert doctor.get("/doctor/").status_code == 200  # a refused reset changes nothing

    done = _cli(app, "reset-password", "Dr.Who@Clinic.Example", text=f"{GOOD}\n{GOOD}\n")
    assert done.exit_code == 0, done.output
    assert "their sessions have ended" in done.output and "authenticator app stays set up" in done.output
    assert doctor.get("/doctor/").status_code == 302  # the old session is over
    with app.extensions["db"].read() as session:
        account = session.scalar(select(Doctor))
        reset = session.scalars(select(AuditEvent).where(AuditEvent.action == "doctor.password_reset")).all()
    assert HASHER.verify(account.password_hash, GOOD) and account.totp_secret is not None and len(reset) == 1
    browser = DoctorClient(app.test_client())
    assert browser.login(EMAIL, GOOD).status_code == 302 and browser.get("/doctor/").status_code == 200
    assert _cli(app, "reset-password", "nobody@clinic.example", text=f"{GOOD}\n{GOOD}\n").exit_code != 0


def test_reset_mfa_makes_the_doctor_enrol_again(app, doctor):
    assert _cli(app, "reset-mfa", EMAIL, "--yes").exit_code == 0
    assert doctor.get("/doctor/").status_code == 302
    browser = DoctorClient(app.test_client())
    assert browser.login_password(EMAIL).headers["Location"] == "/doctor/login/enrol"


def _change(browser: DoctorClient, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    return browser.post("/doctor/account/password", data={"current": current, "new": new,
                                                          "confirm": new if confirm is None else confirm})


def test_the_password_change_page(app, doctor, make_doctor):
    other_session = DoctorClient(app.test_client())
    assert other_session.login(EMAIL).status_code == 302
    assert "Change your password" in doctor.get("/doctor/account/password").get_data(as_text=True)

    wrong = _change(doctor, "not my password", GOOD)
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(as_text=True)
    mismatch = _change(doctor, PASSWORD, GOOD, confirm=GOOD + "x")
    assert mismatch.status_code == 400 and "not the same" in mismatch.get_data(as_text=True)
    weak = _change(doctor, PASSWORD, "aaaaaaaaaaaa")
    assert weak.status_code == 400 and "one character repeated" in weak.get_data(as_text=True)

    done = _change(doctor, PASSWORD, GOOD)
    assert done.status_code == 302 and done.headers["Location"] == "/doctor/"
    assert "Your password has been changed" in doctor.get("/doctor/").get_data(as_text=True)
    assert other_session.get("/doctor/").status_code == 302  # the other session ended
    with app.extensions["db"].read() as session:
        assert HASHER.verify(session.scalar(select(Doctor.password_hash)), GOOD)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "doctor.password_changed")).all()
    assert len(events) == 1 and GOOD not in str(events[0].details)
