"""Doctor accounts: Argon2id passwords, sessions that really end, idle and absolute timeouts.

The session cookie carries the doctor's `session_version`; logout bumps it in the
database, so a copied cookie stops working the moment its owner logs out. Login clears
and re-issues the session, so a session fixed before login is worthless after it.

Signing in has two steps. A right password only makes the session *pending* (for five
minutes, on a fresh session): it names the doctor but signs nothing in. The second factor
(`screening.doctor.mfa`), or enrolling one, completes it; only then is the doctor signed
in (`start_session`). With `REQUIRE_MFA` off (development and tests that say so) a doctor
without a second factor is signed in after the password.

`auth_at` records when the doctor last proved who they are (sign-in or the re-auth
page); `recently_authenticated` is what `reauth_required` asks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from flask import session as browser_session
from flask_login import LoginManager, UserMixin, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from .extensions import db
from .models import Doctor, utcnow

# OWASP's Password Storage Cheat Sheet configuration for Argon2id (m=19 MiB, t=2, p=1):
# about 50 ms here, so a burst of logins cannot starve a 2-core server, while each guess
# still costs an attacker 19 MiB of memory.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this for unknown accounts makes their timing match real ones.
_DUMMY_HASH = HASHER.hash("not-a-real-password-used-only-for-timing")
MIN_PASSWORD_LENGTH = 12

login_manager = LoginManager()
login_manager.login_view = "doctor.login"
login_manager.login_message = "Please sign in to see this page."
login_manager.session_protection = None  # our session_version check is stricter


@dataclass(frozen=True)
class DoctorUser(UserMixin):  # type: ignore[misc]  # flask-login ships no types: UserMixin is Any
    """The signed-in doctor as the request sees it (no live database object)."""

    id: int
    email: str
    role: str = "clinician"

    def get_id(self) -> str:
        return str(self.id)


class PasswordPolicyError(ValueError):
    pass


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long")
    return HASHER.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_credentials(session: Session, email: str, password: str) -> Doctor | None:
    """The active doctor with these credentials, or None; unknown emails cost the same time."""
    doctor = find_doctor(session, email)
    stored = doctor.password_hash if doctor is not None else _DUMMY_HASH
    try:
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if doctor is None or not doctor.active:
        return None
    if HASHER.check_needs_rehash(doctor.password_hash):
        doctor.password_hash = HASHER.hash(password)
    return doctor


def find_doctor(session: Session, email: str) -> Doctor | None:
    return session.scalar(select(Doctor).where(Doctor.email == normalise_email(email)))


PENDING_SECONDS = 5 * 60
REAUTH_SECONDS = 10 * 60


def begin_pending(doctor: Doctor, next_url: str) -> None:
    """The password was right: a fresh session that waits for the second factor."""
    browser_session.clear()
    browser_session["pending_doctor"] = doctor.id
    browser_session["pending_sv"] = doctor.session_version
    browser_session["pending_at"] = time.time()
    browser_session["pending_next"] = next_url


def pending_doctor(session: Session) -> Doctor | None:
    """The active doctor whose password was just accepted, while the five minutes last."""
    doctor_id = browser_session.get("pending_doctor")
    started = float(browser_session.get("pending_at", 0))
    if not isinstance(doctor_id, int) or time.time() - started > PENDING_SECONDS:
        return None
    doctor = session.get(Doctor, doctor_id)
    if doctor is None or not doctor.active or doctor.session_version != browser_session.get("pending_sv"):
        return None
    return doctor


def password_matches(doctor: Doctor, password: str) -> bool:
    """The re-auth page's check: this doctor's password, in Argon2's constant time."""
    try:
        return bool(HASHER.verify(doctor.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def start_session(doctor: Doctor, second_factor: bool) -> str:
    """Log in on a brand-new session (prevents fixation), stamped for the timeouts.

    Returns where to go next (the page the doctor asked for before signing in).
    """
    next_url = str(browser_session.get("pending_next") or "")
    browser_session.clear()
    login_user(DoctorUser(doctor.id, doctor.email, doctor.role))
    now = time.time()
    browser_session["doctor_sv"] = doctor.session_version
    browser_session["login_at"] = now
    browser_session["seen_at"] = now
    browser_session["auth_at"] = now
    browser_session["mfa"] = second_factor
    browser_session.permanent = True
    doctor.last_login_at = utcnow()
    return next_url


def mark_authenticated() -> None:
    """The doctor proved who they are again (the re-auth page)."""
    browser_session["auth_at"] = time.time()


def recently_authenticated() -> bool:
    return time.time() - float(browser_session.get("auth_at", 0)) <= REAUTH_SECONDS


def end_session(session: Session, doctor_id: int) -> None:
    """Log out everywhere: bump the version every existing cookie carries."""
    doctor = session.get(Doctor, doctor_id)
    if doctor is not None:
        doctor.session_version += 1
    logout_user()
    browser_session.clear()


def session_expired() -> str | None:
    """Why the doctor's session has timed out, or None if it is still fresh."""
    now = time.time()
    idle = current_app.config["DOCTOR_IDLE_TIMEOUT"]
    absolute = current_app.config["DOCTOR_ABSOLUTE_TIMEOUT"]
    if now - float(browser_session.get("login_at", 0)) > absolute.total_seconds():
        return "absolute"
    if now - float(browser_session.get("seen_at", 0)) > idle.total_seconds():
        return "idle"
    browser_session["seen_at"] = now
    return None


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    app.config.setdefault("DOCTOR_IDLE_TIMEOUT", timedelta(minutes=30))
    app.config.setdefault("DOCTOR_ABSOLUTE_TIMEOUT", timedelta(hours=12))
    app.config.setdefault("REQUIRE_MFA", True)
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["DOCTOR_ABSOLUTE_TIMEOUT"]

    def load_user(user_id: str) -> DoctorUser | None:
        if not user_id.isdigit():
            return None
        with db().read() as session:
            doctor = session.get(Doctor, int(user_id))
            if doctor is None or not doctor.active or browser_session.get("doctor_sv") != doctor.session_version:
                return None
            return DoctorUser(doctor.id, doctor.email, doctor.role)

    login_manager.user_loader(load_user)  # called, not decorated: flask-login ships no types
