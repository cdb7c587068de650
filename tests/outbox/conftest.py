"""Fixtures for the outbox: a real SMTP server on loopback, an app that mails through it,
messages in the queue, and sender processes (`flask outbox send | work`) to run and kill."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select

from screening import create_app
from screening.invitations import create_invitation
from screening.models import OutboxMessage
from screening.outbox import sender
from screening.outbox.queue import enqueue
from tests.outbox import composer
from tests.outbox.smtp_server import SmtpServer, smtp_server  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # the `app` fixture's
APP_CONFIG = {"TESTING": True, "SECRET_KEY": SECRET_KEY, "CLINIC_NAME": "Test Clinic",
              "CRISIS_CONTACT": "Call 999 or the test crisis line on 0800 000 000."}
MAIL_FROM = "Test Clinic <screening@clinic.test>"
DOMAIN = "clinic.test"


def address(number: int) -> str:
    return f"patient{number}@example.test"


def mail_config(url: str) -> dict[str, str]:
    return {"MAIL_URL": url, "MAIL_FROM": MAIL_FROM, "PUBLIC_BASE_URL": "https://screening.clinic.test",
            "REMINDER_DAYS_AFTER_INVITATION": "0", "REMINDER_DAYS_BEFORE_APPOINTMENT": "0"}


@pytest.fixture
def make_mail_app(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Flask]]:
    """Apps on this test's database that mail through `url`, with the test composer in place."""
    made: list[Flask] = []

    def make(url: str) -> Flask:
        application = create_app({**APP_CONFIG, "DATABASE_URL": database_url, **mail_config(url)})
        made.append(application)
        return application

    monkeypatch.setattr(sender, "compose", composer.compose)
    yield make
    for application in made:
        application.extensions["db"].dispose()


@pytest.fixture
def mail_app(make_mail_app: Callable[[str], Flask], smtp_server: SmtpServer) -> Flask:  # noqa: F811
    """The app with MAIL_URL pointing at the test server."""
    return make_mail_app(smtp_server.url)


QueueMessages = Callable[..., list[int]]


@pytest.fixture
def queue_messages(app: Flask) -> QueueMessages:
    """Queues `count` messages (one invitation each); returns their row ids, oldest first."""

    def queue(count: int = 1, *, slot: str = "message", not_before: datetime | None = None) -> list[int]:
        ids = []
        with app.extensions["db"].write() as session:
            for number in range(count):
                invitation, _token = create_invitation(session, f"P-{number}", None, email=address(number))
                row = enqueue(session, "invitation", slot, invitation.id, domain=DOMAIN, not_before=not_before)
                assert row is not None
                session.flush()
                ids.append(row.id)
        return ids

    return queue


def outbox_rows(app: Flask) -> dict[int, OutboxMessage]:
    with app.extensions["db"].read() as session:
        return {row.id: row for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def outbox(app: Flask, *args: str) -> Result:
    """`flask outbox …` in this process (time_machine reaches it)."""
    return app.test_cli_runner().invoke(args=["outbox", *args], catch_exceptions=False)


@pytest.fixture
def start_flask(database_url: str, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts `flask --app tests.outbox.app:create …` as its own process, on this test's database."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, mail_url: str = "", app: str = "tests.outbox.app:create") -> subprocess.Popen[str]:
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "INSTANCE_PATH": str(tmp_path),
               "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **mail_config(mail_url)}
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", app, *args], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
