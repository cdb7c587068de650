"""Regenerate docs/screenshots/*.png and docs/screenshots.md from the real app in Chromium.

    .venv/bin/python -m tests.e2e.screenshots_for_docs        (or: make screenshots)

It runs the same journeys as the browser tests, on a phone and on a desktop, over the
demo data (`flask demo`), and keeps the main pages. Images are palette PNGs of modest
size so the repository stays small.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from .live import PHONE, chromium, chromium_missing_reason, live_server

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
PAGE = ROOT / "docs" / "screenshots.md"
PHONE_HEIGHT = 1100  # a phone shot shows a little more than one screen
DESKTOP_SIZE = {"width": 1100, "height": 820}

# (journey, page name as the journey calls it, file name, caption)
SHOTS = [
    ("patient", "Start page", "start", "Start page: how long it takes, that answers are saved, how to come back."),
    ("patient", "About you – error", "error", "An answer missing: the error summary links to each question."),
    ("patient", "Medicines list – three medicines", "medicines",
     "Medicines: add and remove rows; each works without JavaScript."),
    ("patient", "Mood", "mood", "Radios and checkboxes are large rows; the whole row can be tapped."),
    ("patient", "Symptoms, with the safety message", "safety",
     "After an answer about self-harm: the interruption card, then the 0–10 scales."),
    ("patient", "Check your answers", "check", "Check your answers, with a Change link for each answer."),
    ("patient", "Confirmation", "confirmation", "Confirmation, with what happens next."),
    ("doctor", "Queue", "queue", "The doctor's queue: urgent first, severity as words and icons, not colour alone."),
    ("doctor", "Summary", "summary",
     "The summary: earliest start, then flags grouped by severity, each with its evidence."),
    ("doctor", "Summary – print view", "print", "The summary as printed: no navigation or forms."),
]


def _save(page: Any, path: Path, phone: bool) -> None:
    from PIL import Image

    if phone:
        height = min(PHONE_HEIGHT, page.evaluate("() => document.documentElement.scrollHeight"))
        page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height},
                        full_page=True)
    else:
        page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(colors=96).save(path, optimize=True)


def _taker(kind: str, device: str) -> Any:
    wanted = {name: slug for journey, name, slug, _caption in SHOTS if journey == kind}

    def visit(page: Any, name: str) -> None:
        if name in wanted:
            _save(page, OUT / f"{wanted[name]}-{device}.png", phone=device == "phone")

    return visit


def take_all() -> None:
    from screening.operations.demo import seed_demo

    from .journeys import doctor_journey, patient_journey

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as server, chromium() as browser:
        with server.app.app_context(), server.app.extensions["db"].write() as session:
            seed_demo(session)
        server.add_doctor()
        for device, viewport in (("phone", PHONE), ("desktop", DESKTOP_SIZE)):
            ref = f"NEW-PATIENT-{device.upper()}"
            patient_journey(browser, server, _taker("patient", device), javascript=True, viewport=viewport,
                            patient_ref=ref, appointment_in_days=2 if device == "phone" else 1)
            doctor_journey(browser, server, _taker("doctor", device), javascript=True, viewport=viewport,
                           pdf_path=Path(tmp) / f"{device}.pdf", patient_ref=ref)
    PAGE.write_text(markdown(), encoding="utf-8")


def markdown() -> str:
    lines = [
        "# What the app looks like",
        "",
        "The main patient and doctor pages, on a phone (390 px wide) and on a desktop. The images",
        "are taken from the real app in Chromium by `make screenshots`",
        "(`tests/e2e/screenshots_for_docs.py`), which runs the browser tests' journeys over the demo",
        "data: do not edit them by hand.",
        "",
        "How the look is checked (`tests/e2e/`, `tests/test_readability.py`):",
        "",
        "- A patient answers the whole questionnaire by keyboard alone on a 390 × 844 screen: an error",
        "  and its recovery, adding and removing medicines, leaving and coming back, changing an answer,",
        "  sending. A doctor signs in, opens that patient from the top of the queue, accepts a flag and",
        "  prints. Both journeys run with JavaScript on and off.",
        "- On every page visited, error states included, axe-core finds no WCAG 2.2 AA violation,",
        "  focus is visible at every Tab stop, touch targets are at least 44 px tall and text at least 16 px.",
        "- Every question, with its hint and options, reads at US grade 8 or lower (Flesch-Kincaid;",
        "  drug, brand and lab-test names left out). `pytest tests/test_readability.py -s` prints the",
        "  hardest sentences; the report is also written to `build/readability-report.txt`.",
        "- The browser tests save a screenshot of every page they visit to `tests/e2e/screenshots/`",
        "  (not committed).",
        "",
        "Without JavaScript everything works the same. With it, three small enhancements from",
        "`static/app.js`: the error summary takes focus and its links move to the answer to fix;",
        "\"None of these\" unticks the other answers at once; the summary gets a Print button.",
        "",
    ]
    for kind, title in (("patient", "Patient"), ("doctor", "Doctor")):
        lines += [f"## {title}", ""]
        for journey, _name, slug, caption in SHOTS:
            if journey == kind:
                lines += [f"### {caption}", "", f"![{caption} On a phone.](screenshots/{slug}-phone.png)",
                          f"![{caption} On a desktop.](screenshots/{slug}-desktop.png)", ""]
    return "\n".join(lines)


def main() -> int:
    reason = chromium_missing_reason()
    if reason:
        print(reason.replace("browser tests skipped", "screenshots not taken"))
        return 1
    take_all()
    print(f"wrote {len(SHOTS) * 2} screenshots to {OUT.relative_to(ROOT)} and {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
