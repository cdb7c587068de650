"""Admin pages: accounts (roles, disabling) and patient data requests (export, erasure).

Changing a role or an account's state, exporting everything held about a patient and
erasing it all need a sign-in within the last ten minutes (`reauth_required`).
"""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from ..extensions import db
from ..models import Doctor
from ..operations.retention import erase_patient, export_patient, ref_digest
from . import bp
from .account_forms import PatientDataForm, RoleForm
from .accounts import AccountError, list_accounts, set_active, set_role
from .common import audit, doctor_id
from .forms import EmptyForm, first_error, required
from .reauth import reauth_required
from .roles import ADMIN, role


@bp.get("/accounts")
@role(ADMIN)
def accounts() -> ResponseReturnValue:
    with db().read() as session:
        rows = list_accounts(session)
    return render_template("doctor/accounts.html", accounts=rows, me=doctor_id())


def _account_change(account_id: int, change: str, value: str | bool) -> ResponseReturnValue:
    with db().write() as session:
        doctor = session.get(Doctor, account_id)
        if doctor is None:
            abort(404)
        try:
            if change == "role":
                set_role(session, doctor, str(value))
            else:
                set_active(session, doctor, bool(value))
        except AccountError as problem:
            message = str(problem)
        else:
            audit(session, f"doctor.{change}_changed", target=f"doctor:{doctor.id}", value=value)
            message = f"{doctor.email}: {change} changed."
    flash(message)
    return redirect(url_for("doctor.accounts"))


@bp.post("/accounts/<int:account_id>/role")
@role(ADMIN)
@reauth_required
def account_role(account_id: int) -> ResponseReturnValue:
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _account_change(account_id, "role", required(form.role.data))


@bp.post("/accounts/<int:account_id>/disable")
@role(ADMIN)
@reauth_required
def account_disable(account_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _account_change(account_id, "active", False)


@bp.post("/accounts/<int:account_id>/enable")
@role(ADMIN)
@reauth_required
def account_enable(account_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _account_change(account_id, "active", True)


@bp.get("/patient-data")
@role(ADMIN)
def patient_data() -> ResponseReturnValue:
    return render_template("doctor/patient_data.html", form=PatientDataForm(), error=None)


def _data_form() -> tuple[PatientDataForm, ResponseReturnValue | None]:
    form = PatientDataForm()
    if form.validate_on_submit():
        return form, None
    return form, (render_template("doctor/patient_data.html", form=form, error=first_error(form)), 400)


@bp.post("/patient-data/export")
@role(ADMIN)
@reauth_required
def patient_data_export() -> ResponseReturnValue:
    form, refused = _data_form()
    if refused is not None:
        return refused
    patient_ref = required(form.patient_ref.data).strip()
    with db().write() as session:  # export_patient records its own audit event
        document = export_patient(session, patient_ref, actor=f"doctor:{doctor_id()}")
    if not document["invitations"]:
        return render_template("doctor/patient_data.html", form=form, error="Nothing is held for that reference"), 404
    return Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="patient-{ref_digest(patient_ref)[:12]}.json"'})


@bp.post("/patient-data/erase")
@role(ADMIN)
@reauth_required
def patient_data_erase() -> ResponseReturnValue:
    form, refused = _data_form()
    if refused is not None:
        return refused
    if not form.confirm.data:
        return render_template("doctor/patient_data.html", form=form,
                               error="Tick the box to confirm the erasure"), 400
    with db().write() as session:
        erased = erase_patient(session, required(form.patient_ref.data).strip(), actor=f"doctor:{doctor_id()}")
    flash(f"Erased {erased} invitation(s) and everything attached to them." if erased
          else "Nothing is held for that reference.")
    return redirect(url_for("doctor.patient_data"))
