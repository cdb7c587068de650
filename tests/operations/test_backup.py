"""Backups restore to the same data, on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from screening.models import Base
from screening.operations.backup import backup, restore


def _snapshot(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        data = {table.name: sorted(tuple(map(str, row)) for row in connection.execute(select(table)))
                for table in Base.metadata.sorted_tables}
    engine.dispose()
    return data


@pytest.mark.sqlite_only
def test_sqlite_backup_while_running_restores_to_the_same_data(app, submit, tmp_path):
    submit("PT-1", {"kidney_disease": "severe"})
    submit("PT-2")
    url = app.config["DATABASE_URL"]
    before = _snapshot(url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "backup.sqlite3")]).exit_code == 0
    submit("PT-3-AFTER-BACKUP")
    assert runner.invoke(args=["restore", str(tmp_path / "backup.sqlite3"), "--yes"]).exit_code == 0
    assert _snapshot(url) == before


@pytest.mark.postgresql_only
def test_postgresql_backup_restores_into_a_fresh_database(app, submit, tmp_path):
    if not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing on a machine that runs the PostgreSQL pass")
    submit("PT-1", {"kidney_disease": "severe"})
    url = app.config["DATABASE_URL"]
    before = _snapshot(url)
    dump = backup(url, tmp_path / "backup.dump")
    fresh = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {fresh}"))
    target = make_url(url).set(database=fresh).render_as_string(hide_password=False)
    try:
        restore(target, dump)
        assert _snapshot(target) == before
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {fresh} WITH (FORCE)"))
        admin.dispose()


def test_backup_of_a_missing_tool_or_path_is_a_clear_error(app, tmp_path: Path):
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "nope.sqlite3"), "--yes"])
    assert result.exit_code != 0 and "does not exist" in result.output
