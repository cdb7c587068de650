"""The second step of signing in: a code (or a recovery code), or enrolling a second factor.

Both pages work only on a pending session (a right password in the last five minutes,
`screening.auth.begin_pending`); anything else goes back to the sign-in page. A doctor
without a second factor, when one is required, reaches nothing but the enrolment page.
"""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..auth import pending_doctor
from ..extensions import db
from ..limits import LoginThrottle, too_many_attempts_message
from ..models import record_audit
from . import bp
from .account_forms import CodeForm
from .account_views import flash_failed_attempts
from .mfa import enrol, grouped, new_secret, provisioning_uri, qr_svg, recovery_codes_left, verify_second_factor
from .roles import PUBLIC, role
from .signin import complete_sign_in, failed_notice, record_failure

SIGN_IN_AGAIN = "Please sign in again."
WRONG_CODE = "That code is not right, or it has been used already. Enter the newest code from your app."


def _back_to_login() -> ResponseReturnValue:
    flash(SIGN_IN_AGAIN)
    return redirect(url_for("doctor.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@role(PUBLIC)
def login_code() -> ResponseReturnValue:
    with db().read() as session:
        doctor = pending_doctor(session)
        if doctor is None:
            return _back_to_login()
        if not doctor.totp_secret:
            return redirect(url_for("doctor.mfa_enrol"))
        email = doctor.email
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("doctor/login_code.html", form=form,
                               error=WRONG_CODE if form.is_submitted() else None), 400 if form.is_submitted() else 200
    throttle = LoginThrottle(email, request.remote_addr)
    verdict = throttle.begin()
    if not verdict.allowed:
        return render_template("doctor/login_code.html", form=form,
                               error=too_many_attempts_message(verdict.retry_after)), 429
    with db().write() as session:
        doctor = pending_doctor(session)
        if doctor is None:
            return _back_to_login()
        kind = verify_second_factor(session, doctor, form.code.data or "", time.time())
        if kind is None:
            record_failure(session, "doctor.mfa_failed", doctor, request.remote_addr)
            throttle.failed()
            return render_template("doctor/login_code.html", form=form, error=WRONG_CODE), 401
        signed_in = complete_sign_in(session, doctor, kind, request.remote_addr)
        left = recovery_codes_left(session, doctor.id) if kind == "recovery" else None
    throttle.succeeded()
    flash_failed_attempts(failed_notice(signed_in.failed))
    if left is not None:
        flash(f"You signed in with a recovery code. {left} unused recovery code{'' if left == 1 else 's'} left: "
              "ask the administrator to reset your second factor if your authenticator app is lost.")
    return redirect(signed_in.next_url or url_for("doctor.queue"))


@bp.route("/login/enrol", methods=["GET", "POST"])
@role(PUBLIC)
def mfa_enrol() -> ResponseReturnValue:
    with db().read() as session:
        doctor = pending_doctor(session)
        if doctor is None:
            return _back_to_login()
        if doctor.totp_secret:
            return redirect(url_for("doctor.login_code"))
        email = doctor.email
    secret = browser_session.get("pending_secret")
    if not isinstance(secret, str):
        secret = browser_session["pending_secret"] = new_secret()
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        with db().write() as session:
            doctor = pending_doctor(session)
            if doctor is None:
                return _back_to_login()
            codes = enrol(session, doctor, secret, form.code.data or "", time.time())
            if codes is not None:
                record_audit(session, f"doctor:{doctor.id}", "doctor.mfa_enrolled", target=f"doctor:{doctor.id}",
                             remote_addr=request.remote_addr)
                signed_in = complete_sign_in(session, doctor, "totp", request.remote_addr)
        if codes is not None:
            # Shown once, on this response only (pages are never cached). The notice of failed
            # attempts waits for the queue: this page shows no flashed messages.
            flash_failed_attempts(failed_notice(signed_in.failed))
            return render_template("doctor/recovery_codes.html", codes=codes,
                                   next_url=signed_in.next_url or url_for("doctor.queue"))
        error = WRONG_CODE
    elif form.is_submitted():
        error = WRONG_CODE
    uri = provisioning_uri(secret, email)
    return render_template("doctor/mfa_enrol.html", form=form, error=error, secret=grouped(secret),
                           qr=Markup(qr_svg(uri))), 400 if error else 200  # noqa: S704  (segno's own SVG)
