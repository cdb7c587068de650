"""Purge, access requests and erasure: data goes when it should, and the record says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from screening.models import AuditEvent, Invitation, QuestionnaireResponse, StoredEvaluation
from screening.operations.retention import ref_digest
from tests.patient.pages import TYPICAL_PAGES


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return session.scalar(select(func.count()).select_from(model))


def _age(app, days: int) -> None:
    """Pretend everything happened `days` ago."""
    past = datetime.now(UTC) - timedelta(days=days)
    with app.extensions["db"].write() as session:
        for response in session.scalars(select(QuestionnaireResponse)):
            response.updated_at = past
            if response.submitted:
                response.submitted_at = past
        for invitation in session.scalars(select(Invitation)):
            invitation.expires_at = past


def test_purge_removes_stale_unsubmitted_answers_and_expired_links(app, patient, make_link, submit):
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})
    make_link(patient_ref="NEVER-OPENED")
    submit("KEEP-SUBMITTED")
    _age(app, 100)
    result = app.test_cli_runner().invoke(args=["purge", "--unsubmitted-days", "90", "--retention-days", "3650"])
    assert "Purged 1 unsubmitted questionnaires, 1 expired invitations and 0 submissions" in result.output
    assert _count(app, Invitation) == 1 and _count(app, StoredEvaluation) == 1


def test_purge_keeps_recent_work(app, patient, make_link):
    patient.fill({"about_you": TYPICAL_PAGES["about_you"]})
    app.test_cli_runner().invoke(args=["purge", "--unsubmitted-days", "90"])
    assert _count(app, QuestionnaireResponse) == 1


def test_purge_removes_submissions_past_retention_with_their_evaluations(app, submit):
    submit("OLD")
    _age(app, 400)
    app.test_cli_runner().invoke(args=["purge", "--retention-days", "365"])
    assert (_count(app, QuestionnaireResponse), _count(app, StoredEvaluation), _count(app, Invitation)) == (0, 0, 0)


def test_purge_is_audited_with_counts_only(app, submit):
    submit("OLD")
    _age(app, 400)
    app.test_cli_runner().invoke(args=["purge", "--retention-days", "365"])
    with app.extensions["db"].read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "data.purged")).one()
    assert event.details == {"unsubmitted": 0, "expired_invitations": 0, "past_retention": 1, "addresses_removed": 0}


def test_export_patient_gives_everything_held(app, submit):
    submit("PT-ACCESS", {"kidney_disease": "severe"})
    result = app.test_cli_runner().invoke(args=["export-patient", "PT-ACCESS"])
    document = json.loads(result.output)
    [invitation] = document["invitations"]
    assert invitation["response"]["answers"]["kidney_disease"] == "severe"
    assert [f["rule_id"] for f in invitation["response"]["evaluations"][0]["flags"]] == ["REN-01"]


def test_export_of_an_unknown_patient_says_so(app):
    result = app.test_cli_runner().invoke(args=["export-patient", "NOBODY"])
    assert result.exit_code != 0 and "nothing is held for NOBODY" in result.output


def test_erase_patient_removes_health_data_and_keeps_a_record_without_it(app, submit):
    submit("PT-ERASE", {"kidney_disease": "severe", "other_conditions": "very private"})
    submit("PT-OTHER")
    result = app.test_cli_runner().invoke(args=["erase-patient", "PT-ERASE", "--yes"])
    assert result.exit_code == 0
    with app.extensions["db"].read() as session:
        refs = set(session.scalars(select(Invitation.patient_ref)))
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "patient.erased")).all()
        everything = json.dumps([e.details for e in session.scalars(select(AuditEvent))] +
                                [e.target for e in session.scalars(select(AuditEvent))])
    assert refs == {"PT-OTHER"}
    assert _count(app, StoredEvaluation) == 1
    assert events[0].target == f"patient_ref_sha256:{ref_digest('PT-ERASE')}"
    assert "PT-ERASE" not in everything and "very private" not in everything


def test_erase_asks_for_confirmation(app, submit):
    submit("PT-KEEP")
    result = app.test_cli_runner().invoke(args=["erase-patient", "PT-KEEP"], input="n\n")
    assert result.exit_code != 0
    assert _count(app, Invitation) == 1
