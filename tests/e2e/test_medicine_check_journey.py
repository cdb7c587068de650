"""Issue 16's journey in Chromium, with JavaScript on and off, every page checked by axe.

A patient types "tramdol", "Painaway pills from abroad" and "Codeinex drops", reaches
"Check these medicines", corrects the first, answers "not sure" for the second and "no"
for the third; the doctor then sees MED-02 with what the third name resembles and the
patient's answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    pytest.skip(MISSING, allow_module_level=True)

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import _context, _continue, _on_page, sign_in  # noqa: E402
from .keyboard import choose, follow_link, press_button, tick, type_date, type_into  # noqa: E402
from .live import DESKTOP, PHONE, LiveServer, live_server  # noqa: E402

PATIENT_REF = "E2E-CHECK-MEDS"
TYPED = ("tramdol", "Painaway pills from abroad", "Codeinex drops")


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, bool]]:
    with live_server(tmp_path_factory.mktemp("e2e-check")) as live:
        live.add_doctor()
        yield live, request.param


def _to_the_medicines(page: Any) -> None:
    follow_link(page, "Start now")
    _on_page(page, "About you")
    type_date(page, "date_of_birth", 14, 6, 1971)
    choose(page, "sex_at_birth", "male")
    _continue(page)
    _on_page(page, "Why you want LDN")
    tick(page, "conditions", "chronic_pain")
    _continue(page)
    _on_page(page, "Your medicines")
    choose(page, "takes_medications", "yes")
    _continue(page)


def _list_three_medicines(page: Any) -> None:
    _on_page(page, "Your medicines")
    for number, name in enumerate(TYPED):
        if number:
            press_button(page, "Add another medicine")
        type_into(page, f"medications-{number}-name", name)
        choose(page, f"medications-{number}-how_often", "as_needed" if number == 0 else "daily")
    _continue(page)


def _check_the_medicines(page: Any, visit: Any) -> None:
    _on_page(page, "Check these medicines")
    assert "Tip: copy the name exactly as printed on the box or bottle." in page.locator("main").inner_text()
    names = [page.locator(f"#entries-{n}-name").input_value() for n in range(3)]
    assert names == list(TYPED), names
    visit(page, "Check these medicines")
    _continue(page)  # nothing answered: each unanswered medicine is named in the error summary
    errors = page.locator(".error-summary").inner_text()
    assert "Medicine 1: Choose yes, no or not sure" in errors and "Medicine 3" in errors
    visit(page, "Check these medicines – error")
    type_into(page, "entries-0-name", "tramadol 50mg")  # corrected: recognised, so no answer needed
    choose(page, "entries-1-contains_opioid", "unsure")
    choose(page, "entries-2-contains_opioid", "no")
    _continue(page)


def _the_rest(page: Any) -> None:
    _on_page(page, "Strong painkillers (opioids)")
    choose(page, "opioid_recent", "no")
    _continue(page)
    _on_page(page, "Other opioid questions")
    for name, value in [("opioid_treatment", "never"), ("kratom_tianeptine", "never"), ("illicit_opioid_12m", "no"),
                        ("opioid_use_disorder", "no"), ("loperamide_use", "never"), ("surgery_planned", "no"),
                        ("expects_opioid_pain_relief", "no")]:
        choose(page, name, value)
    _continue(page)
    _on_page(page, "Your liver")
    tick(page, "liver_conditions", "none")
    tick(page, "liver_symptoms_now", "none")
    choose(page, "liver_test_when", "never")
    _continue(page)
    _on_page(page, "Alcohol")
    choose(page, "audit_c_frequency", "never")
    _continue(page)
    _on_page(page, "Thyroid")
    tick(page, "thyroid_conditions", "none")
    _continue(page)
    _on_page(page, "Other health questions")
    for name, value in [("kidney_disease", "none"), ("transplant", "no"), ("immunosuppressants", "no"),
                        ("naltrexone_reaction", "none")]:
        choose(page, name, value)
    tick(page, "current_antagonist", "none")
    _continue(page)
    _on_page(page, "Your mood")
    for name in ("phq1_interest", "phq2_down", "phq3_sleep", "phq4_tired", "phq5_appetite", "phq6_failure",
                 "phq7_concentration", "phq8_movement", "phq9_self_harm", "gad1_nervous", "gad2_worry"):
        choose(page, name, "0")
    choose(page, "suicide_attempt_history", "no")
    _continue(page)
    _on_page(page, "How you feel now")
    choose(page, "pain_average", "5")
    _continue(page)
    _on_page(page, "Sharing your answers")
    choose(page, "consent_share", "yes")
    _continue(page)


def test_a_patient_checks_unrecognised_medicines_and_the_doctor_sees_why(browser: Any, server: Any) -> None:
    live, javascript = server
    mode = "js" if javascript else "no-js"
    patient = Auditor(browser, f"{mode}-medicine-check", PHONE, javascript)
    context = _context(browser, PHONE, javascript)
    try:
        page = context.new_page()
        page.goto(live.make_link(PATIENT_REF, date.today() + timedelta(days=10)))
        _to_the_medicines(page)
        _list_three_medicines(page)
        _check_the_medicines(page, patient.page)
        _the_rest(page)
        _on_page(page, "Check your answers before sending them")
        answers = page.locator("main").inner_text()
        assert "tramadol 50mg: Only when I need it" in answers
        assert "Does Painaway pills from abroad contain an opioid?" in answers
        patient.page(page, "Check your answers")
        press_button(page, "Send my answers")
        _on_page(page, "Your answers have been sent")
    finally:
        context.close()
        patient.close()

    doctor = Auditor(browser, f"{mode}-medicine-check-doctor", DESKTOP, javascript)
    context = _context(browser, DESKTOP, javascript)
    try:
        page = context.new_page()
        sign_in(page, live)
        page.get_by_role("link", name=PATIENT_REF).click()
        _on_page(page, PATIENT_REF)
        flag = page.locator("#flag-MED-02").inner_text()
        assert "Painaway pills from abroad" in flag and "not sure" in flag
        assert "Codeinex drops" in flag and "resembles codeine" in flag
        assert page.locator("#flag-OPI-16").is_visible()  # "no opioid" answered, tramadol listed
        doctor.page(page, "Summary with MED-02")
    finally:
        context.close()
        doctor.close()
