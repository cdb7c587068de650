"""What every patient journey shares: the screening's pages and a check-in's work alike.

A journey is one questionnaire answered through one link: a start page, one URL per page of
its definition, a check page with Change links, a submit and a done page. The page
patterns are written once, here, and each journey's views pass a :class:`Journey` saying
which questionnaire and page forms, which endpoints, how to read the row being answered (a
screening response, a check-in: its answers, revision, link issue and context facts) and how
to save a page to it (a conditional UPDATE). So the error summary, Post/Redirect/Get,
save-and-resume, the stale-tab refusal, the medicine list's buttons, the safety card and
where a saved change lands on the check page are the same on both.

Every call that asks what is shown passes the row's `context` (None for the screening,
which declares no context facts; the check-in's facts from the patient's screening).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import FieldList

from ..extensions import db
from ..forms import PageForms, PatientPageForm, error_items
from ..forms.builders import BUILDERS
from ..questionnaire.display import answer_pages, date_in_words
from ..questionnaire.model import Context, Page, Question, Questionnaire
from ..questionnaire.navigation import (
    estimated_minutes,
    first_incomplete_page,
    is_page_reachable,
    previous_page,
    shown_pages,
)
from .context import mark_just_sent, take_just_sent
from .landing import landing_on_check, row_anchor
from .prefill import Prefill
from .responses import CHECK_PAGE, PageSave, save_page_answers
from .safety import needs_safety_message

RETURN_TO_CHECK = "check"
# With return=check: the check page's row (its AnswerRow.anchor) the patient came to change,
# so saving returns them to that row rather than to the top of a very long page.
ANSWER_ARG = "answer"

STALE_NOTICE = (
    "Your answers were changed in another window or tab since you opened this page, so this "
    "page was not saved. What you typed is below: check it and press the button again."
)
UNSAVED_NOTICE = (
    "For your safety, this page was not saved because it was open for a long time or in "
    "another window. Your answers are still below: check them and press the button again."
)


class Answering(Protocol):
    """What a journey's pages read of the row being answered: a plain snapshot
    (screening.patient.context.PatientContext, screening.followup.journey.CheckinRow)."""

    @property
    def row_id(self) -> int: ...
    @property
    def issue(self) -> int: ...
    @property
    def answers(self) -> dict[str, Any]: ...
    @property
    def current_page(self) -> str: ...
    @property
    def revision(self) -> int: ...
    @property
    def submitted(self) -> bool: ...
    @property
    def today(self) -> date: ...
    @property
    def as_of(self) -> date: ...
    @property
    def link_expires_at(self) -> datetime: ...
    @property
    def context(self) -> Context | None: ...


class Loader(Protocol):
    """Reads the session's row, or None when there is none or its link is no longer usable;
    `for_update` holds it until the write transaction ends."""

    def __call__(self, session: Session, *, for_update: bool = False) -> Answering | None: ...


# Writes a page save if the row is still at the seen revision and link issue; True if written.
Store = Callable[[Session, int, int, int, PageSave], bool]
# Starting answers for a page's shown questions, from what earlier pages say (prefill.py).
Offers = Callable[[Iterable[str], Mapping[str, Any]], dict[str, Prefill]]


def no_offers(question_ids: Iterable[str], answers: Mapping[str, Any]) -> dict[str, Prefill]:
    return {}


@dataclass(frozen=True)
class Journey:
    """One questionnaire's journey, as its views describe it to the shared page patterns."""

    questionnaire: Questionnaire
    forms: PageForms
    # Its endpoints are the patient blueprint's `<prefix>start`, `page`, `check`, `submit`, `done`.
    prefix: str
    load: Loader
    store: Store
    just_sent_key: str  # the session key that lets the done page thank this browser once
    done_template: str
    sent_template: str  # "already sent": a used link, and every later visit of its sessions
    offers: Offers = no_offers

    def endpoint(self, name: str) -> str:
        return f"patient.{self.prefix}{name}"

    def url(self, name: str, **values: Any) -> str:
        return url_for(self.endpoint(name), **values)

    def page_url(self, page_id: str) -> str:
        if page_id == CHECK_PAGE:
            return self.url("check")
        return self.url("page", page_id=page_id)


