"""The summary page as HTML, for every view that shows it: the page itself, its PDF, and a
decision that did not validate (shown again, open, with its errors)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

from ..extensions import questionnaire
from .common import or_404
from .decisions import OVERRIDE_REASONS, current_decisions
from .submissions import load_with_stored_evaluation
from .summary import build_summary


def render_summary(session: Session, response_id: int, template: str, **extra: Any) -> str:
    response, evaluation = or_404(load_with_stored_evaluation(session, response_id))
    view = build_summary(questionnaire(), response, evaluation, current_decisions(session, evaluation.id),
                         date.today())
    return render_template(template, summary=view, reasons=OVERRIDE_REASONS, **extra)
