"""Re-running the current rules on a past submission: a new record and a diff; the stored one stays."""

from __future__ import annotations

from sqlalchemy import select

from screening.doctor.reevaluation import diff_flags
from screening.evaluations import StoredFlag
from screening.models import StoredEvaluation


def _flag(rule_id: str, severity: str) -> StoredFlag:
    return StoredFlag.from_json({"rule_id": rule_id, "severity": severity, "summary": "s", "rationale": "r",
                                 "source": {"label": "l", "url": "https://example.org"}, "evidence": {}})


A, B, B_WORSE, C = _flag("OPI-01", "critical"), _flag("REN-02", "info"), _flag("REN-02", "warning"), \
    _flag("THY-01", "warning")


def test_diff_lists_added_removed_and_changed():
    diff = diff_flags([A, B], [B_WORSE, C])
    assert [f.rule_id for f in diff.added] == ["THY-01"]
    assert [f.rule_id for f in diff.removed] == ["OPI-01"]
    assert [(c.rule_id, c.fields) for c in diff.changed] == [("REN-02", ("severity",))]


def test_same_flags_are_unchanged():
    assert diff_flags([A, B], [B, A]).unchanged


def test_reevaluation_keeps_the_stored_evaluation_and_shows_the_diff(app, doctor, submit):
    response_id = submit("PT-RE", {"kidney_disease": "severe"})
    # Pretend the stored evaluation came from an older ruleset that did not know REN-01.
    with app.extensions["db"].write() as session:
        stored = session.scalars(select(StoredEvaluation)).one()
        stored.flags = [f for f in stored.flags if f["rule_id"] != "REN-01"]
        stored.ruleset_version = "old-ruleset"
        stored_flags = list(stored.flags)
    response = doctor.post(f"/doctor/submissions/{response_id}/reevaluate")
    html = doctor.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added flags" in html and "REN-01" in html
    with app.extensions["db"].read() as session:
        evaluations = session.scalars(select(StoredEvaluation).order_by(StoredEvaluation.id)).all()
    assert [e.kind for e in evaluations] == ["submission", "reevaluation"]
    assert evaluations[0].flags == stored_flags and evaluations[0].ruleset_version == "old-ruleset"
    assert evaluations[1].ruleset_version != "old-ruleset"


def test_reevaluation_with_no_change_says_so(doctor, submit):
    response_id = submit("PT-SAME")
    response = doctor.post(f"/doctor/submissions/{response_id}/reevaluate")
    assert "No change" in doctor.get(response.headers["Location"]).get_data(as_text=True)


def test_the_summary_still_shows_the_stored_evaluation(app, doctor, submit):
    response_id = submit("PT-KEEP", {"kidney_disease": "severe"})
    with app.extensions["db"].write() as session:
        stored = session.scalars(select(StoredEvaluation)).one()
        stored.flags = [f for f in stored.flags if f["rule_id"] != "REN-01"]
    doctor.post(f"/doctor/submissions/{response_id}/reevaluate")
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    assert 'id="flag-REN-01"' not in html


def test_a_reevaluation_is_only_shown_under_its_own_submission(app, doctor, submit):
    first, second = submit("PT-ONE"), submit("PT-TWO")
    location = doctor.post(f"/doctor/submissions/{first}/reevaluate").headers["Location"]
    fresh_id = int(location.rsplit("/", 1)[1])
    with app.extensions["db"].read() as session:
        stored_id = session.scalar(select(StoredEvaluation.id).where(
            StoredEvaluation.response_id == first, StoredEvaluation.kind == "submission"))
    assert doctor.get(f"/doctor/submissions/{first}/evaluations/{fresh_id}").status_code == 200
    assert doctor.get(f"/doctor/submissions/{second}/evaluations/{fresh_id}").status_code == 404
    assert doctor.get(f"/doctor/submissions/{first}/evaluations/{stored_id}").status_code == 404
