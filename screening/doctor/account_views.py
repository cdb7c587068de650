"""Sign in (the password step) and out, change one's password, re-authenticate.

The second step of signing in (the code, or enrolling a second factor) is in
`mfa_views`; the rules about failures and delays in `screening.limits`.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth import begin_pending, check_credentials, end_session, find_doctor, mark_authenticated, password_matches
from ..extensions import db
from ..limits import (
    LOGIN_PER_ADDRESS,
    LoginThrottle,
    failed_attempt,
    limiter,
    only_login_attempts,
    too_many_attempts_message,
)
from ..models import Doctor, record_audit
from . import bp
from .account_forms import PasswordChangeForm, ReauthForm
from .accounts import AccountError, change_own_password
from .common import audit, doctor_id
from .forms import EmptyForm, LoginForm, first_error, required
from .mfa import verify_second_factor
from .roles import CLINICIAN, PUBLIC, role
from .signin import complete_sign_in, failed_notice, needs_second_factor, record_failure

GENERIC_LOGIN_ERROR = "The email address or password is not right"
CHANGED_NOTICE = "Your password has been changed. Your other sessions have been signed out."  # noqa: S105  (a message, not a password)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if not target:
        return url_for("doctor.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("doctor.queue")
    return target


def _login_page(form: LoginForm, error: str | None, status: int) -> ResponseReturnValue:
    return render_template("doctor/login.html", form=form, error=error), status


def flash_failed_attempts(notice: str | None) -> None:
    if notice:
        flash(notice, "warning")


@bp.route("/login", methods=["GET", "POST"])
@role(PUBLIC)
@limiter.limit(LOGIN_PER_ADDRESS, exempt_when=only_login_attempts, deduct_when=failed_attempt)
def login() -> ResponseReturnValue:
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, GENERIC_LOGIN_ERROR if form.is_submitted() else None,
                           401 if form.is_submitted() else 200)
    email, password = required(form.email.data), required(form.password.data)
    throttle = LoginThrottle(email, request.remote_addr)
    verdict = throttle.begin()
    if not verdict.allowed:
        return _login_page(form, too_many_attempts_message(verdict.retry_after), 429)
    next_url = safe_next(request.args.get("next"))
    with db().write() as session:
        doctor = check_credentials(session, email, password)
        if doctor is None:
            record_failure(session, "doctor.login_failed", find_doctor(session, email), request.remote_addr)
            throttle.failed()
            return _login_page(form, GENERIC_LOGIN_ERROR, 401)
        if needs_second_factor(doctor):
            begin_pending(doctor, next_url)
            throttle.passed()  # the second factor is still to come: this is not a sign-in yet
            return redirect(url_for("doctor.login_code" if doctor.totp_secret else "doctor.mfa_enrol"))
        # REQUIRE_MFA off and no second factor enrolled (development and tests that say so).
        signed_in = complete_sign_in(session, doctor, None, request.remote_addr)
    throttle.succeeded()
    flash_failed_attempts(failed_notice(signed_in.failed))
    return redirect(signed_in.next_url or next_url)


@bp.post("/logout")
@role(CLINICIAN)
def logout() -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        with db().write() as session:
            acting = doctor_id()
            end_session(session, acting)
            record_audit(session, f"doctor:{acting}", "doctor.logout", target=f"doctor:{acting}",
                         remote_addr=request.remote_addr)
    return redirect(url_for("doctor.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@role(CLINICIAN)
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    error = None
    if not form.validate_on_submit():
        error = first_error(form) if form.is_submitted() else None
    else:
        throttle = LoginThrottle(current_user.email, request.remote_addr)
        verdict = throttle.begin()
        if not verdict.allowed:
            return render_template("doctor/password.html", form=form,
                                   error=too_many_attempts_message(verdict.retry_after)), 429
        try:
            with db().write() as session:
                doctor = change_own_password(session, doctor_id(), required(form.current.data),
                                             required(form.new.data))
                browser_session["doctor_sv"] = doctor.session_version  # this session stays signed in
                audit(session, "doctor.password_changed", target=f"doctor:{doctor.id}")
        except AccountError as problem:
            error = str(problem)
            if "current password" in error:
                throttle.failed()
        else:
            throttle.passed()
            flash(CHANGED_NOTICE)
            return redirect(url_for("doctor.queue"))
    return render_template("doctor/password.html", form=form, error=error), 400 if error else 200


@bp.route("/reauth", methods=["GET", "POST"])
@role(CLINICIAN)
def reauth() -> ResponseReturnValue:
    form = ReauthForm()
    error = None
    if form.validate_on_submit():
        if not (form.password.data or form.code.data):
            error = "Enter your password or a code from your authenticator app"
        else:
            throttle = LoginThrottle(current_user.email, request.remote_addr)
            verdict = throttle.begin()
            if not verdict.allowed:
                error = too_many_attempts_message(verdict.retry_after)
            else:
                proved = _prove(form.password.data or "", form.code.data or "")
                if proved:
                    throttle.succeeded()
                    mark_authenticated()
                    return redirect(safe_next(form.next.data or request.args.get("next")))
                throttle.failed()
                error = "That is not right. Try again."
    elif form.is_submitted():
        error = first_error(form) or "Please try again"
    form.next.data = form.next.data or request.args.get("next", "")
    return render_template("doctor/reauth.html", form=form, error=error), 400 if error else 200


def _prove(password: str, code: str) -> bool:
    """The password or a fresh second-factor code of the signed-in doctor; audited either way."""
    with db().write() as session:
        doctor = session.get(Doctor, doctor_id())
        if doctor is None:
            return False
        ok = (bool(password) and password_matches(doctor, password)) or (
            bool(code) and verify_second_factor(session, doctor, code, time.time()) is not None)
        if ok:
            audit(session, "doctor.reauthenticated", target=f"doctor:{doctor.id}")
        else:
            record_failure(session, "doctor.reauth_failed", doctor, request.remote_addr, actor=f"doctor:{doctor.id}")
    return ok
