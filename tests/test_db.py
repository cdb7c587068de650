"""SQLite write transactions queue instead of failing under concurrent patients."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

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
