"""The doctor workspace over HTTP. Every route needs a signed-in doctor except login.

The guard runs before every request of the blueprint, so a new page cannot be added
without it (tests walk the URL map to prove it).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask import session as browser_session
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from ..auth import login_manager, session_expired

bp = Blueprint("doctor", __name__, url_prefix="/doctor")
PUBLIC_ENDPOINTS = {"doctor.login"}


@bp.before_request
def require_doctor() -> ResponseReturnValue | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        to_login: ResponseReturnValue = login_manager.unauthorized()  # flask-login ships no types
        return to_login
    reason = session_expired()
    if reason:
        logout_user()
        browser_session.clear()
        flash("You were signed out after a period without activity." if reason == "idle"
              else "Your session ended. Please sign in again.")
        return redirect(url_for("doctor.login"))
    return None


from . import (  # noqa: E402,F401  (each module registers its routes on bp)
    account_views,
    audit_views,
    decision_views,
    invitation_views,
    queue_views,
    submission_views,
)
