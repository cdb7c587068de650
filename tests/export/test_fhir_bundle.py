"""The FHIR Bundle of one submission: answers, flags with decisions, and scores.

Validation uses the `fhir.resources` R4B models, as tests/export/test_fhir.py does (for
Bundle, DetectedIssue, Observation and QuestionnaireResponse, R4B is R4). The models check
structure and value types, not code lists, so R4's codes are checked here by hand.

Most tests build the rows in memory (no database); the last ones go through the database,
the loading service and the `fhir-bundle` command.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle as FhirBundle
from fhir.resources.R4B.detectedissue import DetectedIssue as FhirDetectedIssue
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from sqlalchemy import select

from screening.doctor.decisions import OVERRIDE_REASONS, DecisionInput, decide_flag
from screening.evaluations import stored_flags
from screening.export.fhir import PATIENT_REF_SYSTEM
from screening.export.fhir_bundle import (
    DECISION_SYSTEM,
    EVIDENCE_DISPLAY,
    FHIR_SEVERITY,
    LOINC,
    RULES_SYSTEM,
    SCORE_LOINC,
    SCORE_SYSTEM,
    SUBMISSION_SYSTEM,
    SYMPTOM_SYSTEM,
    entry_uuid,
    submission_bundle,
)
from screening.export.loading import fhir_bundle_for
from screening.models import Doctor, FlagDecision, Invitation, QuestionnaireResponse, StoredEvaluation
from screening.questionnaire import QUESTIONNAIRE
from screening.rules import evaluate
from screening.rules.scores import SYMPTOM_ITEMS, scores
from screening.rules.severity import SEVERITIES
from tests.doctor_fixtures import CLEAN_ANSWERS
from tests.export.test_fhir import ANSWER_SETS, AS_OF

SUBMITTED = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
EVALUATED = datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)
DECIDED = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
MADE = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
RESOURCE_MODELS = {"QuestionnaireResponse": FhirResponse, "DetectedIssue": FhirDetectedIssue,
                   "Observation": FhirObservation}
R4_DETECTED_ISSUE_STATUSES = {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                              "entered-in-error", "unknown"}
R4_OBSERVATION_STATUSES = R4_DETECTED_ISSUE_STATUSES
EXPECTED_LOINC = {"phq9": "44261-6", "phq2": "55758-7", "audit_c": "75626-2"}

# Two safety answers missing: DATA-01 fires on answers that are absent, and PHQ-9 has no total.
MISSING = {k: v for k, v in CLEAN_ANSWERS.items() if k not in ("phq9_self_harm", "date_of_birth")}
CASES = {**ANSWER_SETS, "missing-answers": MISSING}


# --- Rows in memory ---------------------------------------------------------------------------


def rows(answers: Mapping[str, Any], submission_id: int = 42) -> tuple[QuestionnaireResponse, StoredEvaluation]:
    """A submitted response and its stored evaluation, as the database would hand them over."""
    invitation = Invitation(patient_ref="PAT-0042", appointment_date=AS_OF)
    response = QuestionnaireResponse(id=submission_id, invitation=invitation, answers=dict(answers), submitted=True,
                                     questionnaire_version=QUESTIONNAIRE.version, submitted_at=SUBMITTED)
    result = evaluate(answers, AS_OF)
    evaluation = StoredEvaluation(id=7, response_id=submission_id, kind="submission",
                                  ruleset_version=result.ruleset_version, as_of=AS_OF, urgent=result.urgent,
                                  opioid_block=result.opioid_block, flags=[f.to_json() for f in result.flags],
                                  medicines=result.medications_json(), created_at=EVALUATED)
    return response, evaluation


def decision(rule_id: str, choice: str, reason: str | None = None, note: str | None = None) -> FlagDecision:
    return FlagDecision(rule_id=rule_id, decision=choice, reason_code=reason, reason_text=note, decided_at=DECIDED,
                        doctor=Doctor(email="dr.who@clinic.example"), version=1)


def bundle_of(answers: Mapping[str, Any], decisions: Mapping[str, FlagDecision] | None = None,
              submission_id: int = 42, timestamp: datetime = MADE) -> dict[str, Any]:
    response, evaluation = rows(answers, submission_id)
    return submission_bundle(QUESTIONNAIRE, response, evaluation, decisions or {}, AS_OF, timestamp=timestamp)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def the_response(bundle: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [(url, response)] = [(e["fullUrl"], e["resource"]) for e in bundle["entry"]
                         if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    return url, response


def link_ids(items: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for item in items:
        found |= {item["linkId"]} | link_ids(item.get("item", []))
        for answer in item.get("answer", []):
            found |= link_ids(answer.get("item", []))
    return found


def observations_by_code(bundle: dict[str, Any], system: str) -> dict[str, dict[str, Any]]:
    found = {}
    for observation in resources(bundle, "Observation"):
        for coding in observation["code"]["coding"]:
            if coding["system"] == system:
                found[coding["code"]] = observation
    return found


# --- Structure and validation -------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_bundle_and_each_resource_are_valid_r4(case: str) -> None:
    bundle = bundle_of(CASES[case])
    model = FhirBundle.model_validate(bundle)
    assert json.loads(model.model_dump_json()) == bundle  # nothing dropped or reinterpreted
    assert (model.type, bundle["identifier"]) == ("collection", {"system": SUBMISSION_SYSTEM, "value": "42"})
    assert bundle["timestamp"] == "2026-12-02T08:30:00Z"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        RESOURCE_MODELS[resource["resourceType"]].model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert max(Counter(entry["fullUrl"] for entry in bundle["entry"]).values()) == 1  # R4 bdl-7
    for issue in resources(bundle, "DetectedIssue"):
        assert issue["status"] in R4_DETECTED_ISSUE_STATUSES and issue["status"] == "final"
        assert issue["severity"] in ("high", "moderate", "low")
    for observation in resources(bundle, "Observation"):
        assert observation["status"] in R4_OBSERVATION_STATUSES and observation["status"] == "final"
        assert observation["category"][0]["coding"][0]["code"] == "survey"


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_bundle_holds_the_response_then_one_issue_per_flag(case: str) -> None:
    bundle = bundle_of(CASES[case])
    response, evaluation = rows(CASES[case])
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    flags = stored_flags(evaluation)
    assert kinds[: 1 + len(flags)] == ["QuestionnaireResponse", *["DetectedIssue"] * len(flags)]
    assert set(kinds[1 + len(flags):]) <= {"Observation"}
    _url, qr = the_response(bundle)
    assert qr["identifier"] == {"system": SUBMISSION_SYSTEM, "value": "42"}
    assert qr["subject"] == {"identifier": {"system": PATIENT_REF_SYSTEM, "value": "PAT-0042"}}
    issues = resources(bundle, "DetectedIssue")
    assert [i["code"]["coding"][0]["code"] for i in issues] == [f.rule_id for f in flags]
    for issue, flag in zip(issues, flags, strict=True):
        assert issue["code"]["coding"][0] == {"system": RULES_SYSTEM, "code": flag.rule_id, "display": flag.summary}
        assert (issue["detail"], issue.get("reference")) == (flag.rationale, flag.source_url or None)
        assert issue["patient"] == qr["subject"]
        assert issue["identifiedDateTime"] == "2026-11-30T09:15:02Z"


def test_severities_map_to_r4_severities() -> None:
    assert list(FHIR_SEVERITY) == list(SEVERITIES)
    assert list(FHIR_SEVERITY.values()) == ["high", "moderate", "low"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_flag_keeps_its_severity(case: str) -> None:
    bundle = bundle_of(CASES[case])
    _response, evaluation = rows(CASES[case])
    assert [i["severity"] for i in resources(bundle, "DetectedIssue")] == [
        FHIR_SEVERITY[flag.severity] for flag in stored_flags(evaluation)]


def test_the_cases_cover_every_severity() -> None:
    seen = {flag.severity for answers in CASES.values() for flag in stored_flags(rows(answers)[1])}
    assert seen == set(SEVERITIES)


# --- Evidence ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_evidence_points_at_answers_in_the_bundles_response(case: str) -> None:
    bundle = bundle_of(CASES[case])
    url, qr = the_response(bundle)
    in_response = link_ids(qr.get("item", []))
    _response, evaluation = rows(CASES[case])
    for issue, flag in zip(resources(bundle, "DetectedIssue"), stored_flags(evaluation), strict=True):
        named = []
        for evidence in issue.get("evidence", []):
            if "detail" not in evidence:  # an answer the rule found missing
                assert evidence["code"][0]["text"].endswith("(not answered)")
                continue
            [detail] = evidence["detail"]
            assert detail["reference"] == url
            link_id = detail["display"].removeprefix(EVIDENCE_DISPLAY)
            assert link_id in in_response
            assert evidence["code"][0]["text"] == QUESTIONNAIRE.questions[link_id].text
            named.append(link_id)
        assert named == [qid for qid in flag.evidence if qid in in_response]
        assert len(issue.get("evidence", [])) == len(flag.evidence)


def test_a_missing_answer_is_evidence_without_a_reference() -> None:
    bundle = bundle_of(MISSING)
    [issue] = [i for i in resources(bundle, "DetectedIssue") if i["code"]["coding"][0]["code"] == "DATA-01"]
    texts = [e["code"][0]["text"] for e in issue["evidence"]]
    assert f"{QUESTIONNAIRE.questions['phq9_self_harm'].text} (not answered)" in texts
    assert all("detail" not in e for e in issue["evidence"])


# --- Decisions -----------------------------------------------------------------------------------


def test_no_decision_no_mitigation() -> None:
    bundle = bundle_of(ANSWER_SETS["everything-answered"])
    assert all("mitigation" not in issue for issue in resources(bundle, "DetectedIssue"))


@pytest.mark.parametrize(("choice", "reason", "note", "words"), [
    ("accepted", None, None, ["Accepted"]),
    ("accepted", None, "Will recheck in a week", ["Accepted", "note: Will recheck in a week"]),
    *[("overridden", code, "Renal team agrees", ["Overridden", f"reason: {label}", "note: Renal team agrees"])
      for code, label in OVERRIDE_REASONS.items()],
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_decision_is_the_issues_mitigation(choice: str, reason: str | None, note: str | None,
                                             words: list[str]) -> None:
    decisions = {"ANT-01": decision("ANT-01", choice, reason, note)}
    bundle = bundle_of(ANSWER_SETS["everything-answered"], decisions)
    issues = {i["code"]["coding"][0]["code"]: i for i in resources(bundle, "DetectedIssue")}
    [mitigation] = issues.pop("ANT-01")["mitigation"]
    assert mitigation["action"]["coding"] == [{"system": DECISION_SYSTEM, "code": choice,
                                               "display": choice.capitalize()}]
    assert mitigation["action"]["text"] == "; ".join(words)
    assert mitigation["date"] == "2026-12-01T14:00:00Z"
    assert mitigation["author"] == {"display": "dr.who@clinic.example"}
    assert all("mitigation" not in issue for issue in issues.values())  # only the decided flag
    FhirBundle.model_validate(bundle)


def test_a_decision_on_a_rule_that_did_not_fire_is_ignored() -> None:
    bundle = bundle_of(ANSWER_SETS["clean-long-covid"], {"REN-01": decision("REN-01", "accepted")})
    assert resources(bundle, "DetectedIssue") == []


# --- Scores --------------------------------------------------------------------------------------


def loinc_check_digit(number: str) -> int:
    """LOINC's mod 10 check digit (the Luhn algorithm on the digits before the hyphen)."""
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(number)):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled // 10 + doubled % 10
    return (10 - total % 10) % 10


