"""Demo data for the follow-up (followup.md): one demo patient on an LDN plan started 30
days ago, with three check-ins sent (the third flagged: a racing heart on thyroid hormone)
and two still to come, so a newcomer sees plans, check-ins, the queue and the trend at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..followup.checkins import sync_checkins
from ..followup.journey import submitted_values
from ..models import Invitation, PlanChange, QuestionnaireResponse, TreatmentPlan
from ..patient.responses import CHECK_PAGE
from ..questionnaire import CHECKIN_QUESTIONNAIRE
from ..rules.plan import Plan

PATIENT_ON_LDN = "DEMO-HASHIMOTO-COCODAMOL"  # reviewed, no critical flag, on levothyroxine
DAYS_ON_LDN = 30

_SAME = {"ci_taking": "as_planned", "ci_side_effects": ["none"], "ci_opioid_since": "no", "ci_new_medicines": "no",
         "ci_surgery_planned": "no", "ci_pregnant": "no", "ci_hyperthyroid_symptoms": ["none"],
         "ci_liver_symptoms": ["none"], "phq9_self_harm": 0}
# Day 7, 14 and 28 at the planned dose (1, 1.5 and 2.5 mg); scores a little better each time.
CHECKIN_ANSWERS: tuple[dict[str, Any], ...] = (
    {**_SAME, "ci_dose_mg": 1.0, "ci_pgic": "no_change", "pain_average": 6, "fatigue": 7, "brain_fog": 5,
     "sleep_problems": 6},
    {**_SAME, "ci_dose_mg": 1.5, "ci_pgic": "minimally_improved", "pain_average": 5, "fatigue": 6, "brain_fog": 5,
     "sleep_problems": 5},
    {**_SAME, "ci_dose_mg": 2.5, "ci_pgic": "much_improved", "pain_average": 4, "fatigue": 5, "brain_fog": 4,
     "sleep_problems": 5, "ci_hyperthyroid_symptoms": ["palpitations"]},
)


def seed_followup(session: Session, today: date, key: bytes) -> None:
    """Once: review the demo patient, start their plan, and send three check-ins."""
    response = session.scalar(select(QuestionnaireResponse).join(QuestionnaireResponse.invitation)
                              .where(Invitation.patient_ref == PATIENT_ON_LDN))
    if response is None or session.scalar(select(TreatmentPlan.id).where(TreatmentPlan.response_id == response.id)):
        return
    start = today - timedelta(days=DAYS_ON_LDN)
    started_at = datetime.combine(start - timedelta(days=1), time(10, 0), tzinfo=UTC)
    response.review_status, response.review_note = "reviewed", "Demo: reviewed before starting LDN."
    plan = TreatmentPlan(response_id=response.id, terms=Plan(start_date=start).to_json(), status="active",
                         version=1, created_at=started_at)
    session.add(plan)
    session.flush()
    session.add(PlanChange(plan_id=plan.id, action="started", terms=plan.terms, at=started_at))
    session.flush()
    checkins = sync_checkins(session, plan, key, today=start)
    for checkin, answers in zip(checkins, CHECKIN_ANSWERS, strict=False):
        sent_at = datetime.combine(checkin.due_date, time(18, 30), tzinfo=UTC)
        checkin.answers, checkin.current_page, checkin.started_at = answers, CHECK_PAGE, sent_at
        for column, value in submitted_values(plan, checkin, answers, checkin.due_date, response.answers,
                                              CHECKIN_QUESTIONNAIRE.version, now=sent_at).items():
            setattr(checkin, column, value)
