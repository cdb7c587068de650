"""Which plan terms a check-in reads: the ones in force on its due date (followup.md §1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from screening.followup.checkins import terms_history, terms_on
from screening.models import PlanChange, TreatmentPlan
from screening.rules.plan import Plan

FIRST = Plan(start_date=date(2026, 12, 1))
SLOWER = Plan(start_date=date(2026, 12, 1), step_mg=Decimal("0.25"))


def _plan(*changes: tuple[str, Plan, datetime]) -> TreatmentPlan:
    plan = TreatmentPlan(terms=(changes[-1][1] if changes else FIRST).to_json())
    plan.changes = [PlanChange(action=action, terms=terms.to_json(), at=at) for action, terms, at in changes]
    return plan


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 12, 1), FIRST), (date(2026, 12, 14), FIRST), (date(2026, 12, 15), SLOWER), (date(2027, 3, 1), SLOWER),
])
def test_a_check_in_reads_the_terms_in_force_on_its_due_date(day: date, expected: Plan) -> None:
    plan = _plan(("started", FIRST, datetime(2026, 11, 30, tzinfo=UTC)),
                 ("changed", SLOWER, datetime(2026, 12, 15, 10, tzinfo=UTC)),
                 ("ended", SLOWER, datetime(2027, 2, 1, tzinfo=UTC)))
    assert terms_on(plan, day) == expected


def test_without_history_the_current_terms_apply() -> None:
    assert terms_history(_plan()) == [(date.min, FIRST)]
    assert terms_on(_plan(), date(2026, 12, 20)) == FIRST
