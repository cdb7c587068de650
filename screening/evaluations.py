"""Run the rules on a submission and store the result, exactly as computed.

Stored evaluations are never rewritten: a re-evaluation under a newer ruleset is a new,
separately recorded row, so a past summary can always be shown as the doctor saw it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from .models import Evaluation, QuestionnaireResponse
from .rules import evaluate


def as_of_for(response: QuestionnaireResponse) -> date:
    """The appointment date, or the submission date when no appointment is known."""
    if response.invitation.appointment_date is not None:
        return response.invitation.appointment_date
    moment = response.submitted_at or response.updated_at
    return moment.date()


def store_evaluation(session: Session, response: QuestionnaireResponse, kind: str) -> Evaluation:
    as_of = as_of_for(response)
    result = evaluate(response.answers, as_of)
    document = result.to_json()
    counts = {severity: 0 for severity in ("critical", "warning", "info")}
    for flag in document["flags"]:
        counts[flag["severity"]] += 1
    evaluation = Evaluation(
        response_id=response.id,
        kind=kind,
        ruleset_version=result.ruleset_version,
        as_of=as_of,
        urgent=result.urgent,
        opioid_block=result.opioid_block,
        earliest_start=result.earliest_start,
        critical_count=counts["critical"],
        warning_count=counts["warning"],
        info_count=counts["info"],
        flags=document["flags"],
    )
    session.add(evaluation)
    session.flush()
    return evaluation


SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
NO_FLAGS_RANK = 3


def project_into_queue(response: QuestionnaireResponse, evaluation: Evaluation) -> None:
    """Copy what the doctor queue sorts and filters on onto the response row."""
    ranks = [SEVERITY_RANK[flag["severity"]] for flag in evaluation.flags]
    response.patient_ref = response.invitation.patient_ref
    response.appointment_date = response.invitation.appointment_date
    response.urgent = evaluation.urgent
    response.severity_rank = min(ranks, default=NO_FLAGS_RANK)
    response.critical_count = evaluation.critical_count
    response.warning_count = evaluation.warning_count
    response.info_count = evaluation.info_count
    response.earliest_start = evaluation.earliest_start
    response.opioid_block = evaluation.opioid_block