@pytest.mark.parametrize(("code", "digit"), [("44261", 6), ("55758", 7), ("75626", 2), ("70274", 6), ("70273", 8)])
def test_the_check_digit_is_loincs(code: str, digit: int) -> None:
    """Known codes: the three we use, the GAD-7 total and the PHQ-15 total (70273-8)."""
    assert loinc_check_digit(code) == digit


@pytest.mark.parametrize("key", sorted(SCORE_LOINC))
def test_each_loinc_code_we_claim_is_well_formed(key: str) -> None:
    number, _, digit = SCORE_LOINC[key][0].partition("-")
    assert loinc_check_digit(number) == int(digit)


def test_the_code_we_were_given_for_gad2_is_not_a_loinc_code() -> None:
    assert loinc_check_digit("70273") != 3  # "70273-3"
    assert "gad2" not in SCORE_LOINC


def test_every_total_but_gad2_has_a_verified_loinc_code() -> None:
    keys = {score.key for score in scores(CLEAN_ANSWERS)}
    assert {key: code for key, (code, _display) in SCORE_LOINC.items()} == EXPECTED_LOINC
    assert keys - set(SCORE_LOINC) == {"gad2"}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("key", ["phq9", "phq2", "gad2", "audit_c"])
def test_each_total_is_an_observation_with_its_codes(case: str, key: str) -> None:
    answers = CASES[case]
    score = {s.key: s for s in scores(answers)}[key]
    bundle = bundle_of(answers)
    by_local = observations_by_code(bundle, SCORE_SYSTEM)
    if score.total is None:
        assert key not in by_local  # not scored: no Observation (the answers are in the response)
        return
    observation = by_local[key]
    loinc = [c["code"] for c in observation["code"]["coding"] if c["system"] == LOINC]
    assert loinc == ([EXPECTED_LOINC[key]] if key in EXPECTED_LOINC else [])
    assert observation["valueInteger"] == score.total
    assert observation["interpretation"] == [{"text": score.reading}]
    url, qr = the_response(bundle)
    assert observation["derivedFrom"] == [{"reference": url}]
    assert (observation["subject"], observation["effectiveDateTime"]) == (qr["subject"], "2026-11-30T09:15:00Z")


