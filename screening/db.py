"""Database engine and transactions: one engine per app, short explicit transactions.

SQLite (the default) runs in WAL mode with foreign keys on. Writers open their
transaction with BEGIN IMMEDIATE so concurrent patients queue on the busy timeout instead
of failing with "database is locked" when a deferred reader tries to upgrade to a writer.
PostgreSQL needs none of this and gets plain transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


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


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        # A fresh install with its own SECRET_KEY has no instance folder yet (only the
        # development secret creates it): without this, `init-db` could not open the file.
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
