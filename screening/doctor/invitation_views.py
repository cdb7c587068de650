"""Invitations over HTTP: create one and show its link once, list them, revoke (after a
confirmation page) or re-issue."""

from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue

from ..extensions import db, mail
from ..invitations import invitation_url
from ..models import Invitation
from ..outbox.addresses import address_digest
from . import bp
from .common import audit, doctor_id, or_404, page_arg
from .forms import EmptyForm, InvitationForm, required
from .invitation_list import (
    ActionRefused,
    apply_action,
    find_invitation,
    invite,
    is_refused,
    list_invitations,
    open_invitations,
    same_patient_ref,
)
from .roles import CLINICIAN, role


def _link(token: str) -> str:
    return invitation_url(current_app.config["PUBLIC_BASE_URL"] or request.host_url, token)


@bp.route("/invitations", methods=["GET", "POST"])
@role(CLINICIAN)
def invitations() -> ResponseReturnValue:
    form = InvitationForm()
    created_link = None
    duplicate = None
    emailed = False
    if form.validate_on_submit():
        patient_ref = required(form.patient_ref.data).strip()
        with db().write() as session:
            # A patient reference with an open invitation is created only once the doctor
            # confirms it, for this reference (the form comes back as it was, with a warning).
            if not same_patient_ref(form.confirm_duplicate.data, patient_ref):
                duplicate = open_invitations(session, patient_ref)
            if duplicate is None:
                invitation, token, emailed = invite(
                    session, patient_ref, form.appointment_date.data, form.expires_on.data,
                    days_valid=current_app.config["INVITATION_DAYS_VALID"], doctor_id=doctor_id(),
                    mail=mail(), email=form.email.data or None,
                )
                # The address never enters the audit trail: its fingerprint shows one was given.
                audit(session, "invitation.created", target=f"invitation:{invitation.id}",
                      **({"email_sha256": address_digest(invitation.email)} if invitation.email else {}))
                created_link = _link(token)
        if created_link:
            form = InvitationForm(formdata=None)
    with db().read() as session:
        listing = list_invitations(session, page_arg())
    return render_template(
        "doctor/invitations.html", form=form, created_link=created_link, duplicate=duplicate, listing=listing.rows,
        page=listing.page, has_next=listing.has_next, emailed=created_link is not None and emailed,
        mail_on=mail().enabled,
    ), (201 if created_link else 200 if not form.errors else 400)


def _refused(refused: ActionRefused, action: str, status_code: int) -> ResponseReturnValue:
    """Why this invitation's state rules the action out: a page of its own, not an error page."""
    return render_template(
        "doctor/invitation_refused.html", action=action, status=refused.status, patient_ref=refused.patient_ref,
        response_id=refused.response_id,
    ), status_code


def _invitation_action(invitation_id: int, action: str) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db().write() as session:
        invitation = or_404(session.get(Invitation, invitation_id))
        try:
            done = apply_action(session, invitation, action, days_valid=current_app.config["INVITATION_DAYS_VALID"],
                                mail=mail())
        except ActionRefused as refused:
            return _refused(refused, action, 409)  # nothing changed, nothing to audit
        if action == "resend":
            audit(session, "invitation.resent", target=f"invitation:{invitation.id}")
        else:
            audit(session, f"invitation.{action}d", target=f"invitation:{invitation.id}")
    link = _link(done.token) if done.token else None
    return render_template("doctor/invitation_done.html", action=action, link=link, patient_ref=done.patient_ref,
                           emailed=done.emailed)


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
@role(CLINICIAN)
def revoke_invitation(invitation_id: int) -> ResponseReturnValue:
    """GET asks "are you sure?"; only the POST from that page revokes."""
    if request.method == "POST":
        return _invitation_action(invitation_id, "revoke")
    with db().read() as session:
        row = or_404(find_invitation(session, invitation_id))
    if is_refused(row.status, "revoke"):
        return _refused(ActionRefused.of(row), "revoke", 200)
    return render_template("doctor/invitation_revoke.html", invitation=row.invitation, status=row.status)


@bp.post("/invitations/<int:invitation_id>/reissue")
@role(CLINICIAN)
def reissue_invitation(invitation_id: int) -> ResponseReturnValue:
    return _invitation_action(invitation_id, "reissue")


@bp.post("/invitations/<int:invitation_id>/resend")
@role(CLINICIAN)
def resend_invitation(invitation_id: int) -> ResponseReturnValue:
    """Queue the invitation email again now (the same link): for a bounce fixed, or a lost email."""
    return _invitation_action(invitation_id, "resend")
