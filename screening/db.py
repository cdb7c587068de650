"""Database engine and transactions: one engine per app, short explicit transactions.

SQLite (the default) runs in WAL mode with foreign keys on. Writers open their
transaction with BEGIN IMMEDIATE so concurrent patients queue on the busy timeout instead
of failing with "database is locked" when a deferred reader tries to upgrade to a writer.
PostgreSQL needs none of this and gets plain transactions.

The SQLite file holds health data: it is created 0600 in a 0700 folder before SQLite
opens it, and tightened to 0600 if an older version left it readable by others. SQLite
gives its WAL, shared-memory and journal files the database file's own mode, so they
are 0600 too (and any left behind loose are tightened with it).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
OWNER_ONLY = 0o600
# SQLite's companions of a database file; SQLite creates them with the database's mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


class ReadOnlyUnitOfWork(Exception):
    """Raised when code tries to write through a read session."""


class _ReadSession(Session):
    """A session that refuses to flush changes: reads can never write by accident."""

    def flush(self, objects: Any = None) -> None:
        if self.new or self.deleted or self.dirty:
            raise ReadOnlyUnitOfWork("a read unit of work tried to write; use Database.write()")
        super().flush(objects)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (what a conditional write decides on)."""
    return cast(CursorResult[Any], result).rowcount


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = _make_engine(url)
        reader: Engine
        writer: Engine
        if self.is_sqlite:
            reader, writer = self.engine, self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            # PostgreSQL at READ COMMITTED gives every statement its own snapshot, in a
            # transaction or not, so reads skip BEGIN and ROLLBACK: two round trips fewer
            # on every page, and reads cannot write (the session refuses to flush).
            reader, writer = self.engine.execution_options(isolation_level="AUTOCOMMIT"), self.engine
        self._reader = sessionmaker(reader, class_=_ReadSession, expire_on_commit=False)
        self._writer = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work: changes to objects are refused, never committed.

        Closing (not rolling back) keeps loaded objects readable after the block.
        """
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed when the block ends without an exception."""
        with self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def prepare_sqlite_file(database: Path) -> None:
    """The database file exists and is readable by this user only, before SQLite opens it.

    A fresh install with its own SECRET_KEY has no instance folder yet (only the development
    secret creates it): without this, `init-db` could not open the file.
    """
    if not database.parent.exists():
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        database.parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    with suppress(FileExistsError):  # an empty file is an empty SQLite database; creating it sets its mode
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    restrict_to_owner(database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS))


def restrict_to_owner(*paths: Path) -> None:
    """chmod 0600 each existing file this user owns that others could read."""
    for path in paths:
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        if status.st_mode & 0o077 and status.st_uid == os.geteuid():
            path.chmod(OWNER_ONLY)


def _switch_to_wal(cursor: Any) -> None:
    """PRAGMA journal_mode=WAL, retried while another process is switching the same file.

    WAL mode is stored in the file, so this changes something only on a database still in
    rollback-journal mode (as `init-db` and Alembic leave it). Two processes opening such a
    file at once (two gunicorn workers' first requests) race for the switch, and SQLite
    tells the loser "database is locked" at once, without waiting on the busy timeout: a
    500 on the first requests after a deploy. The loser waits for the winner instead.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        prepare_sqlite_file(Path(database))
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
