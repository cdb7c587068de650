"""Issue 12, finding 8: the command line validates what it is given like the web form does.

`invite --patient` refuses what the invitation form refuses (control and bidi characters
included) and bounds the appointment date; `evaluate` reads at most 2 MB per file,
answers a bad file with one line on standard error, exit code 2 and the other files still
evaluated, never a traceback, never more than 200 characters of the bad value.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from screening.models import Invitation
from screening.rules.cases import base_answers
from screening.rules.cli import evaluate_command

LINK = re.compile(r"/i/[A-Za-z0-9_-]{43}$", re.M)


def _invitations(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return int(session.scalar(select(func.count()).select_from(Invitation)) or 0)


@pytest.mark.parametrize("patient_ref", [
    "PT-1\nPT-2", "PT-1\r", "PT\x1b[31m-RED", "PT\x00", "PT-\u202e1", "PT-\u2066-1\u2069", "PT\u200b1", "\u200fPT-1",
    "<script>", "PT;rm -rf", "", " ", " PT-1", "A" * 65, "PT\u00a01", "P\u0430T",  # NBSP, Cyrillic a
])
def test_invite_refuses_what_the_form_refuses(app, patient_ref):
    result = app.test_cli_runner().invoke(args=["invite", "--patient", patient_ref])
    assert result.exit_code == 2, result.output
    assert "--patient" in result.output
    assert _invitations(app) == 0


@pytest.mark.parametrize("patient_ref", ["PT-1", "2026/0042", "clinic.ref 7", "A" * 64])
def test_invite_accepts_what_the_form_accepts(app, patient_ref):
    result = app.test_cli_runner().invoke(args=["invite", "--patient", patient_ref])
    assert result.exit_code == 0, result.output
    assert LINK.search(result.output)


@pytest.mark.parametrize("appointment, message", [
    ("9999-12-31", "within 2 years"),
    ((date.today() + timedelta(days=731)).isoformat(), "within 2 years"),
    ((date.today() - timedelta(days=1)).isoformat(), "in the past"),
    ("0001-01-01", "in the past"),
])
def test_invite_bounds_the_appointment(app, appointment, message):
    result = app.test_cli_runner().invoke(args=["invite", "--patient", "PT-1", "--appointment", appointment])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert _invitations(app) == 0


def test_invite_accepts_an_appointment_today_or_within_two_years(app):
    for days in (0, 730):
        day = (date.today() + timedelta(days=days)).isoformat()
        assert app.test_cli_runner().invoke(args=["invite", "--patient", "PT-1", "--appointment", day]).exit_code == 0


def _document(**answer_changes: object) -> dict[str, object]:
    answers, as_of = base_answers()
    return {"as_of": as_of.isoformat(), "answers": {**answers, **answer_changes}}


def _raw(document: dict[str, object], key: str, literal: str) -> str:
    """The document as JSON with one answer's value replaced by a literal JSON text."""
    text = json.dumps({**document, "answers": {**document["answers"], key: "__HERE__"}})  # type: ignore[dict-item]
    return text.replace('"__HERE__"', literal)


BAD_FILES = {
    "five_thousand_digits.json": lambda: _raw(_document(), "phq9_self_harm", "9" * 5000),
    "nan.json": lambda: _raw(_document(), "phq9_self_harm", "NaN"),
    "infinity.json": lambda: _raw(_document(), "pain_average", "Infinity"),
    "minus_infinity.json": lambda: _raw(_document(), "pain_average", "-Infinity"),
    "huge_float.json": lambda: _raw(_document(), "pain_average", "1e400"),
    "long_float.json": lambda: _raw(_document(), "pain_average", "0." + "1" * 5000),
    "deeply_nested.json": lambda: "[" * 200_000 + "]" * 200_000,
    "nested_answers.json": lambda: _raw(_document(), "main_goal", "[" * 50_000 + "]" * 50_000),
    "long_bad_value.json": lambda: _raw(_document(), "sex_at_birth", json.dumps("x" * 1_000_000)),
    "long_unknown_key.json": lambda: json.dumps(_document(**{"k" * 100_000: 1})),
    "not_utf8.json": lambda: b"\xff\xfe{}",
    "too_big.json": lambda: " " * (3 * 1024 * 1024) + json.dumps(_document()),
}


def _write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def _evaluate(*paths: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(evaluate_command, list(paths))


def test_the_file_size_limit_is_a_few_megabytes():
    from screening.rules.cli import MAX_FILE_BYTES  # type: ignore[attr-defined,unused-ignore]

    assert 1024 * 1024 <= MAX_FILE_BYTES <= 4 * 1024 * 1024


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_one_short_line_and_exit_2_and_the_next_file_is_still_evaluated(tmp_path, name):
    good = _write(tmp_path, "good.json", json.dumps(_document()))
    bad = _write(tmp_path, name, BAD_FILES[name]())
    result = _evaluate(bad, good)
    assert result.exit_code == 2, (result.exit_code, result.exception, result.stderr[-300:])
    assert isinstance(result.exception, SystemExit)  # not an uncaught error with its traceback
    assert "Traceback" not in result.output
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"{bad}: error: "), errors
    assert len(errors[0]) <= len(bad) + 9 + 200 + 1
    assert [json.loads(line)["file"] for line in result.stdout.splitlines()] == [good]


def test_dev_zero_is_refused_without_reading_it_all(tmp_path):
    """A real process under a 1 GiB address-space limit: reading /dev/zero to the end would die."""
    good = _write(tmp_path, "good.json", json.dumps(_document()))

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from screening.rules.cli import evaluate_command; evaluate_command()",
         "/dev/zero", good, "/dev/zero"],
        capture_output=True, text=True, preexec_fn=limit_memory, timeout=120, check=False,  # noqa: PLW1509
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.splitlines() == ["/dev/zero: error: the file is larger than 2 MB"] * 2
    assert [json.loads(line)["file"] for line in result.stdout.splitlines()] == [good]


def test_every_bad_file_is_reported_in_order(tmp_path):
    good = _write(tmp_path, "good.json", json.dumps(_document()))
    bad = [_write(tmp_path, name, make()) for name, make in sorted(BAD_FILES.items())]
    result = _evaluate(bad[0], good, *bad[1:], good, str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    reported = [line.split(": error: ")[0] for line in result.stderr.splitlines()]
    assert reported == [*bad, str(tmp_path / "missing.json")]
    assert len(result.stdout.splitlines()) == 2
