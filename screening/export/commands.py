"""Export commands: the questionnaire and one submission as FHIR R4 JSON."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from ..extensions import db, questionnaire
from ..models import QuestionnaireResponse
from .fhir import questionnaire_resource
from .submission_json import submission_fhir


@click.command("fhir-questionnaire")
@with_appcontext
def fhir_questionnaire_command() -> None:
    """Print the questionnaire as a FHIR R4 Questionnaire."""
    click.echo(json.dumps(questionnaire_resource(questionnaire()), indent=2))


@click.command("fhir-response")
@click.argument("submission_id", type=int)
@with_appcontext
def fhir_response_command(submission_id: int) -> None:
    """Print one submission as a FHIR R4 QuestionnaireResponse."""
    with db().read() as session:
        response = session.get(QuestionnaireResponse, submission_id)
        if response is None or not response.submitted:
            raise click.ClickException(f"no submitted questionnaire with ID {submission_id}")
        resource = submission_fhir(questionnaire(), response)
    click.echo(json.dumps(resource, indent=2))


COMMANDS = (fhir_questionnaire_command, fhir_response_command)
