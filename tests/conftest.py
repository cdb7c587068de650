"""Shared fixtures: an app on a fresh database per test, and a patient with a link.

The schema is built once per session by the real Alembic migrations. On SQLite (the
default) each test gets its own copy of a migrated template file. With TEST_DATABASE_URL
set to a PostgreSQL database, the suite migrates it once and empties every table before
each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from screening import create_app
from screening.invitations import create_invitation
from screening.migrations import upgrade
from screening.models import Base
from tests.patient_client import PatientClient

SERVER_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: checks a property of the SQLite setup itself")
    config.addinivalue_line("markers", "postgresql_only: checks a property of the PostgreSQL setup itself")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each pass runs the checks that belong to its database; .ci/run runs both passes."""
    other = "sqlite_only" if SERVER_DATABASE_URL else "postgresql_only"
    selected = [item for item in items if other not in item.keywords]
    deselected = [item for item in items if other in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + SERVER_DATABASE_URL.rsplit('@', 1)[-1] if SERVER_DATABASE_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def server_db() -> Iterator[str | None]:
    """The PostgreSQL test database, migrated once from empty, or None on SQLite."""
    if not SERVER_DATABASE_URL:
        yield None
        return
    engine = create_engine(SERVER_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    upgrade(SERVER_DATABASE_URL)
    yield SERVER_DATABASE_URL


@pytest.fixture
def database_url(tmp_path: Path, template_db: Path, server_db: str | None) -> str:
    """A migrated, empty database for one test."""
    if server_db is None:
        db_path = tmp_path / "test.sqlite3"
        shutil.copy(template_db, db_path)
        return f"sqlite:///{db_path}"
    engine = create_engine(server_db)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return server_db


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "CRISIS_CONTACT": "Call 999 or the test crisis line on 0800 000 000.",
        "CLINIC_NAME": "Test Clinic",
        "MAIL_URL": "",  # email off unless a test turns it on, whatever the shell says
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
from tests.doctor_fixtures import clinician, doctor, make_doctor, submit  # noqa: E402,F401
