"""`evaluate FILE...`: run the rules on evaluation input documents (rules.md, "Interfaces
that external test suites rely on").

Prints one JSON object per valid file, in input order, on standard output; for each
invalid file, one line on standard error naming the file and the problem, then goes on
with the next file; exits 2 if any file was invalid. Answers to hidden questions are
dropped with a note, as the form drops them. A plain click command: it needs no
application, database or configuration.

Input is bounded like the web form's: at most 2 MB read per file (so /dev/zero is one
error line, not an exhausted memory), JSON numbers finite and of at most 4,300 digits (no
NaN, Infinity, 1e400 or 5,000-digit integers), and an error line never longer than 200
characters after the file name, whatever the bad value's size. Nothing becomes a traceback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import click

from screening.questionnaire import QUESTIONNAIRE, AnswerError, validate_answers
from screening.questionnaire.answers import parse_iso_date

from .ruleset import evaluate

INVALID_EXIT_CODE = 2
MAX_FILE_BYTES = 2 * 1024 * 1024
# Python refuses to convert longer integers (a ValueError deep in json.loads): say so instead.
# Shorter ones are read, and the answer checks then name the question they do not fit.
MAX_NUMBER_DIGITS = 4300
MAX_MESSAGE_CHARS = 200


class InputError(ValueError):
    """The file is not a valid evaluation input document; the message says why."""


def _read_bounded(path: str) -> str:
    """The file's text, reading at most MAX_FILE_BYTES (+1 to tell a larger file)."""
    try:
        with open(path, "rb") as source:
            data = source.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read the file ({error.strerror or error})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text") from None


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise InputError(f"not valid JSON (a number with more than {MAX_NUMBER_DIGITS} digits)")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise InputError(f"not valid JSON (a number with more than {MAX_NUMBER_DIGITS} digits)")
    value = float(text)
    if not math.isfinite(value):
        raise InputError("not valid JSON (a number too large to represent)")
    return value


def _refuse_constant(name: str) -> Any:
    raise InputError(f"not valid JSON ({name} is not a JSON number)")


def parse_json(text: str) -> Any:
    """Strict JSON: no NaN or Infinity, numbers of bounded size, nesting bounded by recursion."""
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise InputError(f"not valid JSON ({error.msg} at {where})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None


def read_document(path: str) -> tuple[date, dict[str, Any], list[str]]:
    """as_of, the answers kept, and the IDs of hidden answers dropped; or InputError.

    Other top-level keys (a test suite's "name" or "expected", say) are not answers and
    are ignored."""
    document = parse_json(_read_bounded(path))
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
    except RecursionError:  # answers nested deeper than any check walks
        raise InputError("answers nested too deeply") from None
    return as_of, kept, dropped


def one_line(text: str) -> str:
    return " ".join(text.split())


def short(message: str) -> str:
    """One line of at most MAX_MESSAGE_CHARS: a bad value is quoted, never echoed whole."""
    line = one_line(message)
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"


def evaluate_file(path: str) -> tuple[str, str | None]:
    """The file's JSON result line and its note about dropped answers (or None); InputError."""
    as_of, answers, dropped = read_document(path)
    note = f"{path}: note: ignored answers to questions not shown: {', '.join(dropped)}" if dropped else None
    return json.dumps({"file": path, **evaluate(answers, as_of).to_json()}), note


@click.command("evaluate")
@click.argument("files", nargs=-1, required=True)
def evaluate_command(files: tuple[str, ...]) -> None:
    """Evaluate FILE... (evaluation input documents) and print one JSON line per file."""
    invalid = False
    for path in files:
        try:
            line, note = evaluate_file(path)
        except InputError as error:
            message = str(error)
        except Exception as error:  # noqa: BLE001  (one line per bad file and on to the next, never a traceback)
            message = f"could not evaluate this file ({type(error).__name__})"
        else:
            if note:
                click.echo(note, err=True)
            click.echo(line)
            continue
        click.echo(f"{one_line(path)}: error: {short(message)}", err=True)
        invalid = True
    if invalid:
        click.get_current_context().exit(INVALID_EXIT_CODE)
