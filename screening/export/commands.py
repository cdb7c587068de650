"""Export commands: the questionnaire and one submission as FHIR R4 JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db, questionnaire
from ..models import QuestionnaireResponse
from .fhir import questionnaire_resource
from .loading import fhir_bundle_for
from .submission_json import submission_fhir

# A submission ID is a database integer key: anything outside is refused before any query
# (an oversized number would otherwise fail inside the database driver).
SUBMISSION_IDS = click.IntRange(1, 2**31 - 1)


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


@click.command("fhir-bundle")
@click.argument("submission_id", type=SUBMISSION_IDS)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the Bundle to this file instead of standard output.")
@with_appcontext
def fhir_bundle_command(submission_id: int, output: Path | None) -> None:
    """Print one submission as a FHIR R4 Bundle: answers, flags with decisions, scores."""
    with db().read() as session:
        bundle = fhir_bundle_for(session, questionnaire(), submission_id)
    if bundle is None:
        # Exit code 2, like any other bad argument.
        raise click.BadParameter(f"no submitted questionnaire with ID {submission_id}", param_hint="SUBMISSION_ID")
    text = json.dumps(bundle, indent=2)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


COMMANDS = (fhir_questionnaire_command, fhir_response_command, fhir_bundle_command)