def test_the_loinc_totals_are_the_right_numbers() -> None:
    bundle = bundle_of(ANSWER_SETS["everything-answered"])
    by_loinc = observations_by_code(bundle, LOINC)
    # PHQ-9 2+1+3+3+0+1+2+0+0, PHQ-2 2+1, AUDIT-C 2+1+1 and 1 more (see scores.py)
    assert {code: o["valueInteger"] for code, o in by_loinc.items()} == {
        "44261-6": 12, "55758-7": 3, "75626-2": 5}


def test_an_unscored_total_is_left_out() -> None:
    bundle = bundle_of(MISSING)
    assert set(observations_by_code(bundle, SCORE_SYSTEM)) == {"phq2", "gad2", "audit_c"}
    assert "44261-6" not in observations_by_code(bundle, LOINC)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_answered_symptom_is_an_observation_with_a_local_code(case: str) -> None:
    answers = CASES[case]
    bundle = bundle_of(answers)
    by_symptom = observations_by_code(bundle, SYMPTOM_SYSTEM)
    answered = [qid for qid, _label in SYMPTOM_ITEMS if isinstance(answers.get(qid), int)]
    assert list(by_symptom) == answered
    for qid, observation in by_symptom.items():
        assert observation["valueInteger"] == answers[qid]
        assert [c["system"] for c in observation["code"]["coding"]] == [SYMPTOM_SYSTEM]  # no LOINC claimed


