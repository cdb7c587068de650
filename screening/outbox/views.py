"""The one page the outbox serves: "stop reminders", opened from a link in an email.

Opening the link changes nothing (mail scanners open links); the patient presses a
button, which posts back with a CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from ..extensions import db, mail
from ..models import record_audit
from .reminders import invitation_for_stop_link, plan_for_stop_link, stop_checkin_reminders, stop_reminders

bp = Blueprint("outbox", __name__)


@bp.route("/reminders/stop/<int:invitation_id>/<token>", methods=["GET", "POST"])
def stop(invitation_id: int, token: str) -> ResponseReturnValue:
    form = FlaskForm()
    with db().write() as session:
        invitation = invitation_for_stop_link(session, invitation_id, token, mail().link_key)
        if invitation is None:
            abort(404)
        stopped = invitation.reminders_stopped
        if not stopped and form.validate_on_submit():
            stop_reminders(session, invitation)
            record_audit(session, "patient", "reminders.stopped", target=f"invitation:{invitation.id}")
            stopped = True
    return render_template("outbox/stop_reminders.html", stopped=stopped)


@bp.route("/reminders/stop-checkins/<int:plan_id>/<token>", methods=["GET", "POST"])
def stop_checkins(plan_id: int, token: str) -> ResponseReturnValue:
    """The same for a plan's check-in reminders (the check-in links themselves still come)."""
    form = FlaskForm()
    with db().write() as session:
        plan = plan_for_stop_link(session, plan_id, token, mail().link_key)
        if plan is None:
            abort(404)
        stopped = plan.reminders_stopped
        if not stopped and form.validate_on_submit():
            stop_checkin_reminders(session, plan)
            record_audit(session, "patient", "reminders.stopped", target=f"plan:{plan.id}")
            stopped = True
    return render_template("outbox/stop_reminders.html", stopped=stopped, checkins=True)
