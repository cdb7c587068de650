"""`evaluate FILE...`: run the rules on evaluation input documents (rules.md, "Interfaces
that external test suites rely on"); `evaluate-checkin FILE...`: the same for check-in
documents and the check-in rules (followup.md section 6).

Prints one JSON object per valid file, in input order, on standard output; for each
invalid file, one line on standard error naming the file and the problem, then goes on
with the next file; exits 2 if any file was invalid. Answers to hidden questions are
dropped with a note, as the form drops them. Plain click commands: they need no
application, database or configuration (`COMMANDS` lists them for screening/cli.py).

Input is bounded like the web form's: at most 2 MB read per file (so /dev/zero is one
error line, not an exhausted memory), JSON numbers finite and of at most 4,300 digits (no
NaN, Infinity, 1e400 or 5,000-digit integers), and an error line never longer than 200
characters after the file name, whatever the bad value's size. Nothing becomes a traceback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE, AnswerError, validate_answers
from screening.questionnaire.answers import parse_iso_date

from .checkin import checkin_context, evaluate_checkin
from .plan import Plan, PlanError, plan_from_json
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


def _run(files: tuple[str, ...], evaluate_one: Callable[[str], tuple[str, str | None]]) -> None:
    """Each file's line on standard output (its note, if any, on standard error), or its
    one-line error on standard error; exit 2 if any file was invalid."""
    invalid = False
    for path in files:
        try:
            line, note = evaluate_one(path)
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


@click.command("evaluate")
@click.argument("files", nargs=-1, required=True)
def evaluate_command(files: tuple[str, ...]) -> None:
    """Evaluate FILE... (evaluation input documents) and print one JSON line per file."""
    _run(files, evaluate_file)


# --- evaluate-checkin (followup.md section 6) ---------------------------------------------


@dataclass(frozen=True)
class CheckinDocument:
    as_of: date
    plan: Plan
    answers: dict[str, Any]  # the check-in's answers kept (hidden ones dropped)
    screening_answers: dict[str, Any]  # the screening's answers kept
    dropped: tuple[str, ...]  # hidden answers dropped: check-in IDs, then "screening.<ID>"


def _object(document: Mapping[str, Any], key: str, shape: str) -> Mapping[str, Any]:
    value = document[key]
    if not isinstance(value, Mapping):
        raise InputError(f"'{key}' must be an object {shape}")
    return value


def read_checkin_document(path: str) -> CheckinDocument:
    """A check-in document (followup.md section 6), validated; or InputError.

    `screening` may be left out (no screening answers known: no baseline, sex at birth
    not given, not on thyroid hormone), and so may its `as_of` (then the screening's dates
    must not be after the check-in's). Other top-level keys are ignored, as by `evaluate`."""
    document = parse_json(_read_bounded(path))
    if not isinstance(document, Mapping):
        raise InputError('expected a JSON object {"as_of": ..., "plan": {...}, "screening": {...}, "answers": {...}}')
    for key in ("as_of", "plan", "answers"):
        if key not in document:
            raise InputError(f"missing '{key}'")
    try:
        as_of = parse_iso_date(document["as_of"], "as_of")
        plan = plan_from_json(document["plan"])
        if as_of < plan.start_date:
            raise InputError(f"as_of ({as_of.isoformat()}) is before the plan's start_date "
                             f"({plan.start_date.isoformat()})")
        screening = _object(document, "screening", '{"as_of": ..., "answers": {...}}') \
            if "screening" in document else {}
        screening_as_of = parse_iso_date(screening["as_of"], "screening.as_of") if "as_of" in screening else as_of
        try:
            screening_kept, screening_dropped = validate_answers(
                QUESTIONNAIRE, screening.get("answers", {}), screening_as_of)
        except AnswerError as error:
            raise InputError(f"screening: {error}") from None
        kept, dropped = validate_answers(
            CHECKIN_QUESTIONNAIRE, document["answers"], as_of, checkin_context(screening_kept))
    except PlanError as error:
        raise InputError(f"plan: {error}") from None
    except AnswerError as error:
        raise InputError(str(error)) from None
    except RecursionError:  # answers nested deeper than any check walks
        raise InputError("answers nested too deeply") from None
    hidden = (*dropped, *(f"screening.{qid}" for qid in screening_dropped))
    return CheckinDocument(as_of, plan, kept, screening_kept, hidden)


def evaluate_checkin_file(path: str) -> tuple[str, str | None]:
    """The file's JSON result line and its note about dropped answers (or None); InputError."""
    document = read_checkin_document(path)
    note = None
    if document.dropped:
        note = f"{path}: note: ignored answers to questions not shown: {', '.join(document.dropped)}"
    result = evaluate_checkin(document.answers, document.as_of, document.plan, document.screening_answers)
    return json.dumps({"file": path, **result.to_json()}), note


@click.command("evaluate-checkin")
@click.argument("files", nargs=-1, required=True)
def evaluate_checkin_command(files: tuple[str, ...]) -> None:
    """Evaluate FILE... (check-in documents) and print one JSON line per file."""
    _run(files, evaluate_checkin_file)


COMMANDS = (evaluate_command, evaluate_checkin_command)