# --- Deterministic IDs ---------------------------------------------------------------------------


def test_two_exports_of_the_same_state_differ_only_in_the_timestamp() -> None:
    answers = ANSWER_SETS["everything-answered"]
    first = bundle_of(answers, timestamp=MADE)
    second = bundle_of(answers, timestamp=MADE + timedelta(hours=3))
    assert first["timestamp"] != second["timestamp"]
    assert {**first, "timestamp": None} == {**second, "timestamp": None}


def test_entry_ids_come_from_the_submission_and_the_role() -> None:
    bundle = bundle_of(ANSWER_SETS["everything-answered"])
    url, _qr = the_response(bundle)
    assert url == f"urn:uuid:{entry_uuid(42, 'questionnaire-response')}"
    assert bundle["id"] == str(entry_uuid(42, "bundle"))
    issue = resources(bundle, "DetectedIssue")[0]
    assert issue["id"] == str(entry_uuid(42, f"detected-issue/{issue['code']['coding'][0]['code']}"))
    other = bundle_of(ANSWER_SETS["everything-answered"], submission_id=43)
    assert not {e["fullUrl"] for e in bundle["entry"]} & {e["fullUrl"] for e in other["entry"]}


def test_without_a_timestamp_there_is_none() -> None:
    response, evaluation = rows(CLEAN_ANSWERS)
    bundle = submission_bundle(QUESTIONNAIRE, response, evaluation, {}, AS_OF)
    assert "timestamp" not in bundle
    FhirBundle.model_validate(bundle)


