"""Patient routes of a check-in (followup.md section 2): its link, then the screening's page
patterns (journey.py) on the check-in's definition, shown on the facts of the patient's
screening (CheckinRow.context).

`/c/<token>` swaps the link for a session of this one check-in and redirects to a clean URL;
before the check-in's due date it says when it opens; a link that is unknown, expired or
whose plan has ended gets the same "link not valid" page as an invitation.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from ..extensions import checkin_page_forms, checkin_questionnaire, db
from ..followup.checkins import VALID_DAYS
from ..followup.journey import CheckinRow, open_checkin, submit_checkin
from ..limits import PATIENT_LINK_PER_ADDRESS, limiter
from ..questionnaire.navigation import first_incomplete_page
from . import bp, journey
from .context import CHECKIN_JUST_SENT_KEY, begin_checkin_session, load_checkin, today
from .journey import Answering, Journey, link_not_valid
from .responses import store_checkin_page_save

SENT_TEMPLATE = "patient/checkin_sent.html"
# A check-in is short: its time is rounded up to the minute, not to five.
ROUND_MINUTES_TO = 1


def checkin_journey() -> Journey:
    """The check-in's journey: its definition and forms, the session's check-in, its saves."""
    return Journey(
        questionnaire=checkin_questionnaire(), forms=checkin_page_forms(), prefix="checkin_",
        load=load_checkin, store=store_checkin_page_save, just_sent_key=CHECKIN_JUST_SENT_KEY,
        done_template="patient/checkin_done.html", sent_template=SENT_TEMPLATE,
    )


@bp.get("/c/<token>")
@limiter.limit(PATIENT_LINK_PER_ADDRESS)
def open_checkin_link(token: str) -> ResponseReturnValue:
    with db().write() as session:
        opened = open_checkin(session, token, checkin_questionnaire(), today=today(),
                              remote_addr=request.remote_addr)
    if opened.state == "not valid":
        return link_not_valid()
    if opened.state == "sent":
        return render_template(SENT_TEMPLATE)  # used up: no session, nothing to read
    if opened.state == "not open yet":
        return render_template("patient/checkin_not_open.html", opens_on=opened.opens_on, valid_days=VALID_DAYS)
    begin_checkin_session(opened.checkin_id, opened.issue)
    return redirect(url_for("patient.checkin_resume" if opened.started else "patient.checkin_start"))


@bp.get("/checkin/")
def checkin_start() -> ResponseReturnValue:
    return journey.start(checkin_journey(), "patient/checkin_start.html", round_to=ROUND_MINUTES_TO)


@bp.get("/checkin/resume")
def checkin_resume() -> ResponseReturnValue:
    return journey.resume(checkin_journey())


@bp.route("/checkin/page/<page_id>", methods=["GET", "POST"])
def checkin_page(page_id: str) -> ResponseReturnValue:
    return journey.page(checkin_journey(), page_id)


def page_not_saved(page_id: str) -> ResponseReturnValue:
    """The page again, with what the patient posted and a fresh CSRF token; nothing saved."""
    return journey.page_not_saved(checkin_journey(), page_id)


@bp.get("/checkin/check")
def checkin_check() -> ResponseReturnValue:
    return journey.check(checkin_journey())


def _ready(row: Answering) -> bool:
    return first_incomplete_page(checkin_questionnaire(), row.answers, row.context) is None


def _send(session: Session, row: Answering) -> bool:
    assert isinstance(row, CheckinRow)  # checkin_journey() loads check-ins
    return submit_checkin(session, row, checkin_questionnaire(), remote_addr=request.remote_addr)


@bp.post("/checkin/submit")
def checkin_submit() -> ResponseReturnValue:
    return journey.submit(checkin_journey(), _ready, _send)


@bp.get("/checkin/done")
def checkin_done() -> ResponseReturnValue:
    return journey.done(checkin_journey())
