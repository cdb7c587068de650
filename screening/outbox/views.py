"""The one page the outbox serves: "stop reminders", opened from a link in an email — an
invitation's reminders, or a plan's check-in reminders.

Opening the link changes nothing (mail scanners open links); the patient presses a
button, which posts back with a CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from ..extensions import db, mail
from ..models import record_audit
from .reminders import invitation_for_stop_link, plan_for_stop_link, stop_checkin_reminders, stop_reminders

bp = Blueprint("outbox", __name__)


def _stop_page(find: Callable[[Session, int, str, bytes], Any], stop: Callable[[Session, Any], int],
               audited: Callable[[Any], dict[str, Any]], owner_id: int, token: str, *,
               checkins: bool) -> ResponseReturnValue:
    form = FlaskForm()
    with db().write() as session:
        owner = find(session, owner_id, token, mail().link_key)
        if owner is None:
            abort(404)
        stopped = bool(owner.reminders_stopped)
        if not stopped and form.validate_on_submit():
            stop(session, owner)
            record_audit(session, "patient", "reminders.stopped", **audited(owner))
            stopped = True
    return render_template("outbox/stop_reminders.html", stopped=stopped, checkins=checkins)


@bp.route("/reminders/stop/<int:invitation_id>/<token>", methods=["GET", "POST"])
def stop(invitation_id: int, token: str) -> ResponseReturnValue:
    return _stop_page(invitation_for_stop_link, stop_reminders, lambda invitation: {
        "target": f"invitation:{invitation.id}"}, invitation_id, token, checkins=False)


@bp.route("/reminders/stop-checkins/<int:plan_id>/<token>", methods=["GET", "POST"])
def stop_checkins(plan_id: int, token: str) -> ResponseReturnValue:
    """The same for a plan's check-in reminders (the check-in links themselves still come)."""
    # Recorded against the screening, as every plan event is, so the audit page names the patient.
    return _stop_page(plan_for_stop_link, stop_checkin_reminders, lambda plan: {
        "target": f"response:{plan.response_id}", "plan_id": plan.id}, plan_id, token, checkins=True)
