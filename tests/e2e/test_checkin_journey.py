"""A patient's check-in (followup.md section 2) in Chromium on a phone, JavaScript on and off.

The patient opens a check-in link too early (it says when it opens), then one that is due:
the start page, every page of the check-in by keyboard alone, one validation error and its
recovery, thoughts of self-harm (the safety card on every later page), a Change link back
to the check page, the send, the done page, and the link again ("already sent"). Every page
on the way is checked by axe (WCAG 2.2 AA and best practices) through the Auditor.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    pytest.skip(MISSING, allow_module_level=True)

from tests.followup.checkin_client import make_checkin  # noqa: E402

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import SAFETY_TITLE, _context, _continue, _on_page  # noqa: E402
from .keyboard import choose, focused, follow_link, press_button, tab_to, tick, type_into  # noqa: E402
from .live import PHONE, LiveServer, live_server  # noqa: E402

CLINIC_CONTACT = "020 7946 0000, reception@clinic.example"


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, bool]]:
    with live_server(tmp_path_factory.mktemp("e2e-checkin")) as live:
        live.app.config["CLINIC_CONTACT"] = CLINIC_CONTACT
        yield live, request.param


def _safety_card_shown(page: Any) -> bool:
    card = page.locator(".safety-card")
    return card.count() == 1 and SAFETY_TITLE in card.inner_text()


def _taking_ldn(page: Any, visit: Any, *, javascript: bool) -> None:
    _on_page(page, "Taking LDN")
    assert page.locator(".caption").inner_text() == "Section 1 of 5: Taking LDN"
    visit(page, "Taking LDN")
    _continue(page)  # nothing chosen: the error summary, then recovery from it
    assert page.title().startswith("Error: ")
    assert page.locator(".error-summary h2").inner_text() == "There is a problem"
    if javascript:  # the enhancement moves focus to the summary, as on the screening's pages
        assert focused(page).get_attribute("class") == "error-summary"
    visit(page, "Taking LDN – error")
    tab_to(page, ".error-summary a[href='#ci_taking']")
    page.keyboard.press("Enter")
    choose(page, "ci_taking", "as_planned")
    _continue(page)
    _on_page(page, "More about taking LDN")
    visit(page, "Your dose")
    type_into(page, "ci_dose_mg", "1")
    _continue(page)


def _side_effects(page: Any, visit: Any) -> None:
    _on_page(page, "Side effects")
    visit(page, "Side effects")
    tick(page, "ci_side_effects", "poor_sleep")
    _continue(page)
    _on_page(page, "Your side effects")
    visit(page, "How much they bother you")
    choose(page, "ci_side_effect_impact", "mild")
    _continue(page)


def _how_you_feel(page: Any, visit: Any) -> None:
    _on_page(page, "How you feel")
    visit(page, "How you feel")
    choose(page, "pain_average", "5")
    choose(page, "ci_pgic", "minimally_improved")
    _continue(page)


def _safety(page: Any, visit: Any) -> None:
    _on_page(page, "Your safety")
    visit(page, "Your safety")
    for name in ("ci_opioid_since", "ci_new_medicines", "ci_surgery_planned", "ci_pregnant"):
        choose(page, name, "no")
    tick(page, "ci_liver_symptoms", "none")
    _continue(page)
    _on_page(page, "Your mood")
    assert not _safety_card_shown(page)
    visit(page, "Your mood")
    choose(page, "phq9_self_harm", "1")
    _continue(page)
    _on_page(page, "Anything else")
    assert _safety_card_shown(page)  # what to do now, from the page after the answer on
    assert page.locator(".safety-card a[href^='tel:']").count() >= 1
    visit(page, "Anything else – with the safety card")
    type_into(page, "ci_comments", "Sleeping a bit worse since the dose went up.")
    _continue(page)


def _changes_an_answer(page: Any, visit: Any) -> None:
    _on_page(page, "Check your answers before sending them")
    assert _safety_card_shown(page)
    text = page.locator("main").inner_text()
    assert "Yes, as planned" in text and "Poor sleep" in text and "A little better" in text
    visit(page, "Check your answers")
    tab_to(page, "#answer-pain_average .summary-list__actions a")  # "Change Your pain on average"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _on_page(page, "How you feel")
    assert page.url.split("?")[0].endswith("/checkin/page/ci_feel")
    choose(page, "pain_average", "4")
    press_button(page, "Save and go back to your answers")
    assert page.url.endswith("/checkin/check#answer-pain_average"), page.url
    assert "4 out of 10" in page.locator("#answer-pain_average").inner_text()
    visit(page, "Check your answers – back at the changed answer")


def test_a_patient_answers_a_check_in(browser: Any, server: tuple[LiveServer, bool]) -> None:
    live, javascript = server
    mode = "js" if javascript else "no-js"
    auditor = Auditor(browser, f"{mode}-checkin", PHONE, javascript)
    context = _context(browser, PHONE, javascript)
    early = make_checkin(live.app, due=date.today() + timedelta(days=3), patient_ref=f"E2E-CI-EARLY-{mode}")
    due = make_checkin(live.app, patient_ref=f"E2E-CI-{mode}")
    try:
        page = context.new_page()
        visit = auditor.page
        page.goto(f"{live.url}/c/{early.token}")
        _on_page(page, f"This check-in opens on {early.due.day} {early.due:%B %Y}")
        visit(page, "Not open yet")
        page.goto(f"{live.url}/c/not-a-real-link")
        _on_page(page, "This link is not valid")
        visit(page, "Link not valid")

        page.goto(f"{live.url}/c/{due.token}")
        _on_page(page, "Your LDN check-in")
        assert page.url == f"{live.url}/checkin/"  # the token is out of the address bar
        assert "It takes about 2 minutes" in page.locator("main").inner_text()
        visit(page, "Start page")
        follow_link(page, "Start now")
        _taking_ldn(page, visit, javascript=javascript)
        _side_effects(page, visit)
        _how_you_feel(page, visit)
        _safety(page, visit)
        _changes_an_answer(page, visit)

        press_button(page, "Send my answers")
        _on_page(page, "Your answers have been sent")
        assert _safety_card_shown(page)
        assert page.locator("main a[href='tel:02079460000']").is_visible()
        visit(page, "Sent")
        page.goto(f"{live.url}/c/{due.token}")
        _on_page(page, "These answers have already been sent")
        visit(page, "Already sent")
    finally:
        context.close()
        auditor.close()
    assert len(auditor.checked) >= 14, auditor.checked
