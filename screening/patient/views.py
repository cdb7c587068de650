"""Patient routes. Every Continue saves its page, then redirects (Post/Redirect/Get)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any, NamedTuple

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import FieldList

from ..extensions import db, page_forms, questionnaire
from ..forms import PatientPageForm, error_items
from ..forms.builders import BUILDERS
from ..limits import PATIENT_LINK_PER_ADDRESS, limiter
from ..questionnaire.display import answer_pages, long_date
from ..questionnaire.model import Page, Question
from ..questionnaire.navigation import (
    estimated_minutes,
    first_incomplete_page,
    is_page_reachable,
    previous_page,
    shown_pages,
)
from . import bp
from .context import PatientContext, begin_patient_session, load_patient, mark_just_sent, take_just_sent
from .landing import landing_on_check, row_anchor
from .prefill import Prefill, prefills
from .responses import CHECK_PAGE, PageSave, open_link, save_page_answers, store_page_save
from .safety import needs_safety_message
from .submission import CONSENT_QUESTION, ready_to_submit, submit_response

RETURN_TO_CHECK = "check"
# With return=check: the check page's row (its AnswerRow.anchor) the patient came to change,
# so saving returns them to that row rather than to the top of a very long page.
ANSWER_ARG = "answer"


def link_not_valid() -> tuple[str, int]:
    """One page for every unusable link or session: it must not say which case it is."""
    return render_template("patient/link_not_valid.html"), 404


def already_sent() -> str:
    """What a used link, and every session of it, shows once the answers were sent: the same
    page for everyone, so it repeats nothing the patient said (no answers, no safety message)."""
    return render_template("patient/already_sent.html")


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("home.html")


@bp.get("/i/<token>")
@limiter.limit(PATIENT_LINK_PER_ADDRESS)
def open_invitation(token: str) -> ResponseReturnValue:
    with db().write() as session:
        opened = open_link(session, token, questionnaire(), remote_addr=request.remote_addr)
    if opened is None:
        return link_not_valid()
    if opened.submitted:
        return already_sent()  # the link is used up: no session, nothing to read
    begin_patient_session(opened.response_id, opened.issue)
    return redirect(url_for("patient.resume" if opened.started else "patient.start"))


@bp.get("/questionnaire/")
def start() -> ResponseReturnValue:
    with db().read() as session:
        patient = load_patient(session)
        if patient is None:
            return link_not_valid()
        if patient.submitted:
            return redirect(url_for("patient.done"))
        sections = questionnaire().sections
        first_page = questionnaire().pages[0].id
        started = bool(patient.answers)
    return render_template(
        "patient/start.html", sections=sections, first_page=first_page, started=started,
        minutes=estimated_minutes(questionnaire()),
    )


@bp.get("/questionnaire/resume")
def resume() -> ResponseReturnValue:
    with db().read() as session:
        patient = load_patient(session)
        if patient is None:
            return link_not_valid()
        return redirect(_page_url(patient.current_page))


def _page_url(page_id: str) -> str:
    if page_id == CHECK_PAGE:
        return url_for("patient.check")
    return url_for("patient.page", page_id=page_id)


@bp.route("/questionnaire/page/<page_id>", methods=["GET", "POST"])
def page(page_id: str) -> ResponseReturnValue:
    if page_id not in questionnaire().page_ids:
        abort(404)
    if request.method != "POST":
        with db().read() as session:
            shown = _show_or_validate(session, page_id, posting=False)
        assert not isinstance(shown, _Validated)  # only a POST is validated
        return shown
    # Validate without the write lock (on SQLite a writer locks the whole database, so a
    # lock held through validation would serialise every patient), then save with one
    # conditional UPDATE that only lands if nothing was saved or revoked in between.
    with db().read() as session:
        outcome = _show_or_validate(session, page_id, posting=True)
    if not isinstance(outcome, _Validated):
        return outcome
    with db().write() as session:
        if store_page_save(session, outcome.response_id, outcome.revision, outcome.issue, outcome.save):
            return redirect(outcome.next_url)
    # Something changed since the read: decide again on rows locked until the save lands.
    with db().write() as session:
        outcome = _show_or_validate(session, page_id, posting=True, for_update=True)
        if not isinstance(outcome, _Validated):
            return outcome
        if not store_page_save(session, outcome.response_id, outcome.revision, outcome.issue, outcome.save):
            return link_not_valid()  # on locked rows only the clock can intervene: the link just expired
    return redirect(outcome.next_url)


class _Validated(NamedTuple):
    """A valid POST, not saved yet: what to write, the revision and link issue it is valid
    at, where to go next."""

    response_id: int
    revision: int
    issue: int
    save: PageSave
    next_url: str


def _show_or_validate(
    session: Session, page_id: str, *, posting: bool, for_update: bool = False
) -> str | tuple[str, int] | Response | _Validated:
    """The page (or where to go instead), or for a valid POST what saving it would write."""
    q = questionnaire()
    patient = load_patient(session, for_update=for_update)
    if patient is None:
        return link_not_valid()
    if patient.submitted:
        return redirect(url_for("patient.done"))
    answers = patient.answers
    if not is_page_reachable(q, page_id, answers):
        return redirect(_page_url(_where_to_go(patient)))
    current = q.page(page_id)
    visible = q.visible_ids(answers)
    offered = _offered(current, answers, visible)
    # An offered answer only fills the boxes of a page being shown: a POST is read from
    # what the browser sent, so nothing the patient did not see is ever saved.
    shown = answers if posting else {**answers, **{qid: offer.answer for qid, offer in offered.items()}}
    form = page_forms().form(
        current, answers=shown, visible=visible,
        formdata=request.form if posting else None, today=patient.today, as_of=patient.as_of,
    )
    if posting and request.form.get("revision") != str(patient.revision):
        # A stale tab (or a second window) must not overwrite newer answers silently.
        context = _page_context(patient, current, form, previous_page(q, page_id, answers), offered)
        context["errors"] = []
        return render_template("patient/page.html", notice=STALE_NOTICE, **context), 409
    if posting and not _handled_list_action(form) and form.validate():
        save = save_page_answers(q, answers, page_id, page_forms().answers(current, form, answers))
        return _Validated(patient.response_id, patient.revision, patient.issue, save, _next_url(page_id, save))
    context = _page_context(patient, current, form, previous_page(q, page_id, answers), offered)
    return render_template("patient/page.html", **context)


def _offered(current: Page, answers: Mapping[str, Any], visible: frozenset[str]) -> dict[str, Prefill]:
    """Starting answers for this page's shown questions, from what earlier pages say."""
    return prefills([question.id for question in current.questions if question.id in visible], answers)


