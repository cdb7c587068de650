"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..auth import check_credentials, end_session, normalise_email, start_session
from ..extensions import db
from ..limits import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, limiter, login_account_key, only_login_attempts
from ..models import record_audit
from . import bp
from .common import doctor_id
from .forms import EmptyForm, LoginForm, required

GENERIC_LOGIN_ERROR = "The email address or password is not right"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to somewhere else."""
    if not target:
        return url_for("doctor.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("doctor.queue")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_ADDRESS, exempt_when=only_login_attempts)
@limiter.limit(LOGIN_PER_ACCOUNT, key_func=login_account_key, exempt_when=only_login_attempts)
def login() -> ResponseReturnValue:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        email, password = required(form.email.data), required(form.password.data)
        with db().write() as session:
            doctor = check_credentials(session, email, password)
            if doctor is not None:
                start_session(doctor)
                record_audit(session, f"doctor:{doctor.id}", "doctor.login", target=f"doctor:{doctor.id}",
                             remote_addr=request.remote_addr)
                return redirect(safe_next(request.args.get("next")))
            record_audit(session, "anonymous", "doctor.login_failed", remote_addr=request.remote_addr,
                         email=normalise_email(email)[:254])
        error = GENERIC_LOGIN_ERROR
    elif form.errors:
        error = GENERIC_LOGIN_ERROR if form.is_submitted() else None
    status = 401 if error else 200
    return render_template("doctor/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        with db().write() as session:
            acting = doctor_id()
            end_session(session, acting)
            record_audit(session, f"doctor:{acting}", "doctor.logout", target=f"doctor:{acting}",
                         remote_addr=request.remote_addr)
    return redirect(url_for("doctor.login"))
