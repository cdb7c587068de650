"""Units of work: SQLite writers queue instead of failing; reads cannot write; PostgreSQL reads skip BEGIN."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import func, select

from screening.db import ReadOnlyUnitOfWork
from screening.invitations import create_invitation
from screening.models import AuditEvent


def test_concurrent_writers_never_see_database_is_locked(app):
    db = app.extensions["db"]

    def patient_saves(worker: int) -> int:
        for step in range(15):
            with db.write() as session:
                # Read-then-write in one transaction: the pattern that fails with
                # "database is locked" when transactions start deferred.
                session.scalar(select(func.count()).select_from(AuditEvent))
                session.add(AuditEvent(actor=f"patient:{worker}", action="test.save", details={"step": step}))
        return worker

    with ThreadPoolExecutor(max_workers=8) as pool:
        finished = list(pool.map(patient_saves, range(8)))

    assert finished == list(range(8))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 8 * 15


def test_a_failed_write_is_rolled_back(app):
    db = app.extensions["db"]
    try:
        with db.write() as session:
            create_invitation(session, "P-ROLLBACK", None)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
        from screening.models import Invitation
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0


@pytest.mark.parametrize("change", ["add", "modify", "delete"])
def test_a_read_unit_of_work_refuses_to_write(app, change):
    db = app.extensions["db"]
    with db.write() as session:
        session.add(AuditEvent(actor="doctor:1", action="test.kept"))
    with pytest.raises(ReadOnlyUnitOfWork), db.read() as session:
        event = session.scalars(select(AuditEvent)).one()
        if change == "add":
            session.add(AuditEvent(actor="doctor:1", action="test.sneaked"))
        elif change == "modify":
            event.action = "test.changed"
        else:
            session.delete(event)
        session.flush()
    with db.read() as session:
        assert session.scalars(select(AuditEvent.action)).all() == ["test.kept"]


@pytest.mark.postgresql_only
def test_postgresql_reads_open_no_transaction(app):
    """At READ COMMITTED a transaction adds nothing to a read but two round trips."""
    db = app.extensions["db"]
    with db.read() as session:
        session.scalar(select(func.count()).select_from(AuditEvent))
        status = session.connection().connection.dbapi_connection.info.transaction_status
    assert status == psycopg.pq.TransactionStatus.IDLE
    with db.write() as session:
        session.scalar(select(func.count()).select_from(AuditEvent))
        status = session.connection().connection.dbapi_connection.info.transaction_status
    assert status == psycopg.pq.TransactionStatus.INTRANS
