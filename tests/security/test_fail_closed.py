"""Issue 12, finding 6: settings fail closed; health data on disk is readable by its owner only.

A mistyped SCREENING_ENV must stop the app instead of running it as development;
`flask demo` must never create an account in production; the SQLite database, its WAL and
shared-memory files, backups and the development secret are 0600 and the instance folder
0700 whatever the umask.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from screening import create_app
from screening.config import ConfigError, load_config
from screening.models import Doctor

PRODUCTION = {
    "SCREENING_ENV": "production", "SECRET_KEY": "p" * 64, "PUBLIC_BASE_URL": "https://screening.example.org",
}


@pytest.mark.parametrize("typed", [
    "Production", "PRODUCTION", "prod", "production ", " production", "staging", "dev", "Development", "",
])
def test_a_mistyped_environment_refuses_to_start(tmp_path, typed):
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path, {**PRODUCTION, "SCREENING_ENV": typed, "SECRET_KEY": "x"})
    message = str(refused.value)
    assert "SCREENING_ENV" in message
    assert "development, test, production" in message
    assert not (tmp_path / "secret_key").exists()  # nothing was set up on the way


@pytest.mark.parametrize("name", ["development", "test", "production"])
def test_the_three_environments_are_accepted(tmp_path, name):
    assert load_config(tmp_path, {**PRODUCTION, "SCREENING_ENV": name})["ENV_NAME"] == name


def test_unset_means_development(tmp_path):
    assert load_config(tmp_path, {})["ENV_NAME"] == "development"


def test_the_command_line_refuses_a_mistyped_environment(tmp_path):
    env = {**os.environ, "SCREENING_ENV": "Production", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "i"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("flask")), "--app", "screening", "init-db"],
        capture_output=True, text=True, env=env, cwd=Path(__file__).parents[2], check=False, timeout=120,
    )
    assert result.returncode != 0
    assert "SCREENING_ENV" in result.stderr and "production" in result.stderr
    assert "Database is up to date" not in result.stdout
    assert not (tmp_path / "db.sqlite3").exists() or (tmp_path / "db.sqlite3").stat().st_size == 0


@pytest.fixture
def production_app(monkeypatch, database_url):  # type: ignore[no-untyped-def]
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", database_url)
    application = create_app()
    yield application
    application.extensions["db"].dispose()


def test_demo_refuses_in_production(production_app):
    result = production_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert "password" not in result.output
    with production_app.extensions["db"].read() as session:
        assert session.scalar(select(func.count()).select_from(Doctor)) == 0


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common default umask (022): files would be world-readable unless the app says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def fresh_install(tmp_path, monkeypatch, loose_umask):  # type: ignore[no-untyped-def]
    """An app with no instance folder yet, its database in the default place."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    for name in ("DATABASE_URL", "SECRET_KEY", "SCREENING_ENV"):
        monkeypatch.delenv(name, raising=False)
    application = create_app({"TESTING": True})
    yield application, instance
    application.extensions["db"].dispose()


@pytest.mark.sqlite_only
def test_init_db_creates_owner_only_files(fresh_install):
    app, instance = fresh_install
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    assert _mode(instance) == 0o700
    assert _mode(instance / "screening.sqlite3") == 0o600
    assert _mode(instance / "secret_key") == 0o600
    for extra in ("screening.sqlite3-wal", "screening.sqlite3-shm", "screening.sqlite3-journal"):
        if (instance / extra).exists():
            assert _mode(instance / extra) == 0o600, extra


@pytest.mark.sqlite_only
def test_the_wal_and_shared_memory_files_are_owner_only(fresh_install):
    app, instance = fresh_install
    app.test_cli_runner().invoke(args=["init-db"])
    with app.extensions["db"].write() as session:  # the pooled connection keeps the WAL open
        session.execute(text("CREATE TABLE wal_probe (x INTEGER)"))
        session.execute(text("INSERT INTO wal_probe VALUES (1)"))
    wal, shm = instance / "screening.sqlite3-wal", instance / "screening.sqlite3-shm"
    assert wal.exists() and shm.exists()
    assert (_mode(wal), _mode(shm)) == (0o600, 0o600)


@pytest.mark.sqlite_only
def test_an_existing_world_readable_database_is_tightened(tmp_path, monkeypatch, loose_umask, template_db):
    database = tmp_path / "old" / "screening.sqlite3"
    database.parent.mkdir()
    database.write_bytes(template_db.read_bytes())
    database.chmod(0o644)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "s" * 64, "DATABASE_URL": f"sqlite:///{database}"})
    with app.extensions["db"].write() as session:
        session.execute(text("SELECT 1"))
    assert _mode(database) == 0o600
    assert _mode(Path(f"{database}-wal")) == 0o600
    app.extensions["db"].dispose()


@pytest.mark.sqlite_only
def test_backups_are_owner_only(fresh_install, tmp_path):
    app, _instance = fresh_install
    runner = app.test_cli_runner()
    runner.invoke(args=["init-db"])
    destination = tmp_path / "backups" / "nightly.sqlite3"
    result = runner.invoke(args=["backup", str(destination)])
    assert result.exit_code == 0, result.output
    assert _mode(destination) == 0o600
    assert _mode(destination.parent) == 0o700
    destination.chmod(0o644)  # overwriting an old, loose backup tightens it too
    assert runner.invoke(args=["backup", str(destination)]).exit_code == 0
    assert _mode(destination) == 0o600
