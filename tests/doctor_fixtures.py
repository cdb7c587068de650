"""Doctor-side fixtures (imported by tests/conftest.py): accounts, a signed-in browser, submissions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, update
from werkzeug.test import TestResponse

from screening.auth import hash_password
from screening.models import Doctor
from screening.patient.submission import create_submitted

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
# Every fixture doctor has this TOTP secret enrolled: the suite signs in through the real
# second step (REQUIRE_MFA stays on), computing codes as an authenticator app would.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# A complete, unremarkable set of answers; each test changes only what it is about.
CLEAN_ANSWERS: dict[str, Any] = {
    "date_of_birth": "1975-08-30", "sex_at_birth": "female", "pregnant": "no",
    "trying_to_conceive": "no", "breastfeeding": "no", "conditions": ["fibromyalgia"],
    "takes_medications": "no", "opioid_recent": "no", "opioid_treatment": "never",
    "kratom_tianeptine": "never", "illicit_opioid_12m": "no", "opioid_use_disorder": "no",
    "loperamide_use": "never", "surgery_planned": "no", "expects_opioid_pain_relief": "no",
    "liver_conditions": ["none"], "liver_symptoms_now": ["none"], "liver_test_when": "within_12_months",
    "liver_test_abnormal": "no", "audit_c_frequency": "never", "thyroid_conditions": ["none"],
    "kidney_disease": "none", "transplant": "no", "immunosuppressants": "no",
    "naltrexone_reaction": "none", "current_antagonist": ["none"],
    "phq1_interest": 0, "phq2_down": 0, "phq3_sleep": 1, "phq4_tired": 1, "phq5_appetite": 0,
    "phq6_failure": 0, "phq7_concentration": 0, "phq8_movement": 0, "phq9_self_harm": 0,
    "gad1_nervous": 0, "gad2_worry": 0, "suicide_attempt_history": "no", "consent_share": "yes",
}


def statements_during(app: Any, call: Callable[[], Any]) -> list[str]:
    """The SQL statements the app's engine runs while `call` runs (to prove there is no N+1)."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    engine = app.extensions["db"].engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


class DoctorClient:
    """A doctor's browser: signs in through the real form and keeps its CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self) -> str:
        html = self.client.get("/doctor/login").get_data(as_text=True)
        match = CSRF_INPUT.search(html)
        assert match
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD, next_url: str | None = None) -> TestResponse:
        """Password, then the code page with a fresh TOTP code: the response of the last step."""
        response = self.login_password(email, password, next_url)
        if response.status_code != 302 or not response.headers["Location"].startswith("/doctor/login/code"):
            return response
        return self.enter_code(pyotp.TOTP(TOTP_SECRET).now(), email=email)

    def login_password(self, email: str, password: str = PASSWORD, next_url: str | None = None,
                       **kwargs: Any) -> TestResponse:
        path = "/doctor/login" + (f"?next={next_url}" if next_url else "")
        return self.client.post(path, data={"csrf_token": self.csrf(), "email": email, "password": password},
                                **kwargs)

    def enter_code(self, code: str, email: str | None = None, **kwargs: Any) -> TestResponse:
        """The second step. With `email`, the account's last used time step is forgotten first,
        as if 30 seconds had passed since its previous sign-in (tests sign in more often)."""
        if email is not None:
            with self.client.application.extensions["db"].write() as session:
                session.execute(update(Doctor).where(Doctor.email == email.strip().lower()).values(totp_last_step=None))
        page = self.client.get("/doctor/login/code", **kwargs).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, "not on the code page"
        return self.client.post("/doctor/login/code", data={"csrf_token": match.group(1), "code": code}, **kwargs)

    def csrf_from(self, path: str, **kwargs: Any) -> str:
        match = CSRF_INPUT.search(self.client.get(path, **kwargs).get_data(as_text=True))
        assert match, f"no form on {path}"
        return match.group(1)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None) -> TestResponse:
        token = CSRF_INPUT.search(self.client.get("/doctor/invitations").get_data(as_text=True))
        assert token, "not signed in"
        return self.client.post(path, data={"csrf_token": token.group(1), **(data or {})})


_HASHED: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    """Argon2 costs ~50 ms a hash: one per password for the whole run (a fresh salt is not the point here)."""
    if password not in _HASHED:
        _HASHED[password] = hash_password(password)
    return _HASHED[password]


@pytest.fixture
def make_doctor(app):  # type: ignore[no-untyped-def]
    """Adds an account with the second factor enrolled (`mfa=False`: without one)."""

    def make(email: str = "dr.who@clinic.example", active: bool = True, role: str = "admin",
             mfa: bool = True) -> int:
        with app.extensions["db"].write() as session:
            doctor = Doctor(email=email, password_hash=password_hash(), active=active, session_version=0, role=role,
                            totp_secret=TOTP_SECRET if mfa else None)
            session.add(doctor)
            session.flush()
            return doctor.id

    return make


@pytest.fixture
def doctor(app, make_doctor) -> DoctorClient:  # type: ignore[no-untyped-def]
    """A signed-in doctor with the admin role (who may open every page), through both steps."""
    make_doctor()
    browser = DoctorClient(app.test_client())
    assert browser.login("dr.who@clinic.example").status_code == 302
    return browser


@pytest.fixture
def clinician(app, make_doctor) -> DoctorClient:  # type: ignore[no-untyped-def]
    """A signed-in doctor with the clinician role."""
    make_doctor("clinician@clinic.example", role="clinician")
    browser = DoctorClient(app.test_client())
    assert browser.login("clinician@clinic.example").status_code == 302
    return browser


@pytest.fixture
def submit(app):  # type: ignore[no-untyped-def]
    """Stores a submitted questionnaire: CLEAN_ANSWERS with `changes` (None removes an answer)."""

    def make(patient_ref: str = "P-1", changes: dict[str, Any] | None = None,
             appointment: date | None = None) -> int:
        answers = {k: v for k, v in {**CLEAN_ANSWERS, **(changes or {})}.items() if v is not None}
        with app.extensions["db"].write() as session:
            response = create_submitted(
                session, patient_ref, answers,
                appointment=appointment or date.today() + timedelta(days=7),
                questionnaire_version=app.extensions["questionnaire"].version,
            )
            return response.id

    return make