def _next_url(page_id: str, save: PageSave) -> str:
    """The page that follows, or back to the check page when the patient came from it:
    to the row they changed, after any question the change opened."""
    q, row = questionnaire(), row_anchor(request.args.get(ANSWER_ARG))
    if request.args.get("return") == RETURN_TO_CHECK:
        incomplete = first_incomplete_page(q, save.answers)
        if incomplete is not None:
            return _change_url(incomplete.id, row)
        return _check_url(landing_on_check(q, page_id, save.answers, row, returning=True))
    if save.next_page_id == CHECK_PAGE:
        return _check_url(landing_on_check(q, page_id, save.answers, None, returning=False))
    return _page_url(save.next_page_id)


def _change_url(page_id: str, row: str | None) -> str:
    """A page opened to change an answer: its save returns to the check page (at `row`)."""
    args: dict[str, Any] = {"return": RETURN_TO_CHECK, **({ANSWER_ARG: row} if row else {})}
    return url_for("patient.page", page_id=page_id, **args)


def _check_url(element_id: str | None) -> str:
    return url_for("patient.check", _anchor=element_id) if element_id else url_for("patient.check")


STALE_NOTICE = (
    "Your answers were changed in another window or tab since you opened this page, so this "
    "page was not saved. What you typed is below: check it and press the button again."
)
UNSAVED_NOTICE = (
    "For your safety, this page was not saved because it was open for a long time or in "
    "another window. Your answers are still below: check them and press the button again."
)


def page_not_saved(page_id: str) -> ResponseReturnValue:
    """The page again, with what the patient posted and a fresh CSRF token; nothing saved."""
    q = questionnaire()
    if page_id not in q.page_ids:
        abort(404)
    with db().read() as session:
        patient = load_patient(session)
        if patient is None:
            return link_not_valid()
        current = q.page(page_id)
        visible = q.visible_ids(patient.answers)
        form = page_forms().form(
            current, answers=patient.answers, visible=visible,
            formdata=request.form, today=patient.today, as_of=patient.as_of,
        )
        offered = _offered(current, patient.answers, visible)
        context = _page_context(patient, current, form, previous_page(q, page_id, patient.answers), offered)
    context["errors"] = []
    return render_template("patient/page.html", notice=UNSAVED_NOTICE, **context), 200


