"""A doctor sets up TOTP at first sign-in and signs in with it, in Chromium, JavaScript on and off.

The browser reads the setup key from the page (as a doctor would type it into an app),
the test computes codes from it with pyotp, and every new page (enrolment, its error,
the recovery codes, the code page, its error, the password, re-auth, accounts and
patient data pages) is checked by axe (WCAG 2.2 AA), with touch targets and text sizes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    print(f"\n{MISSING}")
    pytest.skip(MISSING, allow_module_level=True)

import pyotp  # noqa: E402

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import _context, _on_page  # noqa: E402
from .live import DESKTOP, LiveServer, live_server  # noqa: E402

EMAIL = "dr.new@clinic.example"
PASSWORD = "a fresh and careful e2e password"


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def mode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, bool]]:
    with live_server(tmp_path_factory.mktemp("e2e-mfa")) as server:
        server.add_doctor(EMAIL, PASSWORD, mfa=False)
        yield server, request.param


def _press(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _password_step(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/doctor/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    _press(page, "Sign in")


def test_a_doctor_enrols_totp_and_signs_in_with_a_code(browser: Any, mode: tuple[LiveServer, bool]) -> None:
    server, javascript = mode
    auditor = Auditor(browser, f"{'js' if javascript else 'no-js'}-mfa", DESKTOP, javascript)
    context = _context(browser, DESKTOP, javascript)
    try:
        page = context.new_page()
        _password_step(page, server)
        _on_page(page, "Set up sign-in with an authenticator app")
        assert page.locator("svg title").text_content() == "QR code for your authenticator app"
        auditor.page(page, "Set up a second factor")
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        totp = pyotp.TOTP(secret)

        page.fill("#code", "000000" if totp.now() != "000000" else "111111")
        _press(page, "Turn on and sign in")
        assert page.locator(".error-summary").is_visible()
        auditor.page(page, "Set up a second factor – error")
        page.fill("#code", totp.now())
        _press(page, "Turn on and sign in")

        _on_page(page, "Save your recovery codes")
        codes = [re.sub(r"\s", "", text) for text in page.locator("#recovery-codes code").all_inner_texts()]
        assert len(set(codes)) == 10
        auditor.page(page, "Recovery codes")
        with page.expect_navigation():
            page.get_by_role("link", name="I have saved my codes, continue").click()
        _on_page(page, "Submitted questionnaires")
        _press(page, f"Sign out {EMAIL}")

        _password_step(page, server)
        _on_page(page, "Enter the code from your authenticator app")
        auditor.page(page, "Sign in – code")
        page.fill("#code", "12")
        _press(page, "Sign in")
        assert page.locator(".error-summary").is_visible()
        auditor.page(page, "Sign in – code error")
        page.fill("#code", server.next_code(EMAIL, secret))  # the enrolment's code cannot be used again
        _press(page, "Sign in")
        _on_page(page, "Submitted questionnaires")

        for link, heading, name in (
            ("Password", "Change your password", "Change password"),
            ("Accounts", "Accounts", "Accounts"),
            ("Patient data", "Patient data requests", "Patient data requests"),
        ):
            with page.expect_navigation():
                page.locator(".doctor-nav").get_by_role("link", name=link, exact=True).click()
            _on_page(page, heading)
            auditor.page(page, name)
        page.goto(f"{server.url}/doctor/reauth?next=/doctor/accounts")
        _on_page(page, "Confirm it is you")
        auditor.page(page, "Confirm it is you")
        page.fill("#password", PASSWORD)
        _press(page, "Confirm")
        _on_page(page, "Accounts")
    finally:
        context.close()
        auditor.close()
    assert len(auditor.checked) == 9
