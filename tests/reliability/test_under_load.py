"""Against a real gunicorn server (2 workers): many patients at once, a killed worker,
double submits. Runs on SQLite, and on PostgreSQL in the PostgreSQL pass."""

from __future__ import annotations

import copy
import http.client
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from screening.invitations import create_invitation
from screening.models import QuestionnaireResponse, StoredEvaluation
from screening.questionnaire import QUESTIONNAIRE
from tests.doctor_fixtures import CLEAN_ANSWERS
from tests.patient.pages import TYPICAL_PAGES
from tests.reliability.server import HttpPatient, gunicorn

PATIENTS = 50
# What a browser sees when the worker serving it dies: a reset, or a response cut short.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


def _pages_for(number: int) -> dict[str, dict[str, Any]]:
    """The typical answers, made unique to this patient so a mix-up would show."""
    pages = copy.deepcopy(TYPICAL_PAGES)
    pages["about_you"]["date_of_birth"] = {"day": str(1 + number % 28), "month": str(1 + number % 12), "year": "1970"}
    pages["reasons"]["main_goal"] = f"Goal of patient {number}"
    pages["medicines_list"]["medications"][1]["name"] = f"Vitamin D {number}"
    pages["symptoms"]["fatigue"] = str(number % 11)
    return pages


def _tokens(database_url: str, count: int) -> list[str]:
    engine = create_engine(database_url)
    with Session(engine) as session, session.begin():
        tokens = [create_invitation(session, f"LOAD-{n:03d}", None)[1] for n in range(count)]
    engine.dispose()
    return tokens


def _stored(database_url: str) -> dict[str, dict[str, Any]]:
    engine = create_engine(database_url)
    with Session(engine) as session:
        rows = session.scalars(select(QuestionnaireResponse)).all()
        result = {r.invitation.patient_ref: {"answers": r.answers, "submitted": r.submitted} for r in rows}
    engine.dispose()
    return result


def _check_saved_pages(patient_number: int, patient: HttpPatient, answers: dict[str, Any]) -> None:
    """Every page the server confirmed is in the database with this patient's own values."""
    for page_id, page_answers in patient.saved.items():
        for question in QUESTIONNAIRE.page(page_id).questions:
            if question.id in page_answers:
                assert question.id in answers, (patient_number, page_id, question.id)
    if "reasons" in patient.saved:
        assert answers["main_goal"] == f"Goal of patient {patient_number}"
    if "medicines_list" in patient.saved:
        assert answers["medications"][1]["name"] == f"Vitamin D {patient_number}"


def test_fifty_patients_at_once_lose_nothing(database_url, tmp_path):
    tokens = _tokens(database_url, PATIENTS)
    with gunicorn(database_url, tmp_path) as server:
        def complete(number: int) -> HttpPatient:
            patient = HttpPatient(server.port, tokens[number])
            patient.open_link()
            for page_id, answers in _pages_for(number).items():
                assert patient.save_page(page_id, answers), (number, page_id, patient.statuses[-3:])
            assert patient.submit() == 302
            return patient

        with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
            patients = list(pool.map(complete, range(PATIENTS)))
        log = server.log_text()

    stored = _stored(database_url)
    assert len(stored) == PATIENTS                                   # none duplicated, none missing
    for number, patient in enumerate(patients):
        record = stored[f"LOAD-{number:03d}"]
        assert record["submitted"] is True
        _check_saved_pages(number, patient, record["answers"])
        assert all(status < 500 for status in patient.statuses)
    assert "database is locked" not in log and "Traceback" not in log


def test_a_killed_worker_loses_at_most_the_page_in_flight(database_url, tmp_path):
    tokens = _tokens(database_url, 10)
    with gunicorn(database_url, tmp_path) as server:
        stop_killing = threading.Event()

        def killer() -> None:
            time.sleep(1.0)
            for _ in range(3):
                if stop_killing.is_set():
                    return
                pids = server.worker_pids()
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                time.sleep(1.0)

        def patient_with_retries(number: int) -> HttpPatient:
            patient = HttpPatient(server.port, tokens[number])
            for _attempt in range(20):
                try:
                    patient.open_link()
                    break
                except (*CONNECTION_ERRORS, AssertionError):
                    time.sleep(0.2)
            for page_id, answers in _pages_for(number).items():
                for _attempt in range(20):  # a patient presses the button again after an error
                    try:
                        if patient.save_page(page_id, answers):
                            break
                    except CONNECTION_ERRORS:
                        pass
                    time.sleep(0.2)
            return patient

        thread = threading.Thread(target=killer)
        thread.start()
        with ThreadPoolExecutor(max_workers=10) as pool:
            patients = list(pool.map(patient_with_retries, range(10)))
        stop_killing.set()
        thread.join()
        assert server.process.poll() is None                          # the master replaced the workers

    stored = _stored(database_url)
    for number, patient in enumerate(patients):
        assert patient.saved, number
        _check_saved_pages(number, patient, stored[f"LOAD-{number:03d}"]["answers"])


def test_a_hundred_double_submits_make_one_submission_each(database_url, tmp_path):
    engine = create_engine(database_url)
    tokens = []
    with Session(engine) as session, session.begin():
        for number in range(100):
            invitation, token = create_invitation(session, f"DOUBLE-{number:03d}", None)
            session.add(QuestionnaireResponse(invitation_id=invitation.id, questionnaire_version=QUESTIONNAIRE.version,
                                              answers=dict(CLEAN_ANSWERS), current_page="check"))
            tokens.append(token)
    with gunicorn(database_url, tmp_path) as server:
        def double_submit(token: str) -> list[int]:
            patient = HttpPatient(server.port, token)
            patient.open_link()
            status, _h, html = patient.call("GET", "/questionnaire/check")
            csrf = __import__("re").search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            with ThreadPoolExecutor(max_workers=2) as clicks:
                results = list(clicks.map(
                    lambda _: patient.call("POST", "/questionnaire/submit", {"csrf_token": csrf})[0], range(2)))
            return results

        with ThreadPoolExecutor(max_workers=10) as pool:
            outcomes = list(pool.map(double_submit, tokens))
    assert all(outcome == [302, 302] for outcome in outcomes)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(QuestionnaireResponse)
                              .where(QuestionnaireResponse.submitted.is_(True))) == 100
        assert session.scalar(select(func.count()).select_from(StoredEvaluation)) == 100
    engine.dispose()
