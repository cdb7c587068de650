"""The plan's PDF for the clinic's records: every page names the patient, each sent check-in
shows what it found (flags with their reasons, changes, the patient's overall impression),
and the trend charts print with their tables. Read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import select

from screening.models import TreatmentPlan
from screening.operations.demo import seed_demo
from screening.operations.demo_followup import PATIENT_ON_LDN
from tests.plain_words import leaks


@pytest.fixture
def pdf_pages(app, doctor, tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: `.ci/run` installs it")
    with app.app_context(), app.extensions["db"].write() as session:
        seed_demo(session)
    with app.extensions["db"].read() as session:
        plan_id = session.scalar(select(TreatmentPlan.id))
    response = doctor.get(f"/doctor/plans/{plan_id}/plan.pdf")
    assert response.headers["Content-Disposition"] == f'attachment; filename="ldn-plan-{plan_id}.pdf"'
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_every_page_names_the_patient(pdf_pages: list[str]) -> None:
    assert all(PATIENT_ON_LDN in page for page in pdf_pages)
    total = len(pdf_pages)
    assert all(f"Page {n} of {total}" in page for n, page in enumerate(pdf_pages, start=1))


def test_each_sent_check_in_shows_what_it_found(pdf_pages: list[str]) -> None:
    text = " ".join(" ".join(pdf_pages).split())
    assert text.count("Overall change, in the patient's words") == 3
    assert "FU-10" in text and "Possible over-replacement" in text and "Basis:" in text
    assert "Much better" in text or "much improved" in text.lower()


def test_the_trend_charts_print_with_their_tables(pdf_pages: list[str]) -> None:
    text = " ".join(" ".join(pdf_pages).split())
    assert "Symptom trend" in text and "Change from before LDN" in text and "Planned dose" in text


def test_the_pdf_shows_no_question_id_or_option_code(pdf_pages: list[str]) -> None:
    assert leaks("\n".join(pdf_pages)) == []
