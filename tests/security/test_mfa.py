"""Finding 4: a second factor for every doctor. TOTP enrolment, codes, recovery codes, replay.

Time is frozen with time-machine where a code's time step matters, so nothing here
depends on where in a 30-second step the test happens to run.
"""

from __future__ import annotations

import hashlib
import re

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from screening.models import AuditEvent, Doctor, RecoveryCode
from tests.doctor_fixtures import CSRF_INPUT, TOTP_SECRET, DoctorClient

EMAIL = "dr.who@clinic.example"
NOW = 1_800_000_015  # 15 s into a time step: the neighbouring steps are whole
TOTP = pyotp.TOTP(TOTP_SECRET)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _secret_on(page: str) -> str:
    match = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert match, "the setup key is shown as text"
    return match.group(1).replace(" ", "")


def _post_code(browser: DoctorClient, path: str, code: str):  # type: ignore[no-untyped-def]
    token = CSRF_INPUT.search(browser.get(path).get_data(as_text=True)).group(1)
    return browser.client.post(path, data={"csrf_token": token, "code": code})


def _last_step(app) -> int | None:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return session.scalar(select(Doctor.totp_last_step).where(Doctor.email == EMAIL))


def test_a_doctor_without_a_second_factor_enrols_before_anything_else(app, make_doctor, frozen):
    make_doctor(mfa=False)
    browser = DoctorClient(app.test_client())
    after_password = browser.login_password(EMAIL)
    assert after_password.headers["Location"] == "/doctor/login/enrol"
    for path in ("/doctor/", "/doctor/invitations", "/doctor/account/password"):  # nothing else is reachable
        assert browser.get(path).headers["Location"].startswith("/doctor/login"), path
    assert browser.get("/doctor/login/code").headers["Location"] == "/doctor/login/enrol"

    page = browser.get("/doctor/login/enrol").get_data(as_text=True)
    assert "<svg" in page and "QR code for your authenticator app" in page
    secret = _secret_on(page)
    assert len(secret) == 32

    wrong = _post_code(browser, "/doctor/login/enrol", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    assert _secret_on(wrong.get_data(as_text=True)) == secret  # the same secret until it is proved
    with app.extensions["db"].read() as session:
        assert session.scalar(select(Doctor.totp_secret)) is None

    done = _post_code(browser, "/doctor/login/enrol", pyotp.TOTP(secret).now())
    html = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([A-Z2-9-]{19})</code></li>", html)
    assert done.status_code == 200 and len(set(codes)) == 10
    assert browser.get("/doctor/").status_code == 200  # signed in, with the second factor
    with app.extensions["db"].read() as session:
        doctor = session.scalar(select(Doctor))
        stored = set(session.scalars(select(RecoveryCode.code_hash)))
        enrolled = session.scalars(select(AuditEvent).where(AuditEvent.action == "doctor.mfa_enrolled")).all()
    assert doctor.totp_secret == secret and doctor.totp_last_step == NOW // 30
    assert stored == {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert not any(code in stored for code in codes)
    assert len(enrolled) == 1


def test_enrolment_shows_nothing_without_a_right_password(app, make_doctor):
    make_doctor(mfa=False)
    browser = DoctorClient(app.test_client())
    assert browser.get("/doctor/login/enrol").headers["Location"] == "/doctor/login"
    assert browser.get("/doctor/login/code").headers["Location"] == "/doctor/login"


def test_sign_in_with_a_code_one_step_either_side(app, make_doctor, frozen):
    make_doctor()
    for offset in (-30, 0, 30):
        with app.extensions["db"].write() as session:
            session.scalar(select(Doctor)).totp_last_step = None
        browser = DoctorClient(app.test_client())
        assert browser.login_password(EMAIL).headers["Location"] == "/doctor/login/code"
        response = _post_code(browser, "/doctor/login/code", TOTP.at(NOW + offset))
        assert response.status_code == 302 and response.headers["Location"] == "/doctor/", offset
        assert browser.get("/doctor/").status_code == 200


@pytest.mark.parametrize("code", [TOTP.at(NOW - 60), TOTP.at(NOW + 60), "12345", "abcdef", "", "1234567"])
def test_codes_outside_the_window_or_malformed_are_refused(app, make_doctor, frozen, code):
    make_doctor()
    browser = DoctorClient(app.test_client())
    browser.login_password(EMAIL)
    response = _post_code(browser, "/doctor/login/code", code)
    assert response.status_code in (400, 401)
    assert browser.get("/doctor/").status_code == 302


def test_the_password_alone_signs_nobody_in(app, make_doctor, frozen):
    make_doctor()
    browser = DoctorClient(app.test_client())
    assert browser.login_password(EMAIL).status_code == 302
    for path in ("/doctor/", "/doctor/invitations", "/doctor/audit", "/doctor/accounts"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/doctor/login"), path
    with app.extensions["db"].read() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "doctor.login")).all()


def test_the_pending_step_ends_after_five_minutes(app, make_doctor, frozen):
    make_doctor()
    browser = DoctorClient(app.test_client())
    browser.login_password(EMAIL)
    frozen.shift(5 * 60 + 1)
    assert browser.get("/doctor/login/code").headers["Location"] == "/doctor/login"


def test_a_replayed_code_is_refused(app, make_doctor, frozen):
    make_doctor()
    code = TOTP.at(NOW)
    first = DoctorClient(app.test_client())
    first.login_password(EMAIL)
    assert _post_code(first, "/doctor/login/code", code).status_code == 302
    assert _last_step(app) == NOW // 30

    frozen.shift(20)  # still inside the code's window
    thief = DoctorClient(app.test_client())  # saw the code over the doctor's shoulder, knows the password
    thief.login_password(EMAIL, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    replay = _post_code(thief, "/doctor/login/code", code)
    assert replay.status_code == 401 and thief.get("/doctor/").status_code == 302
    # An earlier step than the one used is refused too; the next one is fine.
    assert _post_code(thief, "/doctor/login/code", TOTP.at(NOW - 30)).status_code == 401
    assert _post_code(thief, "/doctor/login/code", TOTP.at(NOW + 30)).status_code == 302


def test_a_recovery_code_works_once(app, make_doctor, frozen):
    from screening.doctor.mfa import replace_recovery_codes

    doctor_id = make_doctor()
    with app.extensions["db"].write() as session:
        codes = replace_recovery_codes(session, doctor_id)
    browser = DoctorClient(app.test_client())
    browser.login_password(EMAIL)
    used = _post_code(browser, "/doctor/login/code", codes[3].lower().replace("-", " "))
    assert used.status_code == 302
    assert "9 unused recovery codes left" in browser.get("/doctor/").get_data(as_text=True)
    browser.post("/doctor/logout")

    again = DoctorClient(app.test_client())
    again.login_password(EMAIL)
    assert _post_code(again, "/doctor/login/code", codes[3]).status_code == 401
    assert _post_code(again, "/doctor/login/code", codes[4]).status_code == 302


def test_without_require_mfa_a_doctor_without_a_factor_signs_in_with_the_password(app, make_doctor):
    app.config["REQUIRE_MFA"] = False  # development and tests only: production refuses REQUIRE_MFA=0
    make_doctor(mfa=False)
    browser = DoctorClient(app.test_client())
    assert browser.login_password(EMAIL).headers["Location"] == "/doctor/"
    assert browser.get("/doctor/").status_code == 200
    app.config["REQUIRE_MFA"] = True  # switched on: that session must sign in again, with a factor
    response = browser.get("/doctor/")
    assert response.status_code == 302 and response.headers["Location"] == "/doctor/login"


def test_an_enrolled_doctor_needs_the_code_even_without_require_mfa(app, make_doctor):
    app.config["REQUIRE_MFA"] = False
    make_doctor()
    assert DoctorClient(app.test_client()).login_password(EMAIL).headers["Location"] == "/doctor/login/code"


@pytest.mark.parametrize("value, starts", [("1", True), ("0", True), ("yes", False), ("", False), ("off", False)])
def test_require_mfa_is_exactly_1_or_0(tmp_path, value, starts):
    from screening.config import ConfigError, load_config

    environ = {"SECRET_KEY": "x" * 40, "REQUIRE_MFA": value}
    if starts:
        assert load_config(tmp_path, environ)["REQUIRE_MFA"] is (value == "1")
    else:
        with pytest.raises(ConfigError, match="REQUIRE_MFA"):
            load_config(tmp_path, environ)


def test_production_refuses_to_run_without_the_second_factor(tmp_path):
    from screening.config import ConfigError, load_config

    environ = {"SCREENING_ENV": "production", "SECRET_KEY": "x" * 40, "PUBLIC_BASE_URL": "https://clinic.example",
               "REQUIRE_MFA": "0"}
    with pytest.raises(ConfigError, match="REQUIRE_MFA"):
        load_config(tmp_path, environ)
    assert load_config(tmp_path, {**environ, "REQUIRE_MFA": "1"})["REQUIRE_MFA"] is True