def _handled_list_action(form: PatientPageForm) -> bool:
    """'Add another medicine' and 'Remove' re-show the page; nothing is lost or saved."""
    if "medications" not in form:
        return False
    medications = form["medications"]
    assert isinstance(medications, FieldList)  # the medication_list builder's field
    if "add_medicine" in request.form:
        limit = medications.max_entries
        assert limit is not None  # built from the definition's max_entries, which the loader requires
        if len(medications.entries) < limit:
            medications.append_entry()
        return True
    remove = request.form.get("remove_medicine")
    if remove is not None and remove.isdigit() and int(remove) < len(medications.entries):
        del medications.entries[int(remove)]
        if not medications.entries:
            medications.append_entry()
        return True
    return False


def _where_to_go(patient: PatientContext) -> str:
    incomplete = first_incomplete_page(questionnaire(), patient.answers)
    return incomplete.id if incomplete else CHECK_PAGE


def _page_context(
    patient: PatientContext, current: Page, form: Any, back: Page | None, offered: Mapping[str, Prefill],
) -> dict[str, Any]:
    q = questionnaire()
    questions = [_with_note(question, form, offered) for question in current.questions if question.id in form]
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
        "revision": patient.revision,
    }


def _with_note(question: Question, form: Any, offered: Mapping[str, Prefill]) -> Question:
    """The question, its hint led by where an offered answer came from while the boxes
    still hold that answer."""
    offer = offered.get(question.id)
    if offer is None or BUILDERS[question.type].to_answer(question, form[question.id].data) != offer.answer:
        return question
    return replace(question, hint=f"{offer.note} {question.hint}" if question.hint else offer.note)


@bp.get("/questionnaire/check")
def check() -> ResponseReturnValue:
    q = questionnaire()
    with db().read() as session:
        patient = load_patient(session)
        if patient is None:
            return link_not_valid()
        if patient.submitted:
            return redirect(url_for("patient.done"))
        answers = patient.answers
        incomplete = first_incomplete_page(q, answers)
        pages = shown_pages(q, answers)
        context = {
            "groups": answer_pages(q, answers),
            "incomplete": incomplete,
            "back_url": _page_url(pages[-1].id),
            "safety_message": needs_safety_message(q, answers, CHECK_PAGE),
            "consent_given": answers.get(CONSENT_QUESTION) == "yes",
            "declined": answers.get(CONSENT_QUESTION) == "no",
            "consent_page": q.questions[CONSENT_QUESTION].page_id,
            "consent_question": CONSENT_QUESTION,
            # The last whole day the link works (a day early rather than an hour late).
            "link_last_day": long_date((patient.link_expires_at - timedelta(days=1)).date().isoformat()),
            "sections": {s.id: s for s in q.sections},
        }
    return render_template("patient/check.html", **context)


@bp.post("/questionnaire/submit")
def submit() -> ResponseReturnValue:
    q = questionnaire()
    with db().write() as session:
        patient = load_patient(session, for_update=True)  # what is checked is what gets submitted
        if patient is None:
            return link_not_valid()
        if not patient.submitted:
            if not ready_to_submit(q, patient.answers):
                return redirect(url_for("patient.check"))
            if submit_response(session, patient.response_id, remote_addr=request.remote_addr):
                mark_just_sent(patient.response_id)
    return redirect(url_for("patient.done"))


@bp.get("/questionnaire/done")
def done() -> ResponseReturnValue:
    """Thanks (and the safety message, if the answers call for it) once, right after this
    browser's own submit; from then on only the generic "already sent" page."""
    with db().read() as session:
        patient = load_patient(session)
        if patient is None:
            return link_not_valid()
        if not patient.submitted:
            return redirect(url_for("patient.check"))
        if not take_just_sent(patient.response_id):
            return already_sent()
        safety = needs_safety_message(questionnaire(), patient.answers, "done")
    return render_template("patient/done.html", safety_message=safety)
