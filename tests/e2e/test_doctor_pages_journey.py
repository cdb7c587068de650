"""The doctor's invitation and audit pages in Chromium, JavaScript on and off: a duplicate
patient reference asks first, revoking asks first, and the audit trail reads in words.
Every page is checked by axe (WCAG 2.2 AA and best practices), touch targets and text size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    print(f"\n{MISSING}")
    pytest.skip(MISSING, allow_module_level=True)

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import DOCTOR_EMAIL, _context, _on_page, sign_in  # noqa: E402
from .live import DESKTOP, LiveServer, live_server  # noqa: E402

PATIENT_REF = "P-DUPLICATE"


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def mode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, bool]]:
    with live_server(tmp_path_factory.mktemp("e2e-doctor-pages")) as server:
        server.add_doctor()
        yield server, request.param


def _create(page: Any) -> None:
    page.fill("#patient_ref", PATIENT_REF)
    with page.expect_navigation():
        page.get_by_role("button", name="Create invitation").click()


def test_invitations_ask_before_a_duplicate_and_before_revoking_and_the_audit_reads_in_words(
    browser: Any, mode: tuple[LiveServer, bool],
) -> None:
    server, javascript = mode
    auditor = Auditor(browser, f"{'js' if javascript else 'no-js'}-doctor-pages", DESKTOP, javascript)
    context = _context(browser, DESKTOP, javascript)
    page = context.new_page()
    try:
        sign_in(page, server)
        page.goto(f"{server.url}/doctor/invitations")
        _on_page(page, "Invitations")
        auditor.page(page, "Invitations")
        _create(page)
        assert page.locator("#new-link").input_value().startswith(server.url)
        auditor.page(page, "Invitation created")

        _create(page)
        warning = page.locator("#duplicate-warning").inner_text()
        assert f"{PATIENT_REF} already has an open invitation" in warning
        assert page.locator("#patient_ref").input_value() == PATIENT_REF
        auditor.page(page, "Invitations – duplicate warning")
        with page.expect_navigation():
            page.get_by_role("button", name="Create another invitation anyway").click()
        assert page.locator("#new-link").is_visible()
        auditor.page(page, "Invitation created anyway")

        page.get_by_role("link", name=f"Revoke link for {PATIENT_REF}").first.click()
        _on_page(page, f"Revoke the link for {PATIENT_REF}?")
        auditor.page(page, "Revoke – confirm")
        with page.expect_navigation():
            page.get_by_role("button", name="Yes, revoke this link").click()
        _on_page(page, f"Invitation for {PATIENT_REF} revoked")
        auditor.page(page, "Invitation revoked")
        page.get_by_role("link", name="Back to invitations").click()
        assert "Revoked" in page.locator("tbody").inner_text()

        page.goto(f"{server.url}/doctor/audit")
        _on_page(page, "Audit trail")
        page.fill("#patient", PATIENT_REF)
        with page.expect_navigation():
            page.get_by_role("button", name="Filter").click()
        rows = page.locator("tbody").inner_text()
        assert DOCTOR_EMAIL in rows and PATIENT_REF in rows
        assert "doctor:" not in rows and "invitation:" not in rows and "None" not in rows
        auditor.page(page, "Audit trail – one patient")
    finally:
        auditor.close()
        context.close()
