"""The queue of submissions and the list of invitations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import abort, current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..forms.doctor import EmptyForm, InvitationForm
from ..invitations import create_invitation, invitation_status, reissue
from ..models import Invitation
from ..queue import SEVERITY_FILTERS, QueueFilters, load_queue
from . import bp
from .common import audit, date_arg, db, doctor_id, page_arg

INVITATIONS_PER_PAGE = 50


@bp.get("/")
def queue() -> Any:
    filters = QueueFilters(
        review=request.args.get("review") or None,
        severity=request.args.get("severity") or None,
        appointment_from=date_arg("from"),
        appointment_to=date_arg("to"),
        search=(request.args.get("q") or "").strip()[:64] or None,
        page=page_arg(),
    )
    with db().read() as s:
        page = load_queue(s, filters)
    return render_template("doctor/queue.html", queue=page, filters=filters,
                           severities=list(SEVERITY_FILTERS), args=request.args.to_dict())


def _link(token: str) -> str:
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    return f"{base.rstrip('/')}/i/{token}"


def _expiry(day: date | None) -> datetime | None:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) if day else None


@bp.route("/invitations", methods=["GET", "POST"])
def invitations() -> Any:
    form = InvitationForm()
    created_link = None
    if form.validate_on_submit():
        with db().write() as s:
            invitation, token = create_invitation(
                s, form.patient_ref.data.strip(), form.appointment_date.data,
                expires_at=_expiry(form.expires_on.data),
                days_valid=current_app.config["INVITATION_DAYS_VALID"],
            )
            invitation.created_by_id = doctor_id()
            audit(s, "invitation.created", target=f"invitation:{invitation.id}")
        created_link = _link(token)
        form = InvitationForm(formdata=None)
    page = page_arg()
    with db().read() as s:
        rows = s.scalars(
            select(Invitation).options(selectinload(Invitation.response))
            .order_by(Invitation.id.desc()).limit(INVITATIONS_PER_PAGE + 1)
            .offset((page - 1) * INVITATIONS_PER_PAGE)
        ).all()
        listing = [(inv, invitation_status(inv)) for inv in rows[:INVITATIONS_PER_PAGE]]
    return render_template(
        "doctor/invitations.html", form=form, created_link=created_link, listing=listing,
        page=page, has_next=len(rows) > INVITATIONS_PER_PAGE,
    ), (201 if created_link else 200 if not form.errors else 400)


def _invitation_action(invitation_id: int, action: str) -> Any:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    link = None
    with db().write() as s:
        invitation = s.get(Invitation, invitation_id)
        if invitation is None:
            abort(404)
        if invitation_status(invitation) == "submitted":
            abort(409)
        if action == "revoke":
            invitation.status = "revoked"
        else:
            link = _link(reissue(invitation, days_valid=current_app.config["INVITATION_DAYS_VALID"]))
        audit(s, f"invitation.{action}d", target=f"invitation:{invitation.id}")
        ref = invitation.patient_ref
    return render_template("doctor/invitation_done.html", action=action, link=link, patient_ref=ref)


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int) -> Any:
    return _invitation_action(invitation_id, "revoke")


@bp.post("/invitations/<int:invitation_id>/reissue")
def reissue_invitation(invitation_id: int) -> Any:
    return _invitation_action(invitation_id, "reissue")
