"""The summary page as HTML, for every view that shows it: the page itself, its PDF, and a
decision that did not validate (shown again, open, with its errors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template, url_for
from sqlalchemy.orm import Session

from ..extensions import questionnaire
from ..followup.plans import ACTIVE, plans_of
from .common import or_404
from .decisions import OVERRIDE_REASONS, current_decisions
from .submissions import load_with_stored_evaluation
from .summary import build_summary

START_PLAN = "Start an LDN plan"
SEE_PLAN = "See the LDN plan"
REVIEW_FIRST = "Mark the questionnaire as reviewed to start an LDN plan."


@dataclass(frozen=True)
class PlanLink:
    text: str
    url: str


def plan_links(session: Session, response_id: int, reviewed: bool) -> tuple[PlanLink, ...]:
    """The summary's way to the LDN plan: see the active one, or start one once reviewed;
    and any ended ones, oldest first."""
    plans = plans_of(session, response_id)
    active = [plan_id for plan_id, status in plans if status == ACTIVE]
    ended = sorted(plan_id for plan_id, status in plans if status != ACTIVE)
    links = [PlanLink(SEE_PLAN, url_for("doctor.plan_page", plan_id=plan_id)) for plan_id in active]
    if not active and reviewed:
        links.append(PlanLink(START_PLAN, url_for("doctor.plan_new", response_id=response_id)))
    links += [PlanLink("See the ended LDN plan" if len(ended) == 1 else f"See ended LDN plan {number}",
                       url_for("doctor.plan_page", plan_id=plan_id)) for number, plan_id in enumerate(ended, 1)]
    return tuple(links)


def render_summary(session: Session, response_id: int, template: str, **extra: Any) -> str:
    response, evaluation = or_404(load_with_stored_evaluation(session, response_id))
    view = build_summary(questionnaire(), response, evaluation, current_decisions(session, evaluation.id),
                         date.today())
    reviewed = response.review_status == "reviewed"
    return render_template(template, summary=view, reasons=OVERRIDE_REASONS,
                           plan_links=plan_links(session, response_id, reviewed),
                           plan_hint=None if reviewed else REVIEW_FIRST, **extra)