def link_not_valid() -> tuple[str, int]:
    """One page for every unusable link or session: it must not say which case it is."""
    return render_template("patient/link_not_valid.html"), 404


def last_whole_day(link_expires_at: datetime) -> str:
    """The last whole day a link works, in words (a day early rather than an hour late)."""
    return date_in_words((link_expires_at - timedelta(days=1)).date())


def start(journey: Journey, template: str, *, round_to: int) -> ResponseReturnValue:
    """The start page: what the questions are about, how long they take (estimated from the
    questions this patient sees, rounded up to `round_to` minutes), how to come back."""
    q = journey.questionnaire
    with db().read() as session:
        row = journey.load(session)
        if row is None:
            return link_not_valid()
        if row.submitted:
            return redirect(journey.url("done"))
        shown = {
            "sections": q.sections, "first_page": q.pages[0].id, "started": bool(row.answers),
            "minutes": estimated_minutes(q, row.context, round_to=round_to),
            "link_last_day": last_whole_day(row.link_expires_at),
        }
    return render_template(template, **shown)


def where_to_go(journey: Journey, row: Answering) -> str:
    """The first page still to answer, or the check page."""
    incomplete = first_incomplete_page(journey.questionnaire, row.answers, row.context)
    return incomplete.id if incomplete else CHECK_PAGE


def resume(journey: Journey) -> ResponseReturnValue:
    with db().read() as session:
        row = journey.load(session)
        if row is None:
            return link_not_valid()
        return redirect(journey.page_url(row.current_page))


# --- a question page ------------------------------------------------------------------------


def page(journey: Journey, page_id: str) -> ResponseReturnValue:
    """Show a page (GET), or validate and save it, then redirect (POST)."""
    if page_id not in journey.questionnaire.page_ids:
        abort(404)
    if request.method != "POST":
        with db().read() as session:
            shown = _show_or_validate(journey, session, page_id, posting=False)
        assert not isinstance(shown, _Validated)  # only a POST is validated
        return shown
    # Validate without the write lock (on SQLite a writer locks the whole database, so a
    # lock held through validation would serialise every patient), then save with one
    # conditional UPDATE that only lands if nothing was saved or revoked in between.
    with db().read() as session:
        outcome = _show_or_validate(journey, session, page_id, posting=True)
    if not isinstance(outcome, _Validated):
        return outcome
    with db().write() as session:
        if journey.store(session, outcome.row_id, outcome.revision, outcome.issue, outcome.save):
            return redirect(outcome.next_url)
    # Something changed since the read: decide again on rows locked until the save lands.
    with db().write() as session:
        outcome = _show_or_validate(journey, session, page_id, posting=True, for_update=True)
        if not isinstance(outcome, _Validated):
            return outcome
        if not journey.store(session, outcome.row_id, outcome.revision, outcome.issue, outcome.save):
            return link_not_valid()  # on locked rows only the clock can intervene: the link just expired
    return redirect(outcome.next_url)


class _Validated(NamedTuple):
    """A valid POST, not saved yet: what to write, the revision and link issue it is valid
    at, where to go next."""

    row_id: int
    revision: int
    issue: int
    save: PageSave
    next_url: str


