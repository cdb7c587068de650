"""An app with email set up (nothing listens on MAIL_URL here: these tests queue and
compose; tests/outbox sends through a real SMTP server)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from screening import create_app
from screening.extensions import mail
from screening.invitations import create_invitation
from screening.models import Invitation
from screening.outbox.queue import queue_invitation

MAIL_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    "CLINIC_NAME": "Riverside Clinic",
    "CLINIC_CONTACT": "020 7946 0000",
    "PUBLIC_BASE_URL": "https://forms.clinic.example",
    "MAIL_URL": "smtp://127.0.0.1:2525",
    "MAIL_FROM": "Riverside Clinic <forms@clinic.example>",
}


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The shared fixtures' app (doctor, client, submit …), here with email set up."""
    application = create_app({**MAIL_CONFIG, "DATABASE_URL": database_url})
    yield application
    application.extensions["db"].dispose()


@pytest.fixture
def mail_app(app: Flask) -> Flask:
    return app


@pytest.fixture
def invite(app: Flask):  # type: ignore[no-untyped-def]
    """Creates an invitation with an address and queues its email; returns (id, token)."""

    def make(patient_ref: str = "P-MAIL", appointment: date | None = None, email: str = "pat@example.org",
             created_at: datetime | None = None, **kwargs: Any) -> tuple[int, str]:
        with app.app_context():
            settings = mail()
        with app.extensions["db"].write() as session:
            invitation, token = create_invitation(session, patient_ref, appointment, key=settings.link_key,
                                                  email=email, **kwargs)
            if created_at is not None:
                invitation.created_at = created_at
            queue_invitation(session, invitation, settings)
            return invitation.id, token

    return make


def invitation(app: Flask, invitation_id: int) -> Invitation:
    with app.extensions["db"].read() as session:
        found = session.get(Invitation, invitation_id)
        assert found is not None
        session.expunge(found)
        return found


@pytest.fixture
def submit_invitation():  # type: ignore[no-untyped-def]
    """Marks an invitation's questionnaire as sent, the way the patient's submit does."""
    from screening.models import QuestionnaireResponse
    from screening.outbox.queue import close_invitation

    def submit(session: Any, invitation: Invitation) -> None:
        session.add(QuestionnaireResponse(invitation_id=invitation.id, questionnaire_version="test", answers={},
                                          current_page="check", submitted=True, submitted_at=datetime.now(UTC)))
        close_invitation(session, invitation, "the form was sent")

    return submit
