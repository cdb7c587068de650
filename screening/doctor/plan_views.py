"""LDN treatment plans over HTTP: start one on a reviewed submission, see it (terms, doses by
date, check-ins, history), change it, end it, send a check-in now.

The services (`screening.followup.plans`) decide and write; these views read the forms,
show what was refused or who changed the plan first, and audit each action. A check-in's
link is shown once, on the page that answers the action that created it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..export.loading import followup_bundle_for
from ..extensions import checkin_questionnaire, db, mail
from ..followup.checkins import plan_terms
from ..followup.plan_page import PlanView, build_plan_view
from ..followup.plans import (
    PlanConflict,
    PlanRefused,
    change_plan,
    checkin_links,
    checkin_now,
    checkin_url,
    end_plan,
    load_plan,
    start_plan,
    start_refusal,
)
from ..models import CheckIn, TreatmentPlan, utcnow
from ..outbox.addresses import address_digest
from . import bp
from .checkin_summary import build_checkin_view
from .checkin_trend import TrendSection, trend_section
from .common import audit, audit_access, doctor_id, json_download, or_404
from .forms import EmptyForm
from .pdf import render_pdf
from .plan_forms import CHANGE_NOTE, DEFAULTS_NOTE, EndPlanForm, PlanForm, default_values, plan_values
from .roles import CLINICIAN, role
from .submissions import load_submission

CHANGED = "Plan changed."
ENDED = "Plan ended."
CHANGE_CONFLICT = ("Another doctor changed this plan first: their plan is shown below and your changes were not "
                   "saved. Change it again if it is still needed.")
END_CONFLICT = "Another doctor ended this plan first: it is shown below as they left it."
STALE_FORM = "The form had expired: please send it again."


def _base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"] or request.host_url)


def _links(checkins: list[CheckIn]) -> dict[int, str]:
    return checkin_links(checkins, mail().link_key, _base_url())


def _error_links(form: Any, first: str, prefix: str = "") -> list[tuple[str, str]]:
    """(anchor, message) for the error summary; an expired form token points at the first field."""
    return [(f"{prefix}{first}", STALE_FORM) if name == "csrf_token" else (f"{prefix}{form[name].id}", str(message))
            for name, messages in form.errors.items() for message in messages]


def _change_form(view: PlanView) -> PlanForm:
    return PlanForm(formdata=None, data={**plan_values(view.terms), "version": view.version})


def _end_form(view: PlanView) -> EndPlanForm:
    return EndPlanForm(formdata=None, data={"version": view.version})


def _plan_html(view: PlanView, trend: TrendSection, *, change_form: PlanForm | None = None,
               end_form: EndPlanForm | None = None, open_form: str | None = None) -> str:
    return render_template(
        "doctor/plan_page.html", plan=view, trend=trend, change_form=change_form or _change_form(view),
        end_form=end_form or _end_form(view), open_form=open_form,
        change_errors=_error_links(change_form, "start_date") if open_form == "change" and change_form else [],
        end_errors=_error_links(end_form, "reason", "end-") if open_form == "end" and end_form else [],
        change_note=CHANGE_NOTE,
    )


def _page(plan_id: int, new_links: dict[int, str] | None = None) -> tuple[PlanView, TrendSection]:
    """The plan page's two view-models from one read of the plan (its submission, history and
    check-ins): the terms and schedule, and what the check-ins found with their trend."""
    today, now = date.today(), utcnow()
    with db().read() as session:
        plan = or_404(load_plan(session, plan_id))
        return build_plan_view(plan, today, now, new_links), trend_section(plan, today, now)


def _refused_page(response_id: int, patient_ref: str, refused: PlanRefused, status: int) -> ResponseReturnValue:
    return render_template("doctor/plan_new.html", response_id=response_id, patient_ref=patient_ref, refused=refused,
                           active_plan_id=getattr(refused, "plan_id", None), form=None, errors=[],
                           mail_on=mail().enabled, defaults_note=DEFAULTS_NOTE, earliest_start=None), status


@bp.route("/submissions/<int:response_id>/plan/new", methods=["GET", "POST"])
@role(CLINICIAN)
def plan_new(response_id: int) -> ResponseReturnValue:
    today = date.today()
    with db().read() as session:
        response = or_404(load_submission(session, response_id))
        patient_ref = response.patient_ref or response.invitation.patient_ref
        earliest = response.earliest_start if response.earliest_start and response.earliest_start > today else None
        refusal = start_refusal(session, response_id)
    if refusal is not None:
        return _refused_page(response_id, patient_ref, refusal, 200 if request.method == "GET" else 409)
    form = PlanForm() if request.method == "POST" else PlanForm(data=default_values(today))
    plan = form.read_plan(today) if request.method == "POST" and form.validate_on_submit() else None
    if plan is not None:
        settings = mail()
        with db().write() as session:
            try:
                row = start_plan(session, response_id, plan, doctor_id=doctor_id(),
                                 email=(form.email.data or None) if settings.enabled else None, key=settings.link_key)
            except PlanRefused as refused:  # a decision or another doctor's plan came in meanwhile
                return _refused_page(response_id, patient_ref, refused, 409)
            audit(session, "plan.started", target=f"response:{response_id}", plan_id=row.id,
                  **({"email_sha256": address_digest(row.email)} if row.email else {}))
            plan_id, links = row.id, _links(row.checkins)
        flash("Plan started." + (" Copy the check-in links below now: each is shown only once." if links else ""))
        return _plan_html(*_page(plan_id, links)), 201
    return render_template("doctor/plan_new.html", response_id=response_id, patient_ref=patient_ref, refused=None,
                           form=form, errors=_error_links(form, "start_date"), mail_on=mail().enabled,
                           defaults_note=DEFAULTS_NOTE, earliest_start=earliest), 400 if form.errors else 200


@bp.get("/plans/<int:plan_id>")
@role(CLINICIAN)
def plan_page(plan_id: int) -> ResponseReturnValue:
    view, trend = _page(plan_id)
    html = _plan_html(view, trend)
    audit_access("plan.viewed", target=f"response:{view.response_id}", plan_id=plan_id)
    return html


def _version(form: Any) -> int:
    version = form.version.data
    if version is None:
        abort(400)
    return int(version)


@bp.post("/plans/<int:plan_id>/change")
@role(CLINICIAN)
def plan_change(plan_id: int) -> ResponseReturnValue:
    form = PlanForm()
    version = _version(form)
    today = date.today()
    with db().read() as session:
        current = or_404(session.get(TreatmentPlan, plan_id))  # its start date and patient only
        current_start = plan_terms(current).start_date
    plan = form.read_plan(today, current_start=current_start) if form.validate_on_submit() else None
    if plan is None:
        return _plan_html(*_page(plan_id), change_form=form, open_form="change"), 400
    with db().write() as session:
        try:
            created = change_plan(session, plan_id, plan, version=version, doctor_id=doctor_id(),
                                  key=mail().link_key)
        except PlanConflict:
            refused, conflict = None, True
        except PlanRefused as nothing:
            refused, conflict = nothing, False
        else:
            refused, conflict = None, False
            audit(session, "plan.changed", target=f"response:{current.response_id}", plan_id=plan_id)
            links = _links(created)
    if conflict:
        view, trend = _page(plan_id)
        flash(CHANGE_CONFLICT if view.active else END_CONFLICT, "warning")
        return _plan_html(view, trend), 409
    if refused is not None:
        flash(refused.message, "warning")
        return redirect(url_for("doctor.plan_page", plan_id=plan_id))
    if links:
        flash(f"{CHANGED} Copy the links of the new check-ins below now: each is shown only once.")
        return _plan_html(*_page(plan_id, links))
    flash(CHANGED)
    return redirect(url_for("doctor.plan_page", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/end")
@role(CLINICIAN)
def plan_end(plan_id: int) -> ResponseReturnValue:
    form = EndPlanForm()
    version = _version(form)
    if not form.validate_on_submit():
        return _plan_html(*_page(plan_id), end_form=form, open_form="end"), 400
    with db().write() as session:
        response_id = or_404(session.get(TreatmentPlan, plan_id)).response_id
        try:
            end_plan(session, plan_id, str(form.reason.data), form.note.data, version=version,
                     doctor_id=doctor_id())
        except PlanConflict:
            conflict = True
        else:
            conflict = False
            audit(session, "plan.ended", target=f"response:{response_id}", plan_id=plan_id)
    if conflict:
        view, trend = _page(plan_id)
        flash(END_CONFLICT if not view.active else CHANGE_CONFLICT, "warning")
        return _plan_html(view, trend), 409
    flash(ENDED)
    return redirect(url_for("doctor.plan_page", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/checkin-now")
@role(CLINICIAN)
def plan_checkin_now(plan_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db().write() as session:
        row = or_404(session.get(TreatmentPlan, plan_id))
        try:
            checkin, token = checkin_now(session, plan_id, mail().link_key, date.today())
        except PlanRefused as refused:
            flash(refused.message, "warning")
            return redirect(url_for("doctor.plan_page", plan_id=plan_id))
        if token is not None:
            audit(session, "checkin.created", target=f"response:{row.response_id}", plan_id=plan_id,
                  checkin_id=checkin.id)
        links = {checkin.id: checkin_url(_base_url(), token)} if token is not None else {}
    if not links:
        flash("A check-in due today already exists: its link was shown when it was created.", "warning")
        return redirect(url_for("doctor.plan_page", plan_id=plan_id))
    flash("Check-in created, due today. Copy its link below now: it is shown only once.")
    return _plan_html(*_page(plan_id, links)), 201


@bp.get("/plans/<int:plan_id>/bundle.fhir.json")
@role(CLINICIAN)
def plan_fhir(plan_id: int) -> ResponseReturnValue:
    """The plan (MedicationRequest) and its check-ins (QuestionnaireResponses, Observations)."""
    with db().read() as session:
        document = or_404(followup_bundle_for(session, checkin_questionnaire(), plan_id))
        # The plan the bundle was made from is in the session: read from it, not loaded again.
        response_id = session.get_one(TreatmentPlan, plan_id).response_id
    audit_access("plan.exported", target=f"response:{response_id}", plan_id=plan_id, format="fhir-bundle")
    return json_download(document, f"ldn-plan-{plan_id}.bundle.fhir.json")


@bp.get("/plans/<int:plan_id>/plan.pdf")
@role(CLINICIAN)
def plan_pdf(plan_id: int) -> ResponseReturnValue:
    """The plan, what each sent check-in found and the trend charts, for the clinic's records."""
    today, now = date.today(), utcnow()
    with db().read() as session:
        plan = or_404(load_plan(session, plan_id))
        view, trend = build_plan_view(plan, today, now), trend_section(plan, today, now)
        sent = [build_checkin_view(checkin, None, today, now) for checkin in plan.checkins if checkin.submitted]
    pdf = render_pdf(render_template("doctor/plan_print.html", plan=view, trend=trend, checkins=sent, today=today))
    audit_access("plan.exported", target=f"response:{view.response_id}", plan_id=plan_id, format="pdf")
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="ldn-plan-{plan_id}.pdf"'})
