"""Online backups of the database, and restoring one.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving.
PostgreSQL: pg_dump's custom format, restored with pg_restore. The procedure, including
what to do before a restore, is in docs/operations.md.

A backup holds every patient's answers: it is written into a file created 0600 (an
existing one is tightened before anything is written to it), in a folder created 0700.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ..db import OWNER_ONLY, prepare_sqlite_file


class BackupError(RuntimeError):
    pass


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_args(database_url: str) -> tuple[list[str], dict[str, str]]:
    url = make_url(database_url)
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432), "--username", url.username or ""]
    return args + ["--dbname", url.database or ""], {"PGPASSWORD": url.password or ""}


def _owner_only_file(destination: Path) -> None:
    """`destination` exists, readable and writable by this user only, before data goes in."""
    if not destination.parent.exists():
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        destination.parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    os.close(os.open(destination, os.O_WRONLY | os.O_CREAT, OWNER_ONLY))
    destination.chmod(OWNER_ONLY)  # an existing file keeps its mode through os.open


def backup(database_url: str, destination: Path) -> Path:
    if database_url.startswith("sqlite"):
        prepare_sqlite_file(destination)  # 0600 before SQLite writes to it; its journal follows
        with sqlite3.connect(_sqlite_path(database_url)) as source, sqlite3.connect(destination) as target:
            source.backup(target)
        return destination
    if not shutil.which("pg_dump"):
        raise BackupError("pg_dump is not installed: install the PostgreSQL client tools")
    _owner_only_file(destination)
    args, env = _pg_args(database_url)
    _run(["pg_dump", "--format=custom", "--file", str(destination), *args], env)
    return destination


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with a backup. Stop the app first."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    if database_url.startswith("sqlite"):
        with sqlite3.connect(source) as backup_db, sqlite3.connect(_sqlite_path(database_url)) as target:
            backup_db.backup(target)
        return
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not installed: install the PostgreSQL client tools")
    args, env = _pg_args(database_url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)], env)


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
