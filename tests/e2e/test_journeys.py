"""The patient and doctor journeys in Chromium, with JavaScript on and off, checked by axe.

Screenshots of every page land in tests/e2e/screenshots/<mode>-<journey>/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from .live import chromium_missing_reason

if (MISSING := chromium_missing_reason()) is not None:
    print(f"\n{MISSING}")
    pytest.skip(MISSING, allow_module_level=True)

from .audit import Auditor  # noqa: E402  (needs the browser packages checked above)
from .journeys import PATIENT_REF, doctor_journey, patient_journey  # noqa: E402
from .live import DESKTOP, PHONE, LiveServer, live_server  # noqa: E402


@dataclass
class Mode:
    javascript: bool
    server: LiveServer
    done: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return "js" if self.javascript else "no-js"


@pytest.fixture(scope="module", params=[True, False], ids=["js", "no-js"])
def mode(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mode]:
    with live_server(tmp_path_factory.mktemp("e2e")) as server:
        server.add_doctor()
        # Two earlier submissions with sooner appointments: only urgency puts the patient above them.
        server.add_submission("E2E-CRITICAL", {
            "takes_medications": "yes", "opioid_recent": "yes", "opioid_pattern": "daily",
            "opioid_last_dose": date.today().isoformat(), "opioid_withdrawal_now": "no",
            "medications": [{"name": "oxycodone 5 mg", "how_often": "daily", "last_taken": date.today().isoformat()}],
        }, appointment_in_days=2)
        server.add_submission("E2E-CLEAN", {}, appointment_in_days=1)
        yield Mode(javascript=request.param, server=server)


def _patient(browser: Any, mode: Mode) -> None:
    auditor = Auditor(browser, f"{mode.name}-patient", PHONE, mode.javascript)
    try:
        patient_journey(browser, mode.server, auditor.page, javascript=mode.javascript, viewport=PHONE)
    finally:
        auditor.close()
    assert len(auditor.checked) >= 20
    mode.done.add("patient")


def test_patient_completes_the_questionnaire_by_keyboard_on_a_phone(browser: Any, mode: Mode) -> None:
    _patient(browser, mode)


def test_doctor_finds_the_patient_first_accepts_a_flag_and_prints(browser: Any, mode: Mode) -> None:
    if "patient" not in mode.done:  # run on its own: the patient journey comes first
        _patient(browser, mode)
    auditor = Auditor(browser, f"{mode.name}-doctor", DESKTOP, mode.javascript)
    try:
        doctor_journey(browser, mode.server, auditor.page, javascript=mode.javascript, viewport=DESKTOP,
                       pdf_path=auditor.folder / "summary.pdf", patient_ref=PATIENT_REF)
    finally:
        auditor.close()
