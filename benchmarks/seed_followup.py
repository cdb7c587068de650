"""Seed LDN plans and check-ins into a database seeded with submissions (seed.py), fast.

Two things, on top of the submissions:

* **Many plans** (one per PLAN_EVERY submissions: 1,000 plans with 100,000), on reviewed
  submissions without a critical flag, each on the default terms (check-ins on days 7,
  14, 28, 56 and 84) and started 0 to 120 days ago, so that about 3,000 check-ins have
  been sent (9 in 10 of those due; the rest were never answered) and the rest are not
  due yet. A sent check-in is a quiet one (the planned dose, a little better than at
  screening, nothing to report) or, one time in four, one of the concerns below; its
  evaluation is the rules' own. Those due more than a week ago are mostly reviewed, so
  the queue's check-in part (flagged and new) and the "no concerns" list below it hold
  what a clinic would see.
* **One plan with 12 check-ins** (THE_PLAN_DAYS), every one sent on its due date: the
  plan page the benchmark times. Its screening is a submission stored by the app's own
  `create_submitted` (on thyroid hormone, every symptom scored, so the page draws a
  chart per symptom), its terms were changed once (slower steps from day 30, so the
  dose line follows the history), and four of its check-ins raise flags (poor sleep, a
  racing heart on thyroid hormone, a lower dose than planned, thoughts of self-harm).

Every sent check-in stores what the app stores at submit (`followup.journey.submitted_values`
on the plan's terms in force on its due date: the evaluation as computed, its ruleset
version, urgency and most serious severity). Rows go in by bulk inserts with explicit IDs,
as seed.py's do.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from screening.followup.checkins import link_expiry
from screening.followup.journey import submitted_values
from screening.models import CheckIn, PlanChange, QuestionnaireResponse, TreatmentPlan, table_of
from screening.patient.responses import CHECK_PAGE
from screening.patient.submission import create_submitted
from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE
from screening.rules.checkin import checkin_context
from screening.rules.plan import Plan, planned_dose
from screening.rules.scores import SYMPTOM_ITEMS

PLAN_EVERY = 100  # one plan per this many submissions
STARTED_WITHIN_DAYS = 120
ANSWERED = 0.9  # the share of due check-ins that were sent
CONCERNED = 0.25  # the share of sent check-ins that report one of CONCERNS
THE_PLAN_DAYS = (7, 14, 21, 28, 42, 56, 70, 84, 112, 140, 168, 196)
THE_PLAN_REF = "BENCH-PLAN-12"  # the 12-check-in plan's patient
SEED = 20261201
SYMPTOMS = tuple(item for item, _label in SYMPTOM_ITEMS)

# One concern each (laid over a quiet check-in); the names say which rule they are for.
CONCERNS: dict[str, dict[str, Any]] = {
    "sleep": {"ci_side_effects": ["poor_sleep", "vivid_dreams"], "ci_side_effect_impact": "mild"},
    "limiting_side_effects": {"ci_side_effects": ["headache", "nausea"], "ci_side_effect_impact": "severe"},
    "lower_dose": {"ci_taking": "lower_dose"},
    "liver": {"ci_liver_symptoms": ["dark_urine"]},
    "opioid": {"ci_opioid_since": "yes"},
    "surgery": {"ci_surgery_planned": "yes"},
    "worse": {"pain_average": 9, "ci_pgic": "minimally_worse"},
    "self_harm": {"phq9_self_harm": 1},
    "racing_heart": {"ci_hyperthyroid_symptoms": ["palpitations"]},
}
# The 12-check-in plan: check-in index -> its concern (the others are quiet).
THE_PLAN_CONCERNS = {1: "sleep", 4: "racing_heart", 7: "lower_dose", 10: "self_harm"}
THYROID_HORMONE = {"thyroid_conditions": ["hashimotos"], "thyroid_medication": ["levothyroxine"],
                   "hyperthyroid_symptoms": ["none"], "thyroid_dose_changed_6m": "no"}


def checkin_answers(
    rng: random.Random, screening: Mapping[str, Any], context: Mapping[str, bool], terms: Plan, due: date,
    concern: str | None, progress: float,
) -> dict[str, Any]:
    """A complete check-in sent on `due`, as the journey stores it (hidden answers pruned):
    quiet, with symptom scores `progress` (0..1) of the way to 3 points better than at
    screening, or with one of CONCERNS."""
    dose = planned_dose(terms, due)
    answers: dict[str, Any] = {
        "ci_taking": "as_planned", "ci_side_effects": ["none"],
        "ci_pgic": rng.choice(("minimally_improved", "much_improved", "no_change")),
        "ci_opioid_since": "no", "ci_new_medicines": "no", "ci_surgery_planned": "no", "ci_pregnant": "no",
        "ci_hyperthyroid_symptoms": ["none"], "ci_liver_symptoms": ["none"], "phq9_self_harm": 0,
    }
    if dose is not None:
        answers["ci_dose_mg"] = float(dose)
    for item in SYMPTOMS:
        baseline = screening.get(item)
        if isinstance(baseline, int):
            answers[item] = max(0, baseline - round(3 * progress) + rng.choice((-1, 0, 0, 1)))
            answers[item] = min(10, answers[item])
    if concern is not None:
        answers.update(CONCERNS[concern])
        if concern == "lower_dose":
            answers["ci_dose_mg"] = max(0.1, round(float(dose or 1) / 2, 1))
        elif concern == "opioid":
            answers["ci_opioid_last_dose"] = (due - timedelta(days=2)).isoformat()
        elif concern == "surgery":
            answers["ci_surgery_date"] = (due + timedelta(days=rng.choice((10, 40)))).isoformat()
    kept, _hidden = CHECKIN_QUESTIONNAIRE.prune(answers, dict(context))
    return dict(kept)


class _Rows:
    """The rows to insert, with their next IDs."""

    def __init__(self, engine: Engine) -> None:
        with engine.begin() as connection:
            self.next_id = {
                table: (connection.scalar(select(func.max(model.id))) or 0) + 1
                for table, model in (("plan", TreatmentPlan), ("change", PlanChange), ("checkin", CheckIn))
            }
        self.rows: dict[str, list[dict[str, Any]]] = {"plan": [], "change": [], "checkin": []}

    def add(self, table: str, row: dict[str, Any]) -> int:
        row_id = self.next_id[table]
        self.next_id[table] += 1
        self.rows[table].append({"id": row_id, **row})
        return row_id


def _plan(rows: _Rows, response_id: int, history: list[tuple[datetime, Plan]]) -> tuple[int, TreatmentPlan]:
    """A plan with its history (started, then changed), and the same as a transient
    TreatmentPlan for `submitted_values` to read the terms in force on a day."""
    current = history[-1][1]
    plan_id = rows.add("plan", {
        "response_id": response_id, "terms": current.to_json(), "status": "active", "end_reason": None,
        "ended_at": None, "email": None, "reminders_stopped": False, "version": len(history),
        "created_by_id": None, "created_at": history[0][0],
    })
    transient = TreatmentPlan(id=plan_id, response_id=response_id, terms=current.to_json(), status="active")
    for number, (moment, terms) in enumerate(history):
        action = "started" if number == 0 else "changed"
        rows.add("change", {"plan_id": plan_id, "action": action, "terms": terms.to_json(), "reason": None,
                            "doctor_id": None, "at": moment})
        transient.changes.append(PlanChange(action=action, terms=terms.to_json(), at=moment))
    return plan_id, transient


def _checkin(
    rows: _Rows, plan_id: int, plan: TreatmentPlan, due: date, screening: Mapping[str, Any],
    answers: dict[str, Any] | None, reviewed: bool,
) -> tuple[int, dict[str, Any]]:
    """A check-in due on `due`: sent on its due date with `answers` (evaluated as the app
    does at submit), or never answered (None)."""
    row: dict[str, Any] = {
        "plan_id": plan_id, "due_date": due, "link_salt": None, "opens_on": due, "expires_at": link_expiry(due),
        "issue": 0, "questionnaire_version": None, "answers": {}, "current_page": None, "revision": 0,
        "started_at": None, "updated_at": None, "submitted": False, "submitted_at": None, "evaluation": None,
        "ruleset_version": None, "urgent": False, "severity_rank": 3, "review_status": "new",
        "reviewed_by_id": None, "reviewed_at": None,
        "created_at": datetime.combine(plan.changes[0].at.date(), time(10), tzinfo=UTC),
    }
    if answers is not None:
        sent_at = datetime.combine(due, time(18, 30), tzinfo=UTC)
        row.update(answers=answers, current_page=CHECK_PAGE, revision=12, started_at=sent_at - timedelta(minutes=6))
        row.update(submitted_values(plan, CheckIn(due_date=due), answers, due, screening,
                                    CHECKIN_QUESTIONNAIRE.version, now=sent_at))
        if reviewed:
            row.update(review_status="reviewed", reviewed_at=sent_at + timedelta(days=1))
    row["token_hash"] = hashlib.sha256(f"bench-checkin-{rows.next_id['checkin']}".encode()).hexdigest()
    return rows.add("checkin", row), row


def _the_plan(engine: Engine, rows: _Rows, rng: random.Random, today: date) -> dict[str, Any]:
    """The plan the benchmark opens: 12 check-ins sent, four of them flagged."""
    from screening.rules.cases import base_answers

    answers, _as_of = base_answers()
    answers.update(THYROID_HORMONE)
    answers.update({item: value for item, value in zip(SYMPTOMS, (7, 6, 8, 6, 7, 4, 5), strict=True)})
    start = today - timedelta(days=THE_PLAN_DAYS[-1] + 4)
    with Session(engine) as session, session.begin():
        response = create_submitted(session, THE_PLAN_REF, answers, appointment=start - timedelta(days=3),
                                    questionnaire_version=QUESTIONNAIRE.version,
                                    submitted_at=datetime.combine(start - timedelta(days=10), time(9), tzinfo=UTC))
        response.review_status = "reviewed"
        response_id = response.id
    first = Plan(start_date=start, checkin_days=THE_PLAN_DAYS)
    slower = Plan(start_date=start, step_days=14, checkin_days=THE_PLAN_DAYS)
    history = [(datetime.combine(start - timedelta(days=1), time(10), tzinfo=UTC), first),
               (datetime.combine(start + timedelta(days=30), time(11), tzinfo=UTC), slower)]
    plan_id, plan = _plan(rows, response_id, history)
    context = checkin_context(answers)
    flagged: list[int] = []
    for index, day in enumerate(THE_PLAN_DAYS):
        due = start + timedelta(days=day)
        in_force = first if due < history[1][0].date() else slower
        sent = checkin_answers(rng, answers, context, in_force, due, THE_PLAN_CONCERNS.get(index),
                               index / (len(THE_PLAN_DAYS) - 1))
        checkin_id, row = _checkin(rows, plan_id, plan, due, answers, sent, reviewed=index < len(THE_PLAN_DAYS) - 2)
        if row["evaluation"]["flags"]:
            flagged.append(checkin_id)
    return {"plan_id": plan_id, "plan_response_id": response_id, "plan_checkins": len(THE_PLAN_DAYS),
            "plan_flagged_checkins": len(flagged), "flagged_checkin_id": flagged[-1] if flagged else None}


def seed_followup(url: str, submissions: int, today: date | None = None) -> dict[str, Any]:
    """Adds the plans and check-ins to the database at `url` seeded with `submissions`."""
    today = today or datetime.now(UTC).date()
    rng = random.Random(SEED)
    engine = create_engine(url)
    rows = _Rows(engine)
    info = _the_plan(engine, rows, rng, today)
    wanted = max(1, submissions // PLAN_EVERY)
    response = QuestionnaireResponse
    with engine.begin() as connection:
        candidates = connection.execute(
            select(response.id, response.answers)
            .where(response.review_status == "reviewed", response.critical_count == 0,
                   response.submitted.is_(True), response.id != info["plan_response_id"])
            .order_by(response.id).limit(wanted)).all()
    counts = {"sent": 0, "flagged": 0, "flagged_new": 0, "urgent": 0, "not_answered": 0, "not_due": 0}
    for response_id, screening in candidates:
        start = today - timedelta(days=rng.randint(0, STARTED_WITHIN_DAYS))
        terms = Plan(start_date=start)
        plan_id, plan = _plan(rows, response_id, [(datetime.combine(start - timedelta(days=1), time(10),
                                                                   tzinfo=UTC), terms)])
        context = checkin_context(screening)
        for day in terms.checkin_days:
            due = start + timedelta(days=day)
            answered = due <= today and rng.random() < ANSWERED
            concern = rng.choice(list(CONCERNS)) if rng.random() < CONCERNED else None
            sent = checkin_answers(rng, screening, context, terms, due, concern, min(1.0, day / 84)) \
                if answered else None
            reviewed = due < today - timedelta(days=7) and rng.random() < 0.9
            _id, row = _checkin(rows, plan_id, plan, due, screening, sent, reviewed)
            if sent is None:
                counts["not_due" if due > today else "not_answered"] += 1
                continue
            counts["sent"] += 1
            if row["evaluation"]["flags"]:
                counts["flagged"] += 1
                counts["flagged_new"] += row["review_status"] == "new"
                counts["urgent"] += bool(row["urgent"])
    _insert(engine, rows)
    engine.dispose()
    return {**info, "plans": len(candidates) + 1, "checkins": len(rows.rows["checkin"]),
            "checkins_sent": counts["sent"] + len(THE_PLAN_DAYS), **{f"checkins_{k}": v for k, v in counts.items()}}


def _insert(engine: Engine, rows: _Rows) -> None:
    tables = {"plan": table_of(TreatmentPlan), "change": table_of(PlanChange), "checkin": table_of(CheckIn)}
    with engine.begin() as connection:
        for name, table in tables.items():
            if rows.rows[name]:
                connection.execute(table.insert(), rows.rows[name])
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in tables.values():
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                                        f" (SELECT max(id) FROM {table.name}))"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM ANALYZE {', '.join(table.name for table in tables.values())}"))
