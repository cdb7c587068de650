"""Patient routes of the screening. Every Continue saves its page, then redirects
(Post/Redirect/Get); the page patterns are the ones every journey shares (journey.py)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from ..extensions import db, page_forms, questionnaire
from ..limits import PATIENT_LINK_PER_ADDRESS, limiter
from . import bp, journey
from .context import JUST_SENT_KEY, begin_patient_session, load_patient
from .journey import Answering, Journey, link_not_valid
from .journey import handled_list_action as _handled_list_action  # noqa: F401  (tests/questionnaire read it here)
from .prefill import prefills
from .responses import open_link, store_page_save
from .submission import CONSENT_QUESTION, ready_to_submit, submit_response


def screening_journey() -> Journey:
    """The screening's journey: the questionnaire, its forms, its rows and how they are saved."""
    return Journey(
        questionnaire=questionnaire(), forms=page_forms(), prefix="", load=load_patient, store=store_page_save,
        just_sent_key=JUST_SENT_KEY, done_template="patient/done.html", sent_template="patient/already_sent.html",
        offers=prefills,
    )


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
    return journey.start(screening_journey(), "patient/start.html", round_to=5)


@bp.get("/questionnaire/resume")
def resume() -> ResponseReturnValue:
    return journey.resume(screening_journey())


@bp.route("/questionnaire/page/<page_id>", methods=["GET", "POST"])
def page(page_id: str) -> ResponseReturnValue:
    return journey.page(screening_journey(), page_id)


def page_not_saved(page_id: str) -> ResponseReturnValue:
    """The page again, with what the patient posted and a fresh CSRF token; nothing saved."""
    return journey.page_not_saved(screening_journey(), page_id)


def _consent(patient: Answering) -> dict[str, Any]:
    """The check page on the screening's question about sharing the answers."""
    answers = patient.answers
    return {
        "given": answers.get(CONSENT_QUESTION) == "yes",
        "declined": answers.get(CONSENT_QUESTION) == "no",
        "page": questionnaire().questions[CONSENT_QUESTION].page_id,
        "question": CONSENT_QUESTION,
        "link_last_day": journey.last_whole_day(patient.link_expires_at),
    }


@bp.get("/questionnaire/check")
def check() -> ResponseReturnValue:
    return journey.check(screening_journey(), _consent)


def _ready(patient: Answering) -> bool:
    return ready_to_submit(questionnaire(), patient.answers)


def _send(session: Session, patient: Answering) -> bool:
    return submit_response(session, patient.row_id, remote_addr=request.remote_addr)


@bp.post("/questionnaire/submit")
def submit() -> ResponseReturnValue:
    return journey.submit(screening_journey(), _ready, _send)


@bp.get("/questionnaire/done")
def done() -> ResponseReturnValue:
    """Thanks (and the safety message, if the answers call for it) once, right after this
    browser's own submit; from then on only the generic "already sent" page."""
    return journey.done(screening_journey())

