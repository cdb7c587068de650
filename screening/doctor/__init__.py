"""The doctor workspace over HTTP. Every route declares who may open it (`roles.role`).

The guard runs before every request of the blueprint, so a new page cannot be added
without it (tests walk the URL map to prove it): a route that declares no role is
refused (and the app refuses to start with one), `public` routes are the sign-in steps,
every other route needs a doctor signed in with the second factor (when `REQUIRE_MFA` is
on) and a role at least the one declared.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask import session as browser_session
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from ..auth import login_manager, session_expired
from .roles import PUBLIC, allows, check_declared, declared_role

bp = Blueprint("doctor", __name__, url_prefix="/doctor")


@bp.before_request
def require_doctor() -> ResponseReturnValue | None:
    needed = declared_role(current_app.view_functions.get(request.endpoint or ""))
    if needed is None:
        abort(403)  # fail closed: a route that says nothing about who may open it
    if needed == PUBLIC:
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
    if current_app.config["REQUIRE_MFA"] and not browser_session.get("mfa"):
        # Signed in without a second factor while it was optional: sign in again with one.
        logout_user()
        browser_session.clear()
        flash("Please sign in again: a second factor is now required.")
        return redirect(url_for("doctor.login"))
    if not allows(current_user.role, needed):
        abort(403)
    return None


from . import (  # noqa: E402,F401  (each module registers its routes on bp)
    account_views,
    admin_views,
    audit_views,
    checkin_views,
    decision_views,
    invitation_views,
    mfa_views,
    plan_views,
    queue_views,
    submission_views,
)


@bp.record_once
def _every_route_declares_a_role(state: BlueprintSetupState) -> None:
    check_declared(state.app)
