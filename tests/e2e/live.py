"""A real server and a real browser for the end-to-end tests and the docs screenshots.

The app is served in this process (werkzeug on 127.0.0.1, a free port, in a thread) on
a fresh SQLite file built by the real migrations, so nothing outside the test needs to be
started or stopped. The browser is Debian's Chromium (never a downloaded one).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from screening import create_app
from screening.auth import hash_password
from screening.invitations import create_invitation
from screening.migrations import upgrade
from screening.models import Doctor
from screening.operations.demo import BASE_ANSWERS
from screening.outbox.settings import MailSettings
from screening.patient.submission import create_submitted

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DOCTOR_EMAIL = "dr.e2e@clinic.example"
DOCTOR_PASSWORD = "a long and careful e2e password"
# The journeys' doctor has this TOTP secret enrolled; the browser types codes computed from it.
DOCTOR_TOTP_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if shutil.which(str(CHROMIUM)) is None:
        return f"browser tests skipped: {CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: the playwright package is not installed"
    return None


@dataclass
class LiveServer:
    """The app, served on a free local port, with helpers to seed what a journey needs."""

    app: Flask
    url: str
    _server: Any = field(repr=False)

    def make_link(self, patient_ref: str, appointment: date | None = None) -> str:
        with self.app.extensions["db"].write() as session:
            _invitation, token = create_invitation(session, patient_ref, appointment)
        return f"{self.url}/i/{token}"

    def add_doctor(self, email: str = DOCTOR_EMAIL, password: str = DOCTOR_PASSWORD, mfa: bool = True) -> None:
        """An admin account, with the second factor enrolled unless `mfa=False`."""
        with self.app.extensions["db"].write() as session:
            session.add(Doctor(email=email, password_hash=hash_password(password), session_version=0, role="admin",
                               totp_secret=DOCTOR_TOTP_SECRET if mfa else None))

    def next_code(self, email: str = DOCTOR_EMAIL, secret: str = DOCTOR_TOTP_SECRET) -> str:
        """A code the app will accept now: never one of a time step already used (replay is refused),
        waiting for the next step when both steps the window allows are used."""
        import pyotp

        from screening.doctor.mfa import STEP_SECONDS

        with self.app.extensions["db"].read() as session:
            last = session.scalar(select(Doctor.totp_last_step).where(Doctor.email == email))
        step = max(int(time.time()) // STEP_SECONDS, (last or 0) + 1)
        while step > int(time.time()) // STEP_SECONDS + 1:
            time.sleep(1)
        return pyotp.TOTP(secret).at(step * STEP_SECONDS)

    def add_submission(self, patient_ref: str, overrides: Mapping[str, Any], appointment_in_days: int = 7) -> int:
        """A submitted questionnaire, as if a patient had sent it an hour ago."""
        answers = {k: v for k, v in {**BASE_ANSWERS, **overrides}.items() if v is not None}
        with self.app.extensions["db"].write() as session:
            response = create_submitted(
                session, patient_ref, answers,
                appointment=date.today() + timedelta(days=appointment_in_days),
                questionnaire_version=self.app.extensions["questionnaire"].version,
                submitted_at=datetime.now(UTC) - timedelta(hours=1),
            )
            return response.id


class _QuietHandler(WSGIRequestHandler):
    """No line per request: a journey makes hundreds."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def live_server(tmp_dir: Path, clinic_name: str = "Riverside Clinic", **config: Any) -> Iterator[LiveServer]:
    database = tmp_dir / "e2e.sqlite3"
    upgrade(f"sqlite:///{database}")
    app = create_app({
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789abcdef",
        "DATABASE_URL": f"sqlite:///{database}",
        "CLINIC_NAME": clinic_name,
        "CRISIS_CONTACT": "If you are in danger now, call 999 (UK) or 911 (US). "
                          "In the US you can also call or text 988.",
        "SESSION_COOKIE_SECURE": False,
        "MAIL_URL": "",
        **config,
    })
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    # Links in emails start with the server's own address, as PUBLIC_BASE_URL does in production.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.extensions["mail"] = MailSettings.from_config(app.config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", _server=server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["db"].dispose()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
