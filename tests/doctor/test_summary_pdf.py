"""The printed summary: every page names the patient, and the busiest demo patient fits on
three A4 pages. Read back with pdftotext, as a clinic's records system would."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from screening.models import Invitation, QuestionnaireResponse
from screening.operations.demo import DEMO_PATIENTS, seed_demo
from screening.rules import evaluate
from tests.plain_words import leaks

MAX_PAGES = 3


def busiest_demo_patient() -> str:
    """The demo patient with the most flags (the longest summary)."""
    from screening.operations.demo import BASE_ANSWERS

    def flags(overrides: dict) -> int:
        answers = {k: v for k, v in {**BASE_ANSWERS, **overrides}.items() if v is not None}
        return len(evaluate(answers, date.today()).flags)
    return max(DEMO_PATIENTS, key=lambda patient: flags(patient[1]))[0]


@pytest.fixture
def pdf_pages(app, doctor, tmp_path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: `.ci/run` installs it")
    with app.app_context(), app.extensions["db"].write() as session:
        seed_demo(session)
    with app.extensions["db"].read() as session:
        response_id = session.scalar(select(QuestionnaireResponse.id).join(QuestionnaireResponse.invitation)
                                     .where(Invitation.patient_ref == busiest_demo_patient()))
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(doctor.get(f"/doctor/submissions/{response_id}/summary.pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_the_busiest_demo_patient_fits_on_three_pages(pdf_pages: list[str]) -> None:
    assert busiest_demo_patient() == "DEMO-MANY-FLAGS"
    assert len(pdf_pages) <= MAX_PAGES


def test_every_page_names_the_patient_and_their_date_of_birth(pdf_pages: list[str]) -> None:
    assert all("DEMO-MANY-FLAGS" in page and "14 March 1969" in page for page in pdf_pages)


def test_every_page_says_which_page_of_how_many(pdf_pages: list[str]) -> None:
    total = len(pdf_pages)
    assert all(f"Page {number} of {total}" in page for number, page in enumerate(pdf_pages, start=1))


def test_the_printed_summary_shows_no_question_id_or_option_code(pdf_pages: list[str]) -> None:
    assert leaks("\n".join(pdf_pages)) == []


def test_the_printed_summary_carries_the_numbers_and_every_flag(pdf_pages: list[str]) -> None:
    text = " ".join(" ".join(pdf_pages).split())
    assert "PHQ-9" in text and "AUDIT-C" in text and "× limit" in text
    assert all(rule in text for rule in ("OPI-01", "THY-04", "LIV-08", "TX-02"))
