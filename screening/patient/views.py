"""Patient routes. Every Continue saves its page, then redirects (Post/Redirect/Get)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import bindparam, exists, update
from sqlalchemy import inspect as sa_inspect
from werkzeug.wrappers import Response

from ..evaluations import project_into_queue, store_evaluation
from ..forms import error_items
from ..invitations import usable_invitation
from ..limits import PATIENT_LINK_PER_ADDRESS, limiter
from ..models import Invitation, QuestionnaireResponse, record_audit, utcnow
from ..questionnaire.display import answer_pages
from ..questionnaire.navigation import (
    estimated_minutes,
    first_incomplete_page,
    is_page_reachable,
    previous_page,
    shown_pages,
)
from ..responses import CHECK_PAGE, mark_submitted, save_page, start_or_resume
from . import bp
from .context import PatientContext, begin_patient_session, db, load_patient, page_forms, questionnaire
from .safety import needs_safety_message

RETURN_TO_CHECK = "check"


def link_not_valid() -> tuple[str, int]:
    """One page for every unusable link or session: it must not say which case it is."""
    return render_template("patient/link_not_valid.html"), 404


@bp.get("/")
def home() -> Any:
    return render_template("home.html")


@bp.get("/i/<token>")
@limiter.limit(PATIENT_LINK_PER_ADDRESS)
def open_invitation(token: str) -> Any:
    with db().write() as s:
        invitation = usable_invitation(s, token)
        if invitation is None:
            return link_not_valid()
        response = start_or_resume(s, invitation, questionnaire())
        record_audit(s, f"patient:{response.id}", "invitation.opened", target=f"response:{response.id}",
                     remote_addr=request.remote_addr)
        response_id, started = response.id, bool(response.answers)
    begin_patient_session(response_id)
    return redirect(url_for("patient.resume" if started else "patient.start"))


@bp.get("/questionnaire/")
def start() -> Any:
    with db().read() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        if patient.response.submitted:
            return redirect(url_for("patient.done"))
        sections = questionnaire().sections
        first_page = questionnaire().pages[0].id
        started = bool(patient.answers)
    return render_template(
        "patient/start.html", sections=sections, first_page=first_page, started=started,
        minutes=estimated_minutes(questionnaire()),
    )


@bp.get("/questionnaire/resume")
def resume() -> Any:
    with db().read() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        return redirect(_page_url(patient.response.current_page))


def _page_url(page_id: str) -> str:
    if page_id == CHECK_PAGE:
        return url_for("patient.check")
    return url_for("patient.page", page_id=page_id)


@bp.route("/questionnaire/page/<page_id>", methods=["GET", "POST"])
def page(page_id: str) -> Any:
    if page_id not in {p.id for p in questionnaire().pages}:
        abort(404)
    if request.method != "POST":
        return _show_or_save(page_id, db().read, posting=False, save=False)
    # Validate without the write lock (on SQLite a writer locks the whole database, so a
    # lock held through validation would serialise every patient), then save with one
    # conditional UPDATE that only lands if nothing was saved or revoked in between.
    outcome = _show_or_save(page_id, db().read, posting=True, save=False)
    if outcome is _SAVE_NEEDS_LOCK:
        return _show_or_save(page_id, db().write, posting=True, save=True)
    if not isinstance(outcome, _Validated):
        return outcome
    with db().write() as s:
        saved = s.connection().execute(_SAVE_IF_UNCHANGED, {
            **outcome.changes, "response_id": outcome.response_id, "seen_revision": outcome.revision,
            "now": utcnow(),
        }).rowcount
    if saved:
        return redirect(outcome.next_url)
    # Something changed since the read: decide again, all under the write lock.
    return _show_or_save(page_id, db().write, posting=True, save=True)


_response, _invitation = QuestionnaireResponse.__table__, Invitation.__table__
# The save of a page validated in a read transaction: it lands only if the response is
# still at the revision it was validated against, not submitted, and its invitation is
# still usable (invitations.is_usable, in SQL; the read applied the function itself).
# Built once; the columns to set are the execution's other parameters.
_SAVE_IF_UNCHANGED = update(_response).where(
    _response.c.id == bindparam("response_id"),
    _response.c.revision == bindparam("seen_revision"),
    _response.c.submitted.is_(False),
    exists().where(
        _invitation.c.id == _response.c.invitation_id,
        _invitation.c.status == "active",
        _invitation.c.expires_at > bindparam("now"),
    ),
)


_SAVE_NEEDS_LOCK = object()


class _Validated(NamedTuple):
    """A valid POST, not saved yet: the columns save_page set, valid at this revision."""

    response_id: int
    revision: int
    changes: dict[str, Any]
    next_url: str


def _show_or_save(page_id: str, unit: Callable[[], Any], *, posting: bool, save: bool) -> Any:
    q = questionnaire()
    with unit() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        if patient.response.submitted:
            return redirect(url_for("patient.done"))
        answers = patient.answers
        if not is_page_reachable(q, page_id, answers):
            return redirect(_page_url(_where_to_go(patient)))
        current = q.page(page_id)
        form = page_forms().form(
            current, answers=answers, visible=q.visible_ids(answers),
            formdata=request.form if posting else None, today=patient.today, as_of=patient.as_of,
        )
        if posting and request.form.get("revision") != str(patient.response.revision):
            # A stale tab (or a second window) must not overwrite newer answers silently.
            context = _page_context(patient, current, form, previous_page(q, page_id, answers))
            context["errors"] = []
            return render_template("patient/page.html", notice=STALE_NOTICE, **context), 409
        if posting and not _handled_list_action(form) and form.validate():
            page_answers = page_forms().answers(current, form)
            if save:
                return redirect(_save(s, patient, page_id, page_answers))
            response, revision = patient.response, patient.response.revision
            with s.no_autoflush:  # applied to the read session's copy only, never flushed
                next_url = _save(s, patient, page_id, page_answers)
            if s.new or s.deleted or any(obj is not response for obj in s.dirty):
                return _SAVE_NEEDS_LOCK  # saving touches more than this row: the full path
            return _Validated(response.id, revision, _changed_columns(response), next_url)
        back = previous_page(q, page_id, answers)
        context = _page_context(patient, current, form, back)
    return render_template("patient/page.html", **context)


def _save(s: Any, patient: PatientContext, page_id: str, page_answers: dict[str, Any]) -> str:
    """Saves the page on the response object; returns where the patient goes next."""
    q = questionnaire()
    next_id = save_page(s, patient.response, q, page_id, page_answers)
    if request.args.get("return") == RETURN_TO_CHECK:
        incomplete = first_incomplete_page(q, patient.response.answers)
        next_id = incomplete.id if incomplete else CHECK_PAGE
    return _page_url(next_id)


def _changed_columns(instance: Any) -> dict[str, Any]:
    """Column name -> new value, for every column attribute changed on `instance` since it was loaded."""
    state = sa_inspect(instance)
    columns = {prop.key: prop.columns[0].name for prop in state.mapper.column_attrs}
    return {
        columns[key]: getattr(instance, key)
        for key in state.committed_state  # the attributes that were set
        if key in columns and state.attrs[key].history.has_changes()
    }


STALE_NOTICE = (
    "Your answers were changed in another window or tab since you opened this page, so this "
    "page was not saved. What you typed is below: check it and press the button again."
)
UNSAVED_NOTICE = (
    "For your safety, this page was not saved because it was open for a long time or in "
    "another window. Your answers are still below: check them and press the button again."
)


def page_not_saved(page_id: str) -> Any:
    """The page again, with what the patient posted and a fresh CSRF token; nothing saved."""
    q = questionnaire()
    if page_id not in {p.id for p in q.pages}:
        abort(404)
    with db().read() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        current = q.page(page_id)
        form = page_forms().form(
            current, answers=patient.answers, visible=q.visible_ids(patient.answers),
            formdata=request.form, today=patient.today, as_of=patient.as_of,
        )
        context = _page_context(patient, current, form, previous_page(q, page_id, patient.answers))
    context["errors"] = []
    return render_template("patient/page.html", notice=UNSAVED_NOTICE, **context), 200


def _handled_list_action(form: Any) -> bool:
    """'Add another medicine' and 'Remove' re-show the page; nothing is lost or saved."""
    if "medications" not in form:
        return False
    if "add_medicine" in request.form:
        if len(form.medications.entries) < (form.medications.max_entries or 40):
            form.medications.append_entry()
        return True
    remove = request.form.get("remove_medicine")
    if remove is not None and remove.isdigit() and int(remove) < len(form.medications.entries):
        del form.medications.entries[int(remove)]
        if not form.medications.entries:
            form.medications.append_entry()
        return True
    return False


def _where_to_go(patient: PatientContext) -> str:
    incomplete = first_incomplete_page(questionnaire(), patient.answers)
    return incomplete.id if incomplete else CHECK_PAGE


def _page_context(patient: PatientContext, current: Any, form: Any, back: Any) -> dict[str, Any]:
    q = questionnaire()
    questions = [question for question in current.questions if question.id in form]
    return {
        "page": current,
        "form": form,
        "section": next(s for s in q.sections if s.id == current.section_id),
        "section_number": q.section_number(current.section_id),
        "section_count": len(q.sections),
        "back_url": _page_url(back.id) if back else url_for("patient.start"),
        "questions": questions,
        "errors": error_items(form, questions),
        "safety_message": needs_safety_message(q, patient.answers, current.id),
        "return_to": request.args.get("return"),
        "revision": patient.response.revision,
    }


@bp.get("/questionnaire/check")
def check() -> Any:
    q = questionnaire()
    with db().read() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        if patient.response.submitted:
            return redirect(url_for("patient.done"))
        answers = patient.answers
        incomplete = first_incomplete_page(q, answers)
        pages = shown_pages(q, answers)
        context = {
            "groups": answer_pages(q, answers),
            "incomplete": incomplete,
            "back_url": _page_url(pages[-1].id),
            "safety_message": needs_safety_message(q, answers, CHECK_PAGE),
            "consent_given": answers.get("consent_share") == "yes",
            "sections": {s.id: s for s in q.sections},
        }
    return render_template("patient/check.html", **context)


@bp.post("/questionnaire/submit")
def submit() -> Response | Any:
    q = questionnaire()
    with db().write() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        if not patient.response.submitted:
            incomplete = first_incomplete_page(q, patient.answers)
            if incomplete is not None or patient.answers.get("consent_share") != "yes":
                return redirect(url_for("patient.check"))
            if mark_submitted(s, patient.response.id):
                s.refresh(patient.response)
                evaluation = store_evaluation(s, patient.response, kind="submission")
                project_into_queue(patient.response, evaluation)
                record_audit(s, f"patient:{patient.response.id}", "response.submitted",
                             target=f"response:{patient.response.id}", remote_addr=request.remote_addr)
    return redirect(url_for("patient.done"))


@bp.get("/questionnaire/done")
def done() -> Any:
    with db().read() as s:
        patient = load_patient(s)
        if patient is None:
            return link_not_valid()
        if not patient.response.submitted:
            return redirect(url_for("patient.check"))
        safety = needs_safety_message(questionnaire(), patient.answers, "done")
    return render_template("patient/done.html", safety_message=safety)