# --- Through the database: the loading service and the command ----------------------------------

KIDNEY = {"kidney_disease": "dialysis"}  # REN-01, a warning


@pytest.fixture
def decided(app, submit, make_doctor) -> int:  # type: ignore[no-untyped-def]
    """A submission with REN-01 overridden by a doctor."""
    response_id = submit("PT-BUNDLE", KIDNEY)
    doctor_id = make_doctor()
    with app.extensions["db"].write() as session:
        evaluation_id = session.scalars(
            select(StoredEvaluation.id).where(StoredEvaluation.response_id == response_id)).one()
        decide_flag(session, evaluation_id, doctor_id,
                    DecisionInput("REN-01", "overridden", "specialist_advice", "Renal team agrees", 0))
    return response_id


def _issue(bundle: dict[str, Any], rule_id: str) -> dict[str, Any]:
    [issue] = [i for i in resources(bundle, "DetectedIssue") if i["code"]["coding"][0]["code"] == rule_id]
    return issue


def test_the_loading_service_reads_the_stored_evaluation_and_decisions(app, decided) -> None:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        bundle = fhir_bundle_for(session, QUESTIONNAIRE, decided, now=MADE)
        assert fhir_bundle_for(session, QUESTIONNAIRE, 999) is None
    assert bundle is not None
    FhirBundle.model_validate(bundle)
    assert bundle["timestamp"] == "2026-12-02T08:30:00Z"
    [mitigation] = _issue(bundle, "REN-01")["mitigation"]
    assert mitigation["action"]["text"] == ("Overridden; reason: Specialist advice obtained; "
                                            "note: Renal team agrees")
    assert mitigation["author"] == {"display": "dr.who@clinic.example"}


def test_the_command_prints_a_valid_bundle(app, decided) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["fhir-bundle", str(decided)])
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.output)
    FhirBundle.model_validate(bundle)
    assert _issue(bundle, "REN-01")["severity"] == "moderate"
    assert set(observations_by_code(bundle, LOINC)) == set(EXPECTED_LOINC.values())


def test_the_command_writes_to_a_file(app, decided, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "bundle.json"
    result = app.test_cli_runner().invoke(args=["fhir-bundle", str(decided), "--output", str(target)])
    assert (result.exit_code, result.output) == (0, "")
    FhirBundle.model_validate(json.loads(target.read_text(encoding="utf-8")))


def test_the_same_state_exports_the_same_entries(app, decided) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    first, second = (json.loads(runner.invoke(args=["fhir-bundle", str(decided)]).output) for _ in range(2))
    assert first["entry"] == second["entry"]


def _unsubmitted(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["db"].read() as session:
        return int(session.scalars(select(QuestionnaireResponse.id).where(
            QuestionnaireResponse.submitted.is_(False))).one())


@pytest.mark.parametrize("argument", ["999", "unsubmitted", "0", "-1", "abc", "9" * 30, "1.5", ""])
def test_the_command_refuses_a_bad_id(app, patient, argument: str) -> None:  # type: ignore[no-untyped-def]
    argument = str(_unsubmitted(app)) if argument == "unsubmitted" else argument
    result = app.test_cli_runner().invoke(args=["fhir-bundle", argument])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not an uncaught error
    assert "Traceback" not in result.output and "SUBMISSION_ID" in result.output


def test_an_unknown_id_is_named_in_the_message(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["fhir-bundle", "999"])
    assert "no submitted questionnaire with ID 999" in result.output


def test_the_command_is_listed(app) -> None:  # type: ignore[no-untyped-def]
    assert "fhir-bundle" in app.test_cli_runner().invoke(args=["--help"]).output