def _show_or_validate(
    journey: Journey, session: Session, page_id: str, *, posting: bool, for_update: bool = False
) -> str | tuple[str, int] | Response | _Validated:
    """The page (or where to go instead), or for a valid POST what saving it would write."""
    q = journey.questionnaire
    row = journey.load(session, for_update=for_update)
    if row is None:
        return link_not_valid()
    if row.submitted:
        return redirect(journey.url("done"))
    answers, context = row.answers, row.context
    if not is_page_reachable(q, page_id, answers, context):
        return redirect(journey.page_url(where_to_go(journey, row)))
    current = q.page(page_id)
    visible = q.visible_ids(answers, context)
    offered = _offered(journey, current, answers, visible)
    # An offered answer only fills the boxes of a page being shown: a POST is read from
    # what the browser sent, so nothing the patient did not see is ever saved.
    shown = answers if posting else {**answers, **{qid: offer.answer for qid, offer in offered.items()}}
    form = journey.forms.form(
        current, answers=shown, visible=visible,
        formdata=request.form if posting else None, today=row.today, as_of=row.as_of,
    )
    if posting and request.form.get("revision") != str(row.revision):
        # A stale tab (or a second window) must not overwrite newer answers silently.
        shown_page = _page_context(journey, row, current, form, offered)
        shown_page["errors"] = []
        return render_template("patient/page.html", notice=STALE_NOTICE, **shown_page), 409
    if posting and not handled_list_action(form) and form.validate():
        save = save_page_answers(q, answers, page_id, journey.forms.answers(current, form, answers), context)
        return _Validated(row.row_id, row.revision, row.issue, save, _next_url(journey, page_id, save, context))
    return render_template("patient/page.html", **_page_context(journey, row, current, form, offered))


def _offered(
    journey: Journey, current: Page, answers: Mapping[str, Any], visible: frozenset[str]
) -> dict[str, Prefill]:
    """Starting answers for this page's shown questions, from what earlier pages say."""
    return journey.offers([question.id for question in current.questions if question.id in visible], answers)


def _next_url(journey: Journey, page_id: str, save: PageSave, context: Context | None) -> str:
    """The page that follows, or back to the check page when the patient came from it:
    to the row they changed, after any question the change opened."""
    q, anchor = journey.questionnaire, row_anchor(request.args.get(ANSWER_ARG))
    if request.args.get("return") == RETURN_TO_CHECK:
        incomplete = first_incomplete_page(q, save.answers, context)
        if incomplete is not None:
            return _change_url(journey, incomplete.id, anchor)
        return _check_url(journey, landing_on_check(q, page_id, save.answers, anchor, returning=True, context=context))
    if save.next_page_id == CHECK_PAGE:
        return _check_url(journey, landing_on_check(q, page_id, save.answers, None, returning=False, context=context))
    return journey.page_url(save.next_page_id)


def _change_url(journey: Journey, page_id: str, anchor: str | None) -> str:
    """A page opened to change an answer: its save returns to the check page (at `anchor`)."""
    args: dict[str, Any] = {"return": RETURN_TO_CHECK, **({ANSWER_ARG: anchor} if anchor else {})}
    return journey.url("page", page_id=page_id, **args)


def _check_url(journey: Journey, element_id: str | None) -> str:
    return journey.url("check", _anchor=element_id) if element_id else journey.url("check")


def page_not_saved(journey: Journey, page_id: str) -> ResponseReturnValue:
    """The page again, with what the patient posted and a fresh CSRF token; nothing saved."""
    q = journey.questionnaire
    if page_id not in q.page_ids:
        abort(404)
    with db().read() as session:
        row = journey.load(session)
        if row is None:
            return link_not_valid()
        current = q.page(page_id)
        visible = q.visible_ids(row.answers, row.context)
        form = journey.forms.form(
            current, answers=row.answers, visible=visible,
            formdata=request.form, today=row.today, as_of=row.as_of,
        )
        offered = _offered(journey, current, row.answers, visible)
        shown_page = _page_context(journey, row, current, form, offered)
    shown_page["errors"] = []
    return render_template("patient/page.html", notice=UNSAVED_NOTICE, **shown_page), 200


