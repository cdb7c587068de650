"""A page is validated outside the write lock and saved only if nothing changed meanwhile.

Each case makes one change land between the page's validation and its save (as another
tab, a doctor or the clock would), then checks the patient sees the right page and
nothing they did not confirm is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from screening.models import Invitation, QuestionnaireResponse, utcnow
from screening.patient import responses, views
from tests.patient.pages import TYPICAL_PAGES, typical_until


def _another_tab_saved(s: Session) -> None:
    s.execute(update(QuestionnaireResponse).values(revision=QuestionnaireResponse.revision + 1))


def _doctor_revoked_the_link(s: Session) -> None:
    s.execute(update(Invitation).values(status="revoked"))


def _link_expired(s: Session) -> None:
    s.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))


def _submitted_in_another_tab(s: Session) -> None:
    s.execute(update(QuestionnaireResponse).values(submitted=True, submitted_at=utcnow()))


def _nothing(_s: Session) -> None:
    pass


@pytest.fixture
def meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[Session], None]], list[bool]]:
    """Runs `change` in the save's transaction just before the first save attempt; returns each attempt's result."""

    def install(change: Callable[[Session], None]) -> list[bool]:
        real_store = views.store_page_save
        attempts: list[bool] = []

        def store(s: Session, *args: Any) -> bool:
            if not attempts:
                change(s)
            attempts.append(real_store(s, *args))
            return attempts[-1]

        monkeypatch.setattr(views, "store_page_save", store)
        return attempts

    return install


@pytest.mark.parametrize(("change", "status", "location", "attempts"), [
    (_nothing, 302, "/questionnaire/page/medicines", [True]),
    (_another_tab_saved, 409, None, [False]),
    (_doctor_revoked_the_link, 404, None, [False]),
    (_link_expired, 404, None, [False]),
    (_submitted_in_another_tab, 302, "/questionnaire/done", [False]),
])
def test_a_change_between_validation_and_save_is_decided_again(patient, app, meanwhile, change, status, location,
                                                               attempts):
    patient.fill(typical_until("reasons"))
    revision = patient.revision("reasons")
    csrf = patient.csrf_token("/questionnaire/page/reasons")
    recorded = meanwhile(change)
    response = patient.client.post("/questionnaire/page/reasons", data={
        "csrf_token": csrf, "revision": revision, "conditions": "fibromyalgia", "main_goal": "Sleep"})
    assert response.status_code == status
    assert response.headers.get("Location") == location
    assert recorded == attempts


@pytest.mark.parametrize("change", [_another_tab_saved, _doctor_revoked_the_link, _link_expired,
                                    _submitted_in_another_tab])
def test_nothing_is_written_when_the_save_lost_the_race(patient, app, meanwhile, change):
    patient.fill(typical_until("reasons"))
    revision, csrf = patient.revision("reasons"), patient.csrf_token("/questionnaire/page/reasons")
    meanwhile(change)
    patient.client.post("/questionnaire/page/reasons", data={
        "csrf_token": csrf, "revision": revision, "conditions": "fibromyalgia", "main_goal": "Sleep"})
    with app.extensions["db"].read() as s:
        assert "main_goal" not in s.scalar(select(QuestionnaireResponse.answers))


def test_a_link_expiring_between_the_locked_read_and_the_save_shows_link_not_valid(patient, meanwhile, monkeypatch):
    patient.fill(typical_until("reasons"))
    revision, csrf = patient.revision("reasons"), patient.csrf_token("/questionnaire/page/reasons")
    recorded = meanwhile(_nothing)
    # The save's clock is past the link's expiry; the reads' clock is not: the only change
    # that can reach a save made on locked rows.
    monkeypatch.setattr(responses, "utcnow", lambda: utcnow() + timedelta(days=400))
    response = patient.client.post("/questionnaire/page/reasons", data={
        "csrf_token": csrf, "revision": revision, "conditions": "fibromyalgia", "main_goal": "Sleep"})
    assert (response.status_code, recorded) == (404, [False, False])


def test_the_stale_tab_page_keeps_what_the_patient_typed(patient, meanwhile):
    patient.fill(typical_until("reasons"))
    revision, csrf = patient.revision("reasons"), patient.csrf_token("/questionnaire/page/reasons")
    meanwhile(_another_tab_saved)
    response = patient.client.post("/questionnaire/page/reasons", data={
        "csrf_token": csrf, "revision": revision, "conditions": "fibromyalgia", "main_goal": "Sleep better"})
    html = response.get_data(as_text=True)
    assert "changed in another window or tab" in html and "Sleep better" in html


def test_a_save_writes_answers_next_page_and_revision(patient, app):
    patient.fill(typical_until("reasons"))
    with app.extensions["db"].read() as s:
        before = s.execute(select(QuestionnaireResponse.revision, QuestionnaireResponse.updated_at)).one()
    patient.post_page("reasons", TYPICAL_PAGES["reasons"])
    with app.extensions["db"].read() as s:
        after = s.execute(select(QuestionnaireResponse.revision, QuestionnaireResponse.updated_at,
                                 QuestionnaireResponse.current_page, QuestionnaireResponse.answers)).one()
    assert after.revision == before.revision + 1
    assert after.updated_at > before.updated_at
    assert after.current_page == "medicines"
    assert after.answers["main_goal"] == "Walk my dog again"
