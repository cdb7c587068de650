"""`flask demo`: seed a demonstration so a newcomer sees the product at once.

Creates (once) a handful of realistic submitted patients across the severities, resets
the demo doctor's password to a fresh random one, and prints that login and a new patient
link ready to fill in. Run by `make run` after `init-db`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import hash_password
from ..extensions import db, mail, questionnaire
from ..invitations import create_invitation
from ..models import Doctor, Invitation
from ..outbox.queue import queue_invitation
from ..patient.submission import create_submitted
from .demo_followup import seed_followup

DEMO_PATIENT_REF = "DEMO-PATIENT"
DEMO_DOCTOR = "doctor@demo.clinic"
DEMO_PATIENT_EMAIL = "patient@demo-clinic.example"


def _iso(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


BASE_ANSWERS: dict[str, Any] = {
    "date_of_birth": "1975-08-30", "sex_at_birth": "female", "pregnant": "no",
    "trying_to_conceive": "no", "breastfeeding": "no", "conditions": ["fibromyalgia"],
    "takes_medications": "no", "opioid_recent": "no", "opioid_treatment": "never",
    "kratom_tianeptine": "never", "illicit_opioid_12m": "no", "opioid_use_disorder": "no",
    "loperamide_use": "never", "surgery_planned": "no", "expects_opioid_pain_relief": "no",
    "liver_conditions": ["none"], "liver_symptoms_now": ["none"], "liver_test_when": "within_12_months",
    "liver_test_abnormal": "no", "audit_c_frequency": "never", "thyroid_conditions": ["none"],
    "kidney_disease": "none", "transplant": "no", "immunosuppressants": "no",
    "naltrexone_reaction": "none", "current_antagonist": ["none"],
    "phq1_interest": 1, "phq2_down": 1, "phq3_sleep": 2, "phq4_tired": 2, "phq5_appetite": 0,
    "phq6_failure": 0, "phq7_concentration": 1, "phq8_movement": 0, "phq9_self_harm": 0,
    "gad1_nervous": 1, "gad2_worry": 1, "suicide_attempt_history": "no",
    "pain_average": 6, "fatigue": 7, "brain_fog": 5, "sleep_problems": 6, "consent_share": "yes",
}

DEMO_PATIENTS: list[tuple[str, dict[str, Any]]] = [
    ("DEMO-URGENT-SELFHARM", {"phq9_self_harm": 2, "phq2_down": 3, "low_mood": 8}),
    ("DEMO-TYLENOL3", {
        "sex_at_birth": "male", "pregnant": None, "trying_to_conceive": None, "breastfeeding": None,
        "conditions": ["long_covid"], "takes_medications": "yes", "post_exertional_malaise": "yes",
        "medications": [
            {"name": "Tylenol #3", "how_often": "as_needed", "last_taken": _iso(3)},
            {"name": "atorvastatin 20mg", "how_often": "daily", "last_taken": _iso(1)},
        ],
    }),
    ("DEMO-HASHIMOTO-COCODAMOL", {
        "conditions": ["hashimotos", "fibromyalgia"], "takes_medications": "yes", "opioid_recent": "yes",
        "opioid_last_dose": _iso(9), "opioid_pattern": "stopped", "opioid_withdrawal_now": "no",
        "thyroid_conditions": ["hashimotos"], "thyroid_medication": ["levothyroxine"],
        "thyroid_dose_changed_6m": "no", "hyperthyroid_symptoms": ["none"],
        "medications": [
            {"name": "Levothyroxine 100 mcg", "how_often": "daily", "last_taken": _iso(1)},
            {"name": "co-codamol 30/500", "how_often": "stopped", "last_taken": _iso(9)},
            {"name": "Mystery herbal tea blend", "how_often": "daily", "last_taken": None},
        ],
    }),
    # The busiest summary a clinic is likely to see: many flags, medicines and numbers (the
    # printed summary must still fit on 3 A4 pages).
    ("DEMO-MANY-FLAGS", {
        "date_of_birth": "1969-03-14", "conditions": ["chronic_pain", "fibromyalgia", "hashimotos"],
        "takes_medications": "yes", "opioid_recent": "yes", "opioid_last_dose": _iso(12),
        "opioid_pattern": "as_needed", "opioid_withdrawal_now": "no", "loperamide_use": "occasionally",
        "surgery_planned": "unsure", "expects_opioid_pain_relief": "unsure",
        "liver_test_abnormal": "yes", "alt_value": 96, "alt_uln": 40, "ast_value": 61, "ast_uln": 35,
        "bilirubin_value": 14, "bilirubin_uln": 21,
        "audit_c_frequency": "2_3_per_week", "audit_c_typical": "3_4", "audit_c_six_plus": "monthly",
        "alcohol_withdrawal_history": "no",
        "thyroid_conditions": ["hashimotos"], "thyroid_medication": ["levothyroxine"],
        "thyroid_dose_changed_6m": "yes", "hyperthyroid_symptoms": ["palpitations"],
        "kidney_disease": "mild_or_moderate", "immunosuppressants": "unsure",
        "phq1_interest": 2, "phq2_down": 2, "phq3_sleep": 2, "phq4_tired": 3, "phq5_appetite": 1,
        "phq6_failure": 1, "phq7_concentration": 2, "phq8_movement": 0, "gad1_nervous": 2, "gad2_worry": 2,
        "pain_average": 8, "pain_interference": 7, "fatigue": 8, "brain_fog": 7, "sleep_problems": 8,
        "low_mood": 6, "anxiety": 6,
        "medications": [
            {"name": "tramadol 50mg", "how_often": "as_needed", "last_taken": _iso(12)},
            {"name": "Levothyroxine 88 mcg", "how_often": "daily", "last_taken": _iso(1)},
            {"name": "methotrexate 15mg", "how_often": "weekly", "last_taken": _iso(4)},
            {"name": "Imodium", "how_often": "as_needed", "last_taken": _iso(6)},
            {"name": "sertraline 100mg", "how_often": "daily", "last_taken": _iso(1)},
            {"name": "Nervexol drops", "how_often": "daily", "last_taken": None},
        ],
    }),
    ("DEMO-OLDER-ADULT", {"date_of_birth": "1952-02-11", "conditions": ["chronic_pain"], "pain_average": 8}),
    ("DEMO-CLEAN", {"date_of_birth": "1988-06-01", "conditions": ["crohns_or_colitis"]}),
]


def _seed_patient(session: Session, patient_ref: str, overrides: dict[str, Any]) -> None:
    answers = {key: value for key, value in {**BASE_ANSWERS, **overrides}.items() if value is not None}
    create_submitted(
        session, patient_ref, answers, appointment=date.today() + timedelta(days=7),
        questionnaire_version=questionnaire().version,
    )


def seed_demo(session: Session) -> str:
    """Seed patients once and reset the demo doctor; returns the doctor's new password."""
    already = session.scalar(select(Invitation).where(Invitation.patient_ref == DEMO_PATIENTS[0][0]))
    if already is None:
        for patient_ref, overrides in DEMO_PATIENTS:
            _seed_patient(session, patient_ref, overrides)
        session.flush()
        seed_followup(session, date.today(), mail().link_key)
    password = secrets.token_urlsafe(12)
    doctor = session.scalar(select(Doctor).where(Doctor.email == DEMO_DOCTOR))
    if doctor is None:
        session.add(Doctor(email=DEMO_DOCTOR, password_hash=hash_password(password), session_version=0, role="admin"))
    else:
        doctor.password_hash = hash_password(password)
        doctor.active = True
        doctor.role = "admin"  # the demo shows every page; its second factor, once set up, is kept
        doctor.session_version += 1  # the old demo password's sessions end too
    return password


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed demo data and print a doctor login and a patient link to try (never in production)."""
    from .commands import invitation_link

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "demo data is never created in production (SCREENING_ENV=production): it would add an "
            "active demo doctor account. Use create-doctor for real accounts."
        )

    settings = mail()
    with db().write() as session:
        password = seed_demo(session)
        appointment = (datetime.now(UTC) + timedelta(days=14)).date()
        # With email on (as `make run` sets it up), the demo patient's link is emailed too.
        invitation, token = create_invitation(session, DEMO_PATIENT_REF, appointment, key=settings.link_key,
                                              email=DEMO_PATIENT_EMAIL if settings.enabled else None)
        emailed = queue_invitation(session, invitation, settings) is not None
    base = invitation_link("").removesuffix("/i/")
    click.echo("")
    click.echo("Demo ready.")
    click.echo(f"  Doctor workspace: {base}/doctor/")
    click.echo(f"    email:    {DEMO_DOCTOR}")
    click.echo(f"    password: {password}")
    click.echo("    (an admin; at the first sign-in, set up an authenticator app as the page shows)")
    click.echo("  Patient link (open it to fill in the questionnaire):")
    click.echo(f"    {invitation_link(token)}")
    if emailed:
        click.echo(f"    (also emailed to {DEMO_PATIENT_EMAIL}: the message appears below once the sender runs)")
    click.echo("")
