"""Invitations over HTTP: create one and show its link once, list them, revoke or re-issue."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from ..extensions import db
from ..invitations import invitation_url
from ..models import Invitation
from . import bp
from .common import audit, doctor_id, page_arg
from .forms import EmptyForm, InvitationForm, required
from .invitation_list import AlreadySubmitted, apply_action, invite, list_invitations
from .roles import CLINICIAN, role


def _link(token: str) -> str:
    return invitation_url(current_app.config["PUBLIC_BASE_URL"] or request.host_url, token)


@bp.route("/invitations", methods=["GET", "POST"])
@role(CLINICIAN)
def invitations() -> ResponseReturnValue:
    form = InvitationForm()
    created_link = None
    if form.validate_on_submit():
        with db().write() as session:
            invitation, token = invite(
                session, required(form.patient_ref.data).strip(), form.appointment_date.data, form.expires_on.data,
                days_valid=current_app.config["INVITATION_DAYS_VALID"], doctor_id=doctor_id(),
            )
            audit(session, "invitation.created", target=f"invitation:{invitation.id}")
        created_link = _link(token)
        form = InvitationForm(formdata=None)
    with db().read() as session:
        listing = list_invitations(session, page_arg())
    return render_template(
        "doctor/invitations.html", form=form, created_link=created_link, listing=listing.rows,
        page=listing.page, has_next=listing.has_next,
    ), (201 if created_link else 200 if not form.errors else 400)


def _invitation_action(invitation_id: int, action: str) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db().write() as session:
        invitation = session.get(Invitation, invitation_id)
        if invitation is None:
            abort(404)
        try:
            done = apply_action(session, invitation, action, days_valid=current_app.config["INVITATION_DAYS_VALID"])
        except AlreadySubmitted:
            abort(409)
        audit(session, f"invitation.{action}d", target=f"invitation:{invitation.id}")
    link = _link(done.token) if done.token else None
    return render_template("doctor/invitation_done.html", action=action, link=link, patient_ref=done.patient_ref)


@bp.post("/invitations/<int:invitation_id>/revoke")
@role(CLINICIAN)
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    return _invitation_action(invitation_id, "revoke")


@bp.post("/invitations/<int:invitation_id>/reissue")
@role(CLINICIAN)
def reissue_invitation(invitation_id: int) -> ResponseReturnValue:
    return _invitation_action(invitation_id, "reissue")