def handled_list_action(form: PatientPageForm) -> bool:
    """'Add another medicine' and 'Remove' re-show the page; nothing is lost or saved."""
    lists = [name for name in form.medication_lists if name in form]
    if not lists:
        return False
    medications = form[lists[0]]  # a page holds one medicine list (its buttons name no list)
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


def _page_context(
    journey: Journey, row: Answering, current: Page, form: Any, offered: Mapping[str, Prefill],
) -> dict[str, Any]:
    q = journey.questionnaire
    back = previous_page(q, current.id, row.answers, row.context)
    questions = [_with_note(question, form, offered) for question in current.questions if question.id in form]
    return {
        "page": current,
        "form": form,
        "section": next(s for s in q.sections if s.id == current.section_id),
        "section_number": q.section_number(current.section_id),
        "section_count": len(q.sections),
        "back_url": journey.page_url(back.id) if back else journey.url("start"),
        "questions": questions,
        "errors": error_items(form, questions),
        "safety_message": needs_safety_message(q, row.answers, current.id),
        "return_to": request.args.get("return"),
        "revision": row.revision,
    }


def _with_note(question: Question, form: Any, offered: Mapping[str, Prefill]) -> Question:
    """The question, its hint led by where an offered answer came from while the boxes
    still hold that answer."""
    offer = offered.get(question.id)
    if offer is None or BUILDERS[question.type].to_answer(question, form[question.id].data) != offer.answer:
        return question
    return replace(question, hint=f"{offer.note} {question.hint}" if question.hint else offer.note)


# --- the check page, the submit and the done page ----------------------------------------


def check(journey: Journey, consent: Callable[[Answering], Mapping[str, Any]] | None = None) -> ResponseReturnValue:
    """The check page: every shown answer by page, with Change links to the journey's pages,
    what is still to answer, and the safety card. `consent`: what the page says about the
    screening's question on sharing (a check-in has none)."""
    q = journey.questionnaire
    with db().read() as session:
        row = journey.load(session)
        if row is None:
            return link_not_valid()
        if row.submitted:
            return redirect(journey.url("done"))
        answers = row.answers
        pages = shown_pages(q, answers, row.context)
        shown = {
            "groups": answer_pages(q, answers, row.context),
            "incomplete": first_incomplete_page(q, answers, row.context),
            "back_url": journey.page_url(pages[-1].id),
            "safety_message": needs_safety_message(q, answers, CHECK_PAGE),
            "sections": {s.id: s for s in q.sections},
            "page_endpoint": journey.endpoint("page"),
            "submit_url": journey.url("submit"),
            "consent": consent(row) if consent else None,
        }
    return render_template("patient/check.html", **shown)


def submit(
    journey: Journey, ready: Callable[[Answering], bool], send: Callable[[Session, Answering], bool],
) -> ResponseReturnValue:
    """Send the answers once: `ready` says whether they may be sent, `send` sends them in this
    write transaction and says whether it was this request that did (a double click or a
    second tab finds them sent and stores nothing more)."""
    with db().write() as session:
        row = journey.load(session, for_update=True)  # what is checked is what gets submitted
        if row is None:
            return link_not_valid()
        if not row.submitted:
            if not ready(row):
                return redirect(journey.url("check"))
            if send(session, row):
                mark_just_sent(row.row_id, journey.just_sent_key)
    return redirect(journey.url("done"))


def done(journey: Journey) -> ResponseReturnValue:
    """Thanks (and the safety message, if the answers call for it) once, right after this
    browser's own submit; from then on only the generic "already sent" page."""
    with db().read() as session:
        row = journey.load(session)
        if row is None:
            return link_not_valid()
        if not row.submitted:
            return redirect(journey.url("check"))
        if not take_just_sent(row.row_id, journey.just_sent_key):
            return render_template(journey.sent_template)
        safety = needs_safety_message(journey.questionnaire, row.answers, "done")
    return render_template(journey.done_template, safety_message=safety)
