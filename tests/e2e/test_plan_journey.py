"""A doctor's LDN plan in Chromium, JavaScript on and off: mark a submission reviewed, start a
plan with followup.md's defaults, read the doses by date, send a check-in now, change the
step (after a refused value), read the history, end the plan. Every page is checked by axe
(WCAG 2.2 AA and best practices), touch targets and text size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    print(f"\n{MISSING}")
    pytest.skip(MISSING, allow_module_level=True)

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import DOCTOR_EMAIL, _context, _on_page, sign_in  # noqa: E402
from .live import DESKTOP, LiveServer, live_server  # noqa: E402


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def mode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, bool]]:
    with live_server(tmp_path_factory.mktemp("e2e-plan")) as server:
        server.add_doctor()
        yield server, request.param


def _words(offset: int) -> str:
    day = date.today() + timedelta(days=offset)
    return f"{day.day} {day:%B %Y}"


def _press(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _rows(page: Any, table: str) -> list[list[str]]:
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in page.locator(f"#{table} tbody tr").all()]


def _open(page: Any, details: str) -> None:
    if page.locator(f"#{details}").get_attribute("open") is None:
        page.locator(f"#{details} > summary").click()


def test_a_doctor_starts_changes_and_ends_a_plan(browser: Any, mode: tuple[LiveServer, bool]) -> None:
    server, javascript = mode
    patient_ref = f"P-PLAN-{'JS' if javascript else 'NOJS'}"
    response_id = server.add_submission(patient_ref, {})
    auditor = Auditor(browser, f"{'js' if javascript else 'no-js'}-plan", DESKTOP, javascript)
    context = _context(browser, DESKTOP, javascript)
    page = context.new_page()
    try:
        sign_in(page, server)
        page.goto(f"{server.url}/doctor/submissions/{response_id}")
        _on_page(page, patient_ref)
        assert "Mark the questionnaire as reviewed to start an LDN plan." in page.locator("body").inner_text()
        _press(page, "Mark as reviewed")
        with page.expect_navigation():
            page.get_by_role("link", name="Start an LDN plan").click()

        _on_page(page, f"Start an LDN plan for {patient_ref}")
        assert page.locator("#start_dose_mg").input_value() == "0.5"
        assert page.locator("#checkin_days").input_value() == "7, 14, 28, 56, 84"
        assert "expert practice, not a licensed label" in page.locator("#plan-defaults").inner_text()
        auditor.page(page, "Start a plan – defaults")
        _press(page, "Start the plan")

        _on_page(page, f"LDN plan for {patient_ref}")
        assert _rows(page, "dose-schedule")[0] == [_words(0), _words(6), "0.5 mg (today)"]
        assert _rows(page, "dose-schedule")[-1] == [_words(56), "onwards", "4.5 mg"]
        links = page.locator("#checkins input[readonly]")
        assert links.count() == 5 and links.first.input_value().startswith(f"{server.url}/c/")
        auditor.page(page, "Plan started")

        _press(page, "Send a check-in now")
        assert page.locator("#checkins tbody tr").first.locator("td").first.inner_text() == _words(0)
        assert page.locator("#checkins input[readonly]").count() == 1
        auditor.page(page, "Check-in sent now")

        _open(page, "change")
        page.fill("#step_mg", "5")
        _press(page, "Save the changes")
        assert page.locator("#step_mg-error").inner_text().endswith("Step must be from 0 mg to 3 mg (not 5 mg)")
        assert page.locator("#step_mg").input_value() == "5"
        auditor.page(page, "Change the plan – error")
        page.fill("#step_mg", "1")
        _press(page, "Save the changes")
        assert "Plan changed." in page.locator(".notice").inner_text()
        assert _rows(page, "dose-schedule")[1] == [_words(7), _words(13), "1.5 mg"]
        history = _rows(page, "plan-history")
        assert [row[1] for row in history] == [DOCTOR_EMAIL, DOCTOR_EMAIL]
        assert history[-1][2] == "Changed. Step: 0.5 mg → 1 mg."
        auditor.page(page, "Plan changed")

        _open(page, "end")
        page.get_by_label("Stopped because of side effects").check()
        page.fill("#end-note", "Vivid dreams did not settle")
        _press(page, "End the plan")
        assert "Ended on" in page.locator(".facts").inner_text()
        assert _rows(page, "plan-history")[-1][2] == ("Ended: stopped because of side effects. "
                                                     "Note: “Vivid dreams did not settle”")
        assert page.get_by_role("button", name="Send a check-in now").count() == 0
        auditor.page(page, "Plan ended")

        page.get_by_role("link", name="Back to the summary").click()
        assert page.get_by_role("link", name="Start an LDN plan").is_visible()
        assert page.get_by_role("link", name="See the ended LDN plan").is_visible()
    finally:
        auditor.close()
        context.close()
