"""`evaluate FILE...`: run the rules on evaluation input documents (rules.md, "Interfaces
that external test suites rely on").

Prints one JSON object per valid file, in input order, on standard output; for each
invalid file, one line on standard error naming the file and the problem; exits 2 if any
file was invalid. Answers to hidden questions are dropped with a note, as the form drops
them. A plain click command: it needs no application, database or configuration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import click

from screening.questionnaire import QUESTIONNAIRE, AnswerError, validate_answers
from screening.questionnaire.answers import parse_iso_date

from .ruleset import evaluate

INVALID_EXIT_CODE = 2


class InputError(ValueError):
    """The file is not a valid evaluation input document; the message says why."""


def read_document(path: str) -> tuple[date, dict[str, Any], list[str]]:
    """as_of, the answers kept, and the IDs of hidden answers dropped; or InputError.

    Other top-level keys (a test suite's "name" or "expected", say) are not answers and
    are ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise InputError(f"not valid JSON ({error.msg} at {where})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    if not isinstance(document, Mapping):
        raise InputError('expected a JSON object {"as_of": ..., "answers": {...}}')
    if "as_of" not in document:
        raise InputError("missing 'as_of'")
    if "answers" not in document:
        raise InputError("missing 'answers'")
    try:
        as_of = parse_iso_date(document["as_of"], "as_of")
        kept, dropped = validate_answers(QUESTIONNAIRE, document["answers"], as_of)
    except AnswerError as error:
        raise InputError(str(error)) from None
    return as_of, kept, dropped


def one_line(text: str) -> str:
    return " ".join(text.split())


@click.command("evaluate")
@click.argument("files", nargs=-1, required=True)
def evaluate_command(files: tuple[str, ...]) -> None:
    """Evaluate FILE... (evaluation input documents) and print one JSON line per file."""
    invalid = False
    for path in files:
        try:
            as_of, answers, dropped = read_document(path)
        except InputError as error:
            click.echo(one_line(f"{path}: error: {error}"), err=True)
            invalid = True
            continue
        if dropped:
            hidden = ", ".join(dropped)
            click.echo(f"{path}: note: ignored answers to questions not shown: {hidden}", err=True)
        result = evaluate(answers, as_of)
        click.echo(json.dumps({"file": path, **result.to_json()}))
    if invalid:
        click.get_current_context().exit(INVALID_EXIT_CODE)
