"""Issue 13's patient journey in Chromium on a phone, with JavaScript on and off.

Where a page opens: "Add another medicine" comes back with the new name box focused and
in view; a Change link comes back to the changed row of the (very long) check page; a
patient who answers No to sharing lands on what happens to their answers. Crisis numbers
and the clinic's contact details are links. Every patient page on the way, and the home,
"link not valid", "sent" and "already sent" pages, is checked by axe (WCAG 2.2 AA and best
practices) through the Auditor.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    pytest.skip(MISSING, allow_module_level=True)

from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

from screening.config import DEFAULT_CRISIS_CONTACT  # noqa: E402

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import _context, _on_page  # noqa: E402
from .live import PHONE, LiveServer, live_server  # noqa: E402

CLINIC_CONTACT = "020 7946 0000, reception@clinic.example"
TAKEN = date.today() - timedelta(days=4)
IN_VIEW = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, bool]]:
    with live_server(tmp_path_factory.mktemp("e2e-landing")) as live:
        live.app.config["CLINIC_CONTACT"] = CLINIC_CONTACT
        live.app.config["CRISIS_CONTACT"] = DEFAULT_CRISIS_CONTACT
        yield live, request.param


def _press(page: Any, text: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=text, exact=True).click()


def _follow(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def _fill(page: Any, answers: dict[str, Any]) -> None:
    """Answers as a patient gives them: radios and checkboxes by value, boxes by typing."""
    for name, value in answers.items():
        if isinstance(value, date):
            for part, text in (("day", value.day), ("month", value.month), ("year", value.year)):
                page.fill(f"[name='{name}-{part}']", str(text))
        elif isinstance(value, list):
            for code in value:
                page.check(f"input[name='{name}'][value='{code}']")
        elif page.locator(f"input[type=radio][name='{name}']").count():
            page.check(f"input[name='{name}'][value='{value}']")
        else:
            page.fill(f"[name='{name}']", value)


def _page_id(page: Any) -> str:
    return str(page.url.split("/questionnaire/page/")[1].split("?")[0].split("#")[0])


def _wait_for_focus(page: Any, element_id: str) -> None:
    """Up to 5 s for focus to land there (under load the browser does it a moment after load);
    the assertion after it still fails when it never does."""
    with contextlib.suppress(PlaywrightTimeout):  # the assertion that follows says what was focused
        page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                               arg=element_id, timeout=5000)


def _focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def _in_view(page: Any, element_id: str) -> bool:
    return bool(page.evaluate(IN_VIEW, element_id))


def _scrolled(page: Any) -> bool:
    return bool(page.evaluate("() => window.scrollY > 0"))


PAGES: dict[str, dict[str, Any]] = {
    "about_you": {"date_of_birth": date(1971, 6, 14), "sex_at_birth": "male"},
    "reasons": {"conditions": ["fibromyalgia"], "main_goal": "Walk my dog again"},
    "medicines": {"takes_medications": "yes"},
    "opioids_recent": {"opioid_recent": "yes"},
    "opioids_history": {
        "opioid_treatment": "never", "kratom_tianeptine": "never", "illicit_opioid_12m": "no",
        "opioid_use_disorder": "no", "loperamide_use": "never", "surgery_planned": "no",
        "expects_opioid_pain_relief": "no",
    },
    "liver": {"liver_conditions": ["none"], "liver_symptoms_now": ["none"], "liver_test_when": "never"},
    "alcohol": {"audit_c_frequency": "never"},
    "thyroid": {"thyroid_conditions": ["none"]},
    "other_health": {"kidney_disease": "none", "transplant": "no", "immunosuppressants": "no",
                     "naltrexone_reaction": "none", "current_antagonist": ["none"]},
    "mood": {"phq1_interest": "1", "phq2_down": "1", "phq3_sleep": "2", "phq4_tired": "2", "phq5_appetite": "0",
             "phq6_failure": "0", "phq7_concentration": "1", "phq8_movement": "0", "phq9_self_harm": "1",
             "gad1_nervous": "1", "gad2_worry": "1", "suicide_attempt_history": "no"},
    "symptoms": {"pain_average": "6", "fatigue": "7", "brain_fog": "5"},
    "confirm": {"consent_share": "no"},
}


def _medicines(page: Any, visit: Any) -> None:
    """Each "Add another medicine" comes back with the new name box focused and in view."""
    visit(page, "Medicines list")
    _fill(page, {"medications-0-name": "Tramadol 50 mg", "medications-0-how_often": "as_needed",
                 "medications-0-last_taken": TAKEN})
    for number, name in [(1, "Vitamin D"), (2, "Magnesium")]:
        _press(page, "Add another medicine")
        new_box = f"medications-{number}-name"
        assert page.url.endswith(f"#{new_box}"), page.url
        _wait_for_focus(page, new_box)  # the browser focuses a fragment's box once the page has loaded
        assert _focused_id(page) == new_box, _focused_id(page)
        assert _in_view(page, new_box) and _scrolled(page)
        page.keyboard.type(name)  # focus is there: the patient just types
        page.check(f"input[name='medications-{number}-how_often'][value='daily']")
    visit(page, "Medicines list – three medicines, the third focused")
    _press(page, "Remove medicine 3")
    assert page.url.endswith("#medications") and _scrolled(page)  # back at the list, not the top
    assert 0 <= page.evaluate("() => document.getElementById('medications').getBoundingClientRect().top") < 100
    names = page.locator(".medicine input[id$='-name']")
    assert [names.nth(n).input_value() for n in range(names.count())] == ["Tramadol 50 mg", "Vitamin D"]
    _press(page, "Save and continue")


def _opioid_details(page: Any, visit: Any) -> None:
    """The last dose the medicines list gives is offered, and says where it came from."""
    assert page.input_value("#opioid_last_dose") == str(TAKEN.day)
    assert page.input_value("#opioid_last_dose-year") == str(TAKEN.year)
    hint = page.locator("#opioid_last_dose-hint").inner_text()
    assert hint.startswith(f"From your medicines list: Tramadol 50 mg, last taken {TAKEN.day} {TAKEN:%B %Y}."), hint
    visit(page, "Recent opioid use – offered from the medicines list")
    _fill(page, {"opioid_pattern": "as_needed", "opioid_withdrawal_now": "no"})
    _press(page, "Save and continue")


def _answer_every_page(page: Any, visit: Any) -> None:
    while "/questionnaire/page/" in page.url:
        page_id = _page_id(page)
        if page_id == "medicines_list":
            _medicines(page, visit)
            continue
        if page_id == "opioids_recent_details":
            _opioid_details(page, visit)
            continue
        assert page_id in PAGES, f"an unexpected page: {page.url}"
        if page_id == "symptoms":  # after thoughts of self-harm: the crisis lines, ready to tap
            card = page.locator(".safety-card")
            for dialled in ("116123", "988", "131114", "1737", "999"):
                assert card.locator(f"a[href='tel:{dialled}']").count() == 1, dialled
        visit(page, page.locator("h1").inner_text())
        _fill(page, PAGES[page_id])
        _press(page, "Save and continue")


def _declines_then_agrees(page: Any, visit: Any) -> None:
    """Answering No lands on what happens to the answers; changing it comes back to its row."""
    assert page.url.endswith("/questionnaire/check#not-sharing"), page.url
    note = page.locator("#not-sharing")
    assert "You chose not to share your answers" in note.inner_text()
    assert "We will delete your answers 90 days after you last changed them." in note.inner_text()
    _wait_for_focus(page, "not-sharing")
    assert _in_view(page, "not-sharing-title") and _focused_id(page) == "not-sharing"
    visit(page, "Check your answers – not sharing")
    _follow(page, "#not-sharing a")
    _on_page(page, "Sharing your answers")
    _wait_for_focus(page, "consent_share")
    assert _focused_id(page) == "consent_share"  # the Change link's answer
    visit(page, "Sharing your answers – changing")
    _fill(page, {"consent_share": "yes"})
    _press(page, "Save and go back to your answers")
    assert page.url.endswith("/questionnaire/check#answer-consent_share"), page.url
    assert _in_view(page, "answer-consent_share")


def _changes_an_answer(page: Any, visit: Any) -> None:
    """A Change link half-way down the long check page comes back to that row."""
    _follow(page, "#answer-fatigue .summary-list__actions a")
    _on_page(page, "How you feel now")
    _wait_for_focus(page, "fatigue")
    assert _focused_id(page) == "fatigue"
    _fill(page, {"fatigue": "4"})
    _press(page, "Save and go back to your answers")
    assert page.url.endswith("/questionnaire/check#answer-fatigue"), page.url
    assert _in_view(page, "answer-fatigue") and _scrolled(page)
    assert "4 out of 10" in page.locator("#answer-fatigue").inner_text()
    visit(page, "Check your answers – back at the changed answer")


def test_where_each_patient_page_opens(browser: Any, server: tuple[LiveServer, bool]) -> None:
    live, javascript = server
    mode = "js" if javascript else "no-js"
    auditor = Auditor(browser, f"{mode}-patient-landing", PHONE, javascript)
    context = _context(browser, PHONE, javascript)
    try:
        page = context.new_page()
        visit = auditor.page
        page.goto(f"{live.url}/")
        visit(page, "Home")
        page.goto(f"{live.url}/i/not-a-real-link")
        _on_page(page, "This link is not valid")
        assert page.locator("main a[href='tel:02079460000']").is_visible()
        assert page.locator("main a[href='mailto:reception@clinic.example']").is_visible()
        visit(page, "Link not valid")

        link = live.make_link("E2E-LANDING", date.today() + timedelta(days=14))
        page.goto(link)
        visit(page, "Start page")
        _follow(page, "a:text('Start now')")
        _answer_every_page(page, visit)
        _declines_then_agrees(page, visit)
        _changes_an_answer(page, visit)

        _press(page, "Send my answers")
        _on_page(page, "Your answers have been sent")
        assert page.locator("main a[href='tel:02079460000']").is_visible()
        visit(page, "Sent")
        page.goto(link)
        _on_page(page, "These answers have already been sent")
        assert page.locator("main a[href='mailto:reception@clinic.example']").is_visible()
        visit(page, "Already sent")
    finally:
        context.close()
        auditor.close()
    assert len(auditor.checked) >= 20, auditor.checked
