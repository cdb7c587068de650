"""A doctor creates an invitation with an email address in Chromium (JavaScript on and off),
sees it queued, the sender delivers it through a real SMTP server on loopback, and the
list then says when it was sent; the link in the email opens the patient's form.
Every page is checked by axe (WCAG 2.2 AA and best practices)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    print(f"\n{MISSING}")
    pytest.skip(MISSING, allow_module_level=True)

from tests.outbox.smtp_server import SmtpServer  # noqa: E402

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import _context, _on_page, sign_in  # noqa: E402
from .live import DESKTOP, PHONE, LiveServer, live_server  # noqa: E402

ADDRESS = "pat@example.org"


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def mode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) \
        -> Iterator[tuple[LiveServer, SmtpServer, bool]]:
    smtp = SmtpServer().start()
    try:
        with live_server(tmp_path_factory.mktemp("e2e-email"), MAIL_URL=smtp.url,
                         MAIL_FROM="Riverside Clinic <forms@clinic.example>") as server:
            server.add_doctor()
            yield server, smtp, request.param
    finally:
        smtp.stop()


def test_the_doctor_sees_the_invitation_queued_then_sent_and_the_email_opens_the_form(
    browser: Any, mode: tuple[LiveServer, SmtpServer, bool],
) -> None:
    server, smtp, javascript = mode
    name = "js" if javascript else "no-js"
    auditor = Auditor(browser, f"{name}-email", DESKTOP, javascript)
    context = _context(browser, DESKTOP, javascript)
    page = context.new_page()
    try:
        sign_in(page, server)
        page.goto(f"{server.url}/doctor/invitations")
        patient_ref = f"P-EMAIL-{name}"
        page.fill("#patient_ref", patient_ref)
        page.fill("#email", ADDRESS)
        with page.expect_navigation():
            page.get_by_role("button", name="Create invitation").click()
        assert "on its way to the patient by email" in page.locator(".notice").inner_text()
        row = page.locator("tbody tr", has_text=patient_ref)
        assert "Email queued" in row.inner_text()
        auditor.page(page, "Invitation emailed – queued")

        sent = server.app.test_cli_runner().invoke(args=["outbox", "send"])
        assert sent.exit_code == 0, sent.output
        page.reload()
        row = page.locator("tbody tr", has_text=patient_ref)
        assert re.search(r"Sent \d\d \w{3} \d{4} \d\d:\d\d UTC", row.inner_text()), row.inner_text()
        auditor.page(page, "Invitation emailed – sent")

        delivered = [d for d in smtp.delivered if d.rcpt_tos == [ADDRESS]][-1]
        assert patient_ref not in delivered.raw.decode()  # the clinic's reference stays out of email
        link = re.search(rf"{re.escape(server.url)}/i/[\w-]+", delivered.message.get_body(("plain",)).get_content())
        assert link is not None
    finally:
        auditor.close()
        context.close()

    patient_context = _context(browser, PHONE, javascript)
    patient = patient_context.new_page()
    try:
        patient.goto(link.group(0))
        _on_page(patient, "Health questions before your LDN appointment")
    finally:
        patient_context.close()
