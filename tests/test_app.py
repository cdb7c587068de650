"""The application as a newcomer and a clinic's IT person meet it: settings, schema, commands."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from screening.config import ConfigError, load_config
from screening.models import Base

FLASK = [sys.executable, "-m", "flask", "--app", "screening"]


def test_production_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, {"SCREENING_ENV": "production"})


def test_production_refuses_a_short_secret(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path, {"SCREENING_ENV": "production", "SECRET_KEY": "short"})


def test_development_secret_is_generated_once_into_the_instance_folder(tmp_path):
    first = load_config(tmp_path, {})["SECRET_KEY"]
    second = load_config(tmp_path, {})["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    assert load_config(tmp_path, {})["DATABASE_URL"] == f"sqlite:///{tmp_path / 'screening.sqlite3'}"
    assert load_config(tmp_path, {"DATABASE_URL": "postgresql+psycopg://x/y"})["DATABASE_URL"].startswith("postgresql")


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app):
    with app.extensions["db"].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def _flask(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    return subprocess.run([*FLASK, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_flask_help_lists_the_commands(tmp_path):
    result = _flask("--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("init-db", "invite", "demo", "evaluate", "classify-medication"):
        assert command in result.stdout


def test_init_db_then_invite_prints_a_working_link(tmp_path, app):
    assert _flask("init-db", tmp_path=tmp_path).returncode == 0
    appointment = (date.today() + timedelta(days=30)).isoformat()  # links are for the next 2 years only
    result = _flask("invite", "--patient", "P-123", "--appointment", appointment, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert link.startswith("http://127.0.0.1:5000/i/")
    assert len(link.rsplit("/", 1)[1]) >= 43  # 256 random bits, URL-safe base64


def test_init_db_creates_the_instance_folder_when_a_secret_is_given(tmp_path):
    """Production-style: SECRET_KEY set, so no development secret creates instance/ first."""
    instance = tmp_path / "new" / "instance"
    env = {**os.environ, "INSTANCE_PATH": str(instance), "SECRET_KEY": "k" * 40}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([*FLASK, "init-db"], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert (instance / "screening.sqlite3").is_file()
    assert not (instance / "secret_key").exists()


def test_invite_rejects_a_bad_appointment_date(tmp_path):
    _flask("init-db", tmp_path=tmp_path)
    result = _flask("invite", "--patient", "P-123", "--appointment", "15/01/2030", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Invalid value for '--appointment'" in result.stderr


def test_demo_prints_a_patient_link(tmp_path):
    _flask("init-db", tmp_path=tmp_path)
    result = _flask("demo", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "/i/" in result.stdout
