"""Shared fixtures: an app on a fresh database per test, and a patient with a link.

The schema is built once per session by the real Alembic migrations into a template
SQLite file; each test gets its own copy, so tests are isolated and fast.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening import create_app
from screening.invitations import create_invitation
from screening.migrations import upgrade
from tests.patient_client import PatientClient


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def app(tmp_path: Path, template_db: Path) -> Iterator[Flask]:
    db_path = tmp_path / "test.sqlite3"
    shutil.copy(template_db, db_path)
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "CRISIS_CONTACT": "Call 999 or the test crisis line on 0800 000 000.",
        "CLINIC_NAME": "Test Clinic",
    })
    yield application
    application.extensions["db"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_link(app: Flask):  # type: ignore[no-untyped-def]
    """Creates an invitation and returns its token."""

    def make(patient_ref: str = "P-001", appointment: date | None = None, **kwargs) -> str:  # type: ignore[no-untyped-def]
        with app.extensions["db"].write() as session:
            _invitation, token = create_invitation(session, patient_ref, appointment, **kwargs)
        return token

    return make


@pytest.fixture
def patient(app: Flask, make_link) -> PatientClient:  # type: ignore[no-untyped-def]
    """A patient who has opened a fresh link."""
    token = make_link()
    patient = PatientClient(app.test_client(), token)
    patient.open_link()
    return patient


# Doctor-side fixtures are shared by tests/doctor and tests/security.
from tests.doctor_fixtures import doctor, make_doctor, submit  # noqa: E402,F401
