"""A patient's questionnaire response: start or resume it, save a page, submit it (and a
check-in's page save, written by screening.followup.journey, in the same shape).

Each function runs inside the caller's write transaction. Saving merges the page's
answers, then drops every answer whose question is now hidden, so changing an earlier
answer can never leave a stale branch behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session

from ..db import rows_changed
from ..followup.journey import store_checkin_save
from ..invitations import usable_invitation
from ..models import Invitation, QuestionnaireResponse, record_audit, table_of, utcnow
from ..questionnaire import medicine_check
from ..questionnaire.model import Context, Questionnaire
from ..questionnaire.navigation import next_page

CHECK_PAGE = "check"


def start_or_resume(session: Session, invitation: Invitation, questionnaire: Questionnaire) -> QuestionnaireResponse:
    response = session.scalar(
        select(QuestionnaireResponse).where(QuestionnaireResponse.invitation_id == invitation.id)
    )
    if response is None:
        response = QuestionnaireResponse(
            invitation_id=invitation.id,
            questionnaire_version=questionnaire.version,
            answers={},
            current_page=questionnaire.pages[0].id,
        )
        session.add(response)
        session.flush()
        record_audit(session, f"patient:{response.id}", "response.started", target=f"response:{response.id}")
    return response


class OpenedLink(NamedTuple):
    """What a usable link opens: its response, the link's current issue (the session keeps
    it), whether the patient has answered anything yet and whether the answers were sent."""

    response_id: int
    issue: int
    started: bool
    submitted: bool


def open_link(
    session: Session, token: str, questionnaire: Questionnaire, *, remote_addr: str | None,
) -> OpenedLink | None:
    """The response a usable link opens (started if new); None for every unusable link
    alike, so the page cannot tell which case it was."""
    invitation = usable_invitation(session, token)
    if invitation is None:
        return None
    response = start_or_resume(session, invitation, questionnaire)
    record_audit(session, f"patient:{response.id}", "invitation.opened", target=f"response:{response.id}",
                 remote_addr=remote_addr)
    return OpenedLink(response.id, invitation.issue, bool(response.answers), response.submitted)


def merge_page_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], page_answers: Mapping[str, Any],
    context: Context | None = None,
) -> dict[str, Any]:
    """Saved answers updated with one page; blanks removed; hidden questions pruned (in
    `context`, for a questionnaire shown on context facts); the patient's answers on
    unrecognised medicines kept only where they still apply."""
    merged = {**answers, **page_answers}
    merged = {qid: value for qid, value in merged.items() if value is not None}
    kept, _dropped = questionnaire.prune(merged, context)
    return medicine_check.settle(questionnaire, answers, kept)


class PageSave(NamedTuple):
    """A page's answers merged into a response: the new answers and the page that follows."""

    answers: dict[str, Any]
    next_page_id: str


def save_page_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], page_id: str, page_answers: Mapping[str, Any],
    context: Context | None = None,
) -> PageSave:
    """What saving one page makes of a response's (or a check-in's) answers, and where the
    patient goes next."""
    merged = merge_page_answers(questionnaire, answers, page_answers, context)
    following = next_page(questionnaire, page_id, merged, context)
    return PageSave(merged, following.id if following else CHECK_PAGE)


_response, _invitation = table_of(QuestionnaireResponse), table_of(Invitation)
# A page save lands only if the response is still at the revision its page was validated
# against, not submitted, and its invitation still usable (invitations.is_usable, in SQL)
# at the issue the patient's session was opened under. So a page can be validated without
# the write lock (on SQLite a writer locks the whole database) and a stale tab, a revoked
# or re-issued link or a session it ended can never overwrite newer answers.
_now = bindparam("now", type_=_response.c.updated_at.type)
_SAVE_IF_UNCHANGED = update(_response).where(
    _response.c.id == bindparam("response_id"),
    _response.c.revision == bindparam("seen_revision"),
    _response.c.submitted.is_(False),
    exists().where(
        _invitation.c.id == _response.c.invitation_id,
        _invitation.c.status == "active",
        _invitation.c.expires_at > _now,
        _invitation.c.issue == bindparam("issue"),
    ),
).values(
    answers=bindparam("new_answers", type_=_response.c.answers.type), current_page=bindparam("new_page"),
    revision=_response.c.revision + 1, updated_at=_now,
)


def store_page_save(session: Session, response_id: int, seen_revision: int, issue: int, save: PageSave) -> bool:
    """Writes `save` if nothing changed since `seen_revision` and the link is still at the
    session's `issue`; True if it was written."""
    result = session.connection().execute(_SAVE_IF_UNCHANGED, {
        "response_id": response_id, "seen_revision": seen_revision, "issue": issue, "now": utcnow(),
        "new_answers": save.answers, "new_page": save.next_page_id,
    })
    return rows_changed(result) == 1


def store_checkin_page_save(session: Session, checkin_id: int, seen_revision: int, issue: int, save: PageSave) -> bool:
    """A check-in's page save, as `store_page_save` writes a response's: True if it was written."""
    return store_checkin_save(session, checkin_id, seen_revision, issue, save.answers, save.next_page_id)


def mark_submitted(session: Session, response_id: int, now: datetime | None = None) -> bool:
    """Lock the response. True only for the request that actually submitted it.

    A conditional UPDATE makes a double click or a retry harmless: the second one
    matches no row and changes nothing.
    """
    result = session.execute(
        update(QuestionnaireResponse)
        .where(QuestionnaireResponse.id == response_id, QuestionnaireResponse.submitted.is_(False))
        .values(submitted=True, submitted_at=now or utcnow(), current_page=CHECK_PAGE)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) > 0
