"""The two journeys of the issue, step by step, shared by the tests and the docs screenshots.

`visit(page, name)` is called on every page reached (and on each error state); the tests
pass the axe auditor, the docs script a screenshot taker.

The patient moves by keyboard alone. Their answers make the submission urgent (thoughts
of self-harm on "several days") and critical (Tylenol #3, an opioid, taken 3 days ago),
so the doctor must find them at the top of the queue.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from .keyboard import choose, focused, follow_link, press_button, tab_to, tick, type_date, type_into
from .live import DOCTOR_EMAIL, DOCTOR_PASSWORD, LiveServer

Visit = Callable[[Any, str], None]
PATIENT_REF = "E2E-PATIENT"
SAFETY_TITLE = "Please get help now if you need it"


def _days_ago(days: int) -> date:
    return date.today() - timedelta(days=days)


def _on_page(page: Any, heading: str) -> None:
    actual = page.locator("h1").inner_text()
    assert actual == heading, f"expected the page '{heading}', got '{actual}' at {page.url}"


def _context(browser: Any, viewport: dict[str, int], javascript: bool) -> Any:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context


def _continue(page: Any) -> None:
    press_button(page, "Save and continue")


# --- patient -----------------------------------------------------------------------------


def patient_first_half(page: Any, link: str, visit: Visit, *, javascript: bool) -> None:
    """From the link to the end of the opioid questions, with an error and its recovery."""
    page.goto(link)
    _on_page(page, "Health questions before your LDN appointment")
    assert "It takes about" in page.locator("main").inner_text()
    visit(page, "Start page")
    follow_link(page, "Start now")

    _on_page(page, "About you")
    assert page.locator(".caption").inner_text() == "Section 1 of 10: About you"
    visit(page, "About you")
    _continue(page)  # nothing answered: the error summary, then recovery from it
    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    assert summary.locator("h2").inner_text() == "There is a problem"
    if javascript:  # the enhancement moves focus to the summary, as GOV.UK Frontend does
        assert focused(page).get_attribute("class") == "error-summary"
    visit(page, "About you – error")
    tab_to(page, ".error-summary a[href='#date_of_birth']")
    page.keyboard.press("Enter")
    if javascript:
        assert focused(page).get_attribute("id") == "date_of_birth"
    type_date(page, "date_of_birth", 27, 3, 1980)
    choose(page, "sex_at_birth", "female")
    _continue(page)

    _on_page(page, "Pregnancy and breastfeeding")
    visit(page, "Pregnancy")
    choose(page, "pregnant", "no")
    choose(page, "trying_to_conceive", "no")
    choose(page, "breastfeeding", "no")
    _continue(page)

    _on_page(page, "Why you want LDN")
    visit(page, "Why you want LDN")
    tick(page, "conditions", "fibromyalgia")
    type_into(page, "main_goal", "Walk my dog again")
    _continue(page)

    _on_page(page, "Your medicines")
    visit(page, "Medicines – yes or no")
    choose(page, "takes_medications", "yes")
    _continue(page)
    medicines(page, visit)

    _on_page(page, "Strong painkillers (opioids)")
    visit(page, "Opioids")
    choose(page, "opioid_recent", "yes")
    _continue(page)

    _on_page(page, "Your recent opioid use")
    visit(page, "Recent opioid use")
    last = _days_ago(3)
    type_date(page, "opioid_last_dose", last.day, last.month, last.year)
    choose(page, "opioid_pattern", "as_needed")
    choose(page, "opioid_withdrawal_now", "no")
    _continue(page)

    _on_page(page, "Other opioid questions")
    visit(page, "Other opioid questions")
    for name, value in [
        ("opioid_treatment", "never"), ("kratom_tianeptine", "never"), ("illicit_opioid_12m", "no"),
        ("opioid_use_disorder", "no"), ("loperamide_use", "never"), ("surgery_planned", "no"),
        ("expects_opioid_pain_relief", "no"),
    ]:
        choose(page, name, value)
    _continue(page)
    _on_page(page, "Your liver")


def medicines(page: Any, visit: Visit) -> None:
    """Add three medicines, remove the second, and keep what was typed throughout."""
    _on_page(page, "Your medicines")
    visit(page, "Medicines list")
    taken = _days_ago(3)
    type_into(page, "medications-0-name", "Tylenol #3")
    choose(page, "medications-0-how_often", "as_needed")
    type_date(page, "medications-0-last_taken", taken.day, taken.month, taken.year)
    press_button(page, "Add another medicine")
    type_into(page, "medications-1-name", "Sertraline 50 mg")
    choose(page, "medications-1-how_often", "daily")
    press_button(page, "Add another medicine")
    type_into(page, "medications-2-name", "Vitamin D")
    choose(page, "medications-2-how_often", "daily")
    visit(page, "Medicines list – three medicines")
    press_button(page, "Remove medicine 2")
    boxes = page.locator(".medicine input[id$='-name']")
    names = [boxes.nth(n).input_value() for n in range(boxes.count())]
    assert names == ["Tylenol #3", "Vitamin D"], names
    assert page.locator("input[name='medications-0-how_often'][value='as_needed']").is_checked()
    _continue(page)


def patient_second_half(page: Any, visit: Visit, *, javascript: bool) -> None:
    """From the liver page (where a patient who came back lands) to the confirmation."""
    _on_page(page, "Your liver")
    visit(page, "Liver")
    if javascript:  # "None of these" unticks the others at once (and the server refuses both)
        tick(page, "liver_conditions", "fatty_liver")
    tick(page, "liver_conditions", "none")
    if javascript:
        assert not page.locator("input[name=liver_conditions][value=fatty_liver]").is_checked()
    tick(page, "liver_symptoms_now", "none")
    choose(page, "liver_test_when", "never")
    _continue(page)

    _on_page(page, "Alcohol")
    visit(page, "Alcohol")
    choose(page, "audit_c_frequency", "never")
    _continue(page)

    _on_page(page, "Thyroid")
    visit(page, "Thyroid")
    tick(page, "thyroid_conditions", "none")
    _continue(page)

    _on_page(page, "Other health questions")
    visit(page, "Other health questions")
    choose(page, "kidney_disease", "none")
    choose(page, "transplant", "no")
    choose(page, "immunosuppressants", "no")
    choose(page, "naltrexone_reaction", "none")
    tick(page, "current_antagonist", "none")
    _continue(page)

    _on_page(page, "Your mood")
    visit(page, "Mood")
    scores = {"phq1_interest": 1, "phq2_down": 1, "phq3_sleep": 2, "phq4_tired": 2, "phq5_appetite": 0,
              "phq6_failure": 0, "phq7_concentration": 1, "phq8_movement": 0, "phq9_self_harm": 1,
              "gad1_nervous": 1, "gad2_worry": 1}
    for name, score in scores.items():
        choose(page, name, str(score))
    choose(page, "suicide_attempt_history", "no")
    _continue(page)

    _on_page(page, "How you feel now")
    assert page.locator(".safety-card h2").inner_text() == SAFETY_TITLE
    visit(page, "Symptoms, with the safety message")
    for name, score in {"pain_average": 6, "fatigue": 7, "brain_fog": 5}.items():
        choose(page, name, str(score))
    _continue(page)

    _on_page(page, "Sharing your answers")
    visit(page, "Sharing your answers")
    choose(page, "consent_share", "yes")
    _continue(page)

    _on_page(page, "Check your answers before sending them")
    check = page.locator("main").inner_text()
    assert "Tylenol #3: Only when I need it" in check and "Vitamin D: Every day" in check
    assert "Sertraline" not in check
    visit(page, "Check your answers")
    follow_link(page, "Change What would a good result look like for you?")
    _on_page(page, "Why you want LDN")
    assert page.locator("#main_goal").input_value() == "Walk my dog again"
    type_into(page, "main_goal", "Walk my dog every day")
    press_button(page, "Save and go back to your answers")
    _on_page(page, "Check your answers before sending them")
    assert "Walk my dog every day" in page.locator("main").inner_text()
    press_button(page, "Send my answers")

    _on_page(page, "Your answers have been sent")
    assert page.locator(".safety-card h2").inner_text() == SAFETY_TITLE
    visit(page, "Confirmation")


def patient_journey(browser: Any, server: LiveServer, visit: Visit, *, javascript: bool,
                    viewport: dict[str, int], patient_ref: str = PATIENT_REF, appointment_in_days: int = 10) -> None:
    """The whole questionnaire by keyboard, leaving after the opioid pages and coming back."""
    link = server.make_link(patient_ref, date.today() + timedelta(days=appointment_in_days))
    first = _context(browser, viewport, javascript)
    patient_first_half(first.new_page(), link, visit, javascript=javascript)
    first.close()  # the patient closes the browser ...
    second = _context(browser, viewport, javascript)
    page = second.new_page()
    page.goto(link)  # ... and opens the link again later: straight back to where they were
    assert page.url.endswith("/questionnaire/page/liver"), page.url
    patient_second_half(page, visit, javascript=javascript)
    second.close()


# --- doctor ------------------------------------------------------------------------------


def doctor_journey(browser: Any, server: LiveServer, visit: Visit, *, javascript: bool,
                   viewport: dict[str, int], pdf_path: Any, patient_ref: str = PATIENT_REF) -> None:
    """Sign in (after one wrong password), open the top of the queue, accept a flag, print."""
    context = _context(browser, viewport, javascript)
    page = context.new_page()
    page.goto(f"{server.url}/doctor/login")
    visit(page, "Sign in")
    page.fill("#email", DOCTOR_EMAIL)
    page.fill("#password", "not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".error-summary").is_visible()
    visit(page, "Sign in – error")
    page.fill("#password", DOCTOR_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    enter_code(page, server, visit)

    _on_page(page, "Submitted questionnaires")
    first_row = page.locator("tbody tr").first
    assert first_row.locator("a").first.inner_text() == patient_ref
    assert "Urgent" in first_row.inner_text()
    visit(page, "Queue")
    first_row.locator("a").first.click()

    _on_page(page, patient_ref)
    flag = page.locator("#flag-OPI-01")
    assert "Critical" in flag.inner_text() and "Tylenol #3" in flag.inner_text()
    assert page.locator("#flag-PSY-01").is_visible()
    visit(page, "Summary")
    override_without_a_reason(page, visit)
    flag = page.locator("#flag-OPI-01")
    flag.get_by_label("Accept", exact=True).check()
    flag.get_by_label("Note").fill("")
    with page.expect_navigation():
        flag.get_by_role("button", name="Save decision on OPI-01").click()
    card = page.locator("#flag-OPI-01").inner_text()
    assert f"Accepted by {DOCTOR_EMAIL}" in card, (page.url, page.locator(".notice").all_inner_texts())
    visit(page, "Summary – flag accepted")

    print_summary(page, visit, javascript=javascript, pdf_path=pdf_path, patient_ref=patient_ref)
    context.close()


def override_without_a_reason(page: Any, visit: Visit) -> None:
    """Override OPI-01 with a note but no reason: the form comes back open at the flag, the
    note kept, the error beside the reason and the error summary focused."""
    flag = page.locator("#flag-OPI-01")
    decide = flag.locator("details.flag__decide")
    if decide.get_attribute("open") is None:
        decide.locator("summary").click()
    flag.get_by_label("Override", exact=True).check()
    flag.get_by_label("Note").fill("Patient says they stopped last week")
    with page.expect_navigation():
        flag.get_by_role("button", name="Save decision on OPI-01").click()
    flag = page.locator("#flag-OPI-01")
    assert flag.locator("details.flag__decide").get_attribute("open") is not None
    assert flag.locator("#OPI-01-reason-error").inner_text().endswith("Choose a reason for overriding this flag")
    assert flag.get_by_label("Note").input_value() == "Patient says they stopped last week"
    assert flag.get_by_label("Override", exact=True).is_checked()
    focused = page.evaluate("document.activeElement.closest('#flag-OPI-01 .error-summary') !== null")
    assert focused, page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    in_view = page.evaluate("(() => { const r = document.querySelector('#flag-OPI-01 .error-summary')"
                            ".getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; })()")
    assert in_view
    visit(page, "Summary – override without a reason")


def sign_in(page: Any, server: LiveServer, email: str = DOCTOR_EMAIL, password: str = DOCTOR_PASSWORD) -> None:
    """Both steps of signing in, for journeys about something else."""
    page.goto(f"{server.url}/doctor/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    enter_code(page, server, None, email=email)


def enter_code(page: Any, server: LiveServer, visit: Visit | None, email: str = DOCTOR_EMAIL) -> None:
    """The second step: the code an authenticator app would show."""
    _on_page(page, "Enter the code from your authenticator app")
    if visit is not None:
        visit(page, "Sign in – code")
    page.fill("#code", server.next_code(email))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def print_summary(page: Any, visit: Visit, *, javascript: bool, pdf_path: Any, patient_ref: str) -> None:
    from pypdf import PdfReader

    button = page.locator("[data-print]")
    if javascript:  # a Print button appears with JavaScript; without it, the browser's own Print
        page.evaluate("() => { window.print = () => { window.printed = true; }; }")
        button.click()
        assert page.evaluate("() => window.printed === true")
    else:
        assert not button.is_visible()
    page.emulate_media(media="print")
    for control in (".doctor-nav", ".flag__decide", ".actions", "#mark-heading", ".notice"):
        assert not page.locator(control).first.is_visible(), f"{control} would be printed"
    visit(page, "Summary – print view")
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    page.emulate_media(media="screen")
    text = " ".join(p.extract_text() for p in PdfReader(str(pdf_path)).pages)
    assert patient_ref in text and "OPI-01" in text and "Accepted" in text

    href = page.locator("a", has_text="Download PDF").get_attribute("href")
    download = page.request.get(urljoin(page.url, href))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert PdfReader(io.BytesIO(download.body())).pages
    pdf_path.with_name("summary-download.pdf").write_bytes(download.body())
