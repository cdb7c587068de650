"""`evaluate-checkin FILE...` (followup.md section 6): one JSON line per valid file in input
order, a one-line error naming each invalid file, exit 2 if any; answers to hidden
questions ignored with a note; the same reading of input as `evaluate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from screening import create_app
from screening.rules import CHECKIN_RULESET_VERSION
from screening.rules.cases import checkin_base
from screening.rules.cli import evaluate_checkin_command

AS_OF = "2027-01-15"
KEYS = ["file", "ruleset_version", "as_of", "urgent", "days_on", "planned_dose_mg", "flags", "changes"]


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def document(screening: dict[str, Any] | None = None, plan: dict[str, Any] | None = None,
             as_of: str = AS_OF, **answers: Any) -> dict[str, Any]:
    base = checkin_base()
    return {
        "as_of": as_of,
        "plan": {**base.plan, **(plan or {})},
        "screening": {"as_of": base.screening_as_of.isoformat(),
                      "answers": {**base.screening_answers, **(screening or {})}},
        "answers": {**base.answers, **answers},
    }


def run(*files: str) -> Any:
    return CliRunner().invoke(evaluate_checkin_command, list(files))


def test_prints_one_json_line_per_file_in_input_order(tmp_path: Path) -> None:
    first = write(tmp_path, "b.json", document(ci_taking="paused", ci_stop_reason=["no_benefit"]))
    second = write(tmp_path, "a.json", document())
    result = run(first, second)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [first, second]
    assert list(lines[0]) == KEYS
    assert lines[0]["ruleset_version"] == CHECKIN_RULESET_VERSION
    assert (lines[0]["as_of"], lines[0]["days_on"], lines[0]["planned_dose_mg"]) == (AS_OF, 45, 3.5)
    assert [flag["rule_id"] for flag in lines[0]["flags"]] == ["FU-14"]
    assert lines[1]["flags"] == []
    assert lines[1]["changes"] == {
        "pain_average": {"baseline": 7, "now": 4, "points": -3, "percent": -42.9},
        "fatigue": {"baseline": 6, "now": 5, "points": -1, "percent": -16.7},
        "sleep_problems": {"baseline": 5, "now": 4, "points": -1, "percent": -20.0},
    }


def test_the_file_is_reported_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "c.json", document())
    assert json.loads(run("c.json").stdout)["file"] == "c.json"


def test_a_flag_has_the_contracts_fields_and_self_harm_is_urgent(tmp_path: Path) -> None:
    line = json.loads(run(write(tmp_path, "f.json", document(phq9_self_harm=2))).stdout)
    assert line["urgent"] is True
    (flag,) = line["flags"]
    assert (flag["rule_id"], flag["severity"]) == ("FU-01", "critical")
    assert set(flag) == {"rule_id", "severity", "summary", "rationale", "source", "evidence"}
    assert set(flag["source"]) == {"label", "url"}
    assert flag["evidence"] == {"phq9_self_harm": 2}


def test_flags_are_sorted_critical_warning_info_then_by_id(tmp_path: Path) -> None:
    path = write(tmp_path, "s.json", document(
        ci_taking="stopped", ci_stop_reason=["side_effects", "surgery_or_procedure"], ci_pregnant="yes",
        ci_liver_symptoms=["jaundice"], ci_surgery_planned="unsure", ci_opioid_since="unsure"))
    flags = json.loads(run(path).stdout)["flags"]
    assert [(f["severity"], f["rule_id"]) for f in flags] == [
        ("critical", "FU-02"), ("critical", "FU-03"), ("critical", "FU-04"),
        ("warning", "FU-06"), ("warning", "FU-08"), ("info", "FU-07"), ("info", "FU-14")]


def test_the_new_medicines_are_classified_and_checked(tmp_path: Path) -> None:
    entry = {"name": "Qzxwv drops", "how_often": "daily", "last_taken": None}
    for said, rule_id in (("yes", "FU-02"), ("no", "FU-15"), ("unsure", "FU-15"), (None, "FU-15")):
        medicine = entry if said is None else {**entry, "contains_opioid": said}
        path = write(tmp_path, "m.json", document(ci_new_medicines="yes", ci_medications=[medicine]))
        assert [flag["rule_id"] for flag in json.loads(run(path).stdout)["flags"]] == [rule_id]


def answers(**given: Any) -> dict[str, Any]:
    base = checkin_base()
    return {"as_of": AS_OF, "plan": base.plan, "answers": given}


CODEINE_LATER = {"name": "Tylenol #3", "how_often": "daily", "last_taken": "2027-01-16"}
INVALID = [
    ("bad JSON", '{"as_of": "2027-01-15", "answers": {', "not valid JSON"),
    ("not an object", "[1, 2]", "expected a JSON object"),
    ("missing as_of", {"plan": {"start_date": "2026-12-01"}, "answers": {}}, "missing 'as_of'"),
    ("missing plan", {"as_of": AS_OF, "answers": {}}, "missing 'plan'"),
    ("missing answers", {"as_of": AS_OF, "plan": {"start_date": "2026-12-01"}}, "missing 'answers'"),
    ("as_of not a date", {**answers(), "as_of": "15 January 2027"}, "as_of"),
    ("as_of impossible", {**answers(), "as_of": "2027-02-30"}, "not a real date"),
    ("as_of before the plan's start", {**answers(), "as_of": "2026-11-30"}, "before the plan's start_date"),
    ("plan not an object", {**answers(), "plan": [1]}, "plan: plan: must be an object"),
    ("plan without a start", {**answers(), "plan": {"step_mg": 0.5}}, "plan: start_date"),
    ("plan out of range", {**answers(), "plan": {"start_date": "2026-12-01", "step_days": 1}}, "step_days"),
    ("plan with an unknown field", {**answers(), "plan": {"start_date": "2026-12-01", "dose": 1}},
     "unknown fields ['dose']"),
    ("answers not an object", {**answers(), "answers": []}, "answers"),
    ("unknown question", answers(favourite_colour="blue"), "unknown question"),
    ("a screening question in the check-in", answers(opioid_recent="no"), "unknown question ID 'opioid_recent'"),
    ("unknown code", answers(ci_taking="sometimes"), "unknown code"),
    ("malformed date", answers(ci_opioid_since="yes", ci_opioid_last_dose="10/01/2027"), "ci_opioid_last_dose"),
    ("date after as_of", answers(ci_opioid_since="yes", ci_opioid_last_dose="2027-01-16"), "after as_of"),
    ("medicine taken after as_of", answers(ci_new_medicines="yes", ci_medications=[CODEINE_LATER]), "after as_of"),
    ("surgery before as_of", answers(ci_surgery_planned="yes", ci_surgery_date="2027-01-14"), "ci_surgery_date"),
    ("surgery beyond a year", answers(ci_surgery_planned="yes", ci_surgery_date="2028-01-16"), "ci_surgery_date"),
    ("dose out of range", answers(ci_taking="as_planned", ci_dose_mg=11), "ci_dose_mg"),
    ("screening not an object", {**answers(), "screening": "female"}, "'screening' must be an object"),
    ("screening answer unknown", {**answers(), "screening": {"answers": {"sex": "female"}}},
     "screening: unknown question ID 'sex'"),
    ("screening code unknown", {**answers(), "screening": {"answers": {"sex_at_birth": "f"}}}, "screening: "),
    ("screening as_of not a date", {**answers(), "screening": {"as_of": "soon", "answers": {}}}, "screening.as_of"),
    ("JSON nested too deeply", "[" * 100000, "not valid JSON"),
    ("number too large", answers(ci_taking="as_planned", ci_dose_mg=10**400), "ci_dose_mg"),
]


@pytest.mark.parametrize(("content", "problem"), [row[1:] for row in INVALID], ids=[row[0] for row in INVALID])
def test_an_invalid_file_is_one_line_on_stderr_and_exit_2(tmp_path: Path, content: Any, problem: str) -> None:
    path = write(tmp_path, "bad.json", content)
    result = run(path)
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}: error: ") and problem in line, line


def test_valid_files_are_still_evaluated_when_another_is_invalid(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", document())
    bad = write(tmp_path, "bad.json", "not json")
    result = run(bad, good)
    assert result.exit_code == 2
    assert [json.loads(line)["file"] for line in result.stdout.splitlines()] == [good]
    assert len(result.stderr.splitlines()) == 1


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.json")
    result = run(missing)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{missing}: error: cannot read the file")


def test_a_future_surgery_date_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "s.json", document(ci_surgery_planned="yes", ci_surgery_date="2027-01-20"))
    result = run(path)
    assert result.exit_code == 0
    assert [flag["rule_id"] for flag in json.loads(result.stdout)["flags"]] == ["FU-06"]


def test_day_0_is_the_start_date(tmp_path: Path) -> None:
    result = run(write(tmp_path, "d.json", document(as_of="2026-12-01", ci_dose_mg=0.5)))
    line = json.loads(result.stdout)
    assert (line["days_on"], line["planned_dose_mg"], line["flags"]) == (0, 0.5, [])


def test_answers_to_hidden_questions_are_ignored_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", document(
        screening={"sex_at_birth": "male"}, ci_hyperthyroid_symptoms=["tremor"], ci_stop_reason=["other"]))
    result = run(path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["flags"] == []
    assert result.stderr.strip() == f"{path}: note: ignored answers to questions not shown: " \
        "ci_hyperthyroid_symptoms, ci_pregnant, ci_stop_reason"


def test_hidden_screening_answers_are_noted_too(tmp_path: Path) -> None:
    levothyroxine = [{"name": "levothyroxine", "how_often": "daily", "last_taken": None}]
    path = write(tmp_path, "h.json", document(screening={"medications": levothyroxine},
                                              ci_hyperthyroid_symptoms=["tremor"]))
    result = run(path)
    assert result.exit_code == 0
    assert result.stderr.strip().endswith("ci_hyperthyroid_symptoms, screening.medications")


def test_the_screening_is_optional(tmp_path: Path) -> None:
    """No screening answers: no baseline, and the pregnancy question counts as asked."""
    document_without = document()
    del document_without["screening"]
    del document_without["answers"]["ci_pregnant"]
    line = json.loads(run(write(tmp_path, "n.json", document_without)).stdout)
    assert [flag["rule_id"] for flag in line["flags"]] == ["FU-16"]
    assert line["changes"] == {}


def test_needs_at_least_one_file() -> None:
    assert run().exit_code == 2


def test_the_app_registers_the_command(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    path = write(tmp_path, "c.json", document())
    result = app.test_cli_runner().invoke(args=["evaluate-checkin", path])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["file"] == path
