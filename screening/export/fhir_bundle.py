"""One submission as a FHIR R4 ``Bundle``: the answers, the flags with the doctor's
decisions, and the scores, so a receiving system gets what the summary shows.

A ``collection`` Bundle holds:

- the ``QuestionnaireResponse`` (the same mapping as :mod:`screening.export.fhir`);
- one ``DetectedIssue`` per flag: severity, the rule as a code, the rationale, evidence
  pointing at the answers it read, and the doctor's decision as a ``mitigation``;
- one ``Observation`` per scored total (PHQ-9, PHQ-2, GAD-2, AUDIT-C), with a LOINC code
  where one was verified, and one per answered 0–10 symptom rating (local codes only).

Pure, like the rest of the package: the caller loads the rows and says what the time is.
Entry IDs are UUIDs derived from the submission ID and the resource's role, so two
exports of the same state are identical apart from the Bundle's timestamp.
docs/exports.md describes every element and how each LOINC code was checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ..evaluations import StoredFlag, header_numbers, stored_flags
from ..models import FlagDecision, QuestionnaireResponse, StoredEvaluation
from ..questionnaire.model import Questionnaire
from ..rules.scores import Score, Symptom
from ..rules.severity import Severity
from .fhir import URN_PREFIX, fhir_datetime
from .submission_json import submission_fhir

# Our code systems and identifiers, all under the URN prefix of the Questionnaire's URL.
SUBMISSION_SYSTEM = URN_PREFIX + "submission"  # Bundle.identifier and QuestionnaireResponse.identifier
RULES_SYSTEM = URN_PREFIX + "rules"  # DetectedIssue.code: the rule ID, displayed as its summary
DECISION_SYSTEM = URN_PREFIX + "decisions"  # DetectedIssue.mitigation.action: accepted | overridden
SCORE_SYSTEM = URN_PREFIX + "scores"  # Observation.code: the Score's key (phq9, phq2, gad2, audit_c)
SYMPTOM_SYSTEM = URN_PREFIX + "symptoms"  # Observation.code: the 0–10 question's ID

LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# LOINC codes of the totals, each checked against LOINC's own page and its check digit
# (docs/exports.md says how). GAD-2 has none: the code we were given, 70273-3, fails
# LOINC's check digit (70273-8 is the PHQ-15 total), and no GAD-2 total code could be
# confirmed, so its Observation carries only our local code. A test keeps this list honest.
SCORE_LOINC: Mapping[str, tuple[str, str]] = {
    "phq9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "phq2": ("55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]"),
    "audit_c": ("75626-2", "Total score [AUDIT-C]"),
}

# Our severities in R4's DetectedIssue.severity (high | moderate | low).
FHIR_SEVERITY: Mapping[Severity, str] = {"critical": "high", "warning": "moderate", "info": "low"}
DECISION_WORDS = {"accepted": "Accepted", "overridden": "Overridden"}
EVIDENCE_DISPLAY = "QuestionnaireResponse item "  # + linkId: Reference.display of an evidence detail

# Fixed, so the same submission always gets the same entry UUIDs.
_NAMESPACE = uuid5(NAMESPACE_URL, URN_PREFIX + "fhir-bundle")


def entry_uuid(submission_id: int, role: str) -> UUID:
    """The UUID of one entry: `role` names the resource within the submission's Bundle."""
    return uuid5(_NAMESPACE, f"{submission_id}/{role}")


def submission_bundle(
    questionnaire: Questionnaire,
    response: QuestionnaireResponse,
    evaluation: StoredEvaluation,
    decisions: Mapping[str, FlagDecision],
    today: date,
    *,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """The submission, its flags (with `decisions`, rule ID → the current decision) and its
    scores as one FHIR R4 ``collection`` Bundle. `today` is the day the numbers are counted
    to (as for the summary); `timestamp`, when given, is when the Bundle was made."""
    builder = _Builder(questionnaire, response)
    numbers = header_numbers(response, evaluation, today)
    resources = [
        builder.questionnaire_response(),
        *(builder.detected_issue(flag, evaluation, decisions.get(flag.rule_id)) for flag in stored_flags(evaluation)),
        # A total with an unanswered item is left out: the answers are in the response.
        *(builder.score(score) for score in numbers.scores if score.total is not None),
        *(builder.symptom(symptom) for symptom in numbers.symptoms),
    ]
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": str(entry_uuid(response.id, "bundle")),
        "identifier": {"system": SUBMISSION_SYSTEM, "value": str(response.id)},
        "type": "collection",
    }
    if timestamp is not None:
        bundle["timestamp"] = fhir_datetime(timestamp)
    bundle["entry"] = [{"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource} for resource in resources]
    return bundle


class _Builder:
    """The resources of one submission's Bundle, all pointing at its QuestionnaireResponse."""

    def __init__(self, questionnaire: Questionnaire, response: QuestionnaireResponse) -> None:
        self.questionnaire = questionnaire
        self.response = response
        self.qr = submission_fhir(questionnaire, response)
        self.qr["id"] = self._id("questionnaire-response")
        self.qr["identifier"] = {"system": SUBMISSION_SYSTEM, "value": str(response.id)}
        self.qr_url = f"urn:uuid:{self.qr['id']}"
        self.answered = set(_link_ids(self.qr.get("item", [])))

    def _id(self, role: str) -> str:
        return str(entry_uuid(self.response.id, role))

    def questionnaire_response(self) -> dict[str, Any]:
        return self.qr

    # --- flags ---------------------------------------------------------------------------

    def detected_issue(
        self, flag: StoredFlag, evaluation: StoredEvaluation, decision: FlagDecision | None,
    ) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "id": self._id(f"detected-issue/{flag.rule_id}"),
            "status": "final",
            "code": {"coding": [{"system": RULES_SYSTEM, "code": flag.rule_id, "display": flag.summary}],
                     "text": flag.summary},
            "severity": FHIR_SEVERITY[flag.severity],
            "patient": self.qr["subject"],
            "identifiedDateTime": fhir_datetime(evaluation.created_at),
            # The rules engine found it: R4 allows a Device as author; we hold none to point to.
            "author": {"display": f"LDN screening rules, ruleset {evaluation.ruleset_version}"},
        }
        evidence = [self._evidence(link_id) for link_id in flag.evidence]
        if evidence:
            issue["evidence"] = evidence
        issue["detail"] = flag.rationale
        if flag.source_url:
            issue["reference"] = flag.source_url
        if decision is not None:
            issue["mitigation"] = [_mitigation(decision)]
        return issue

    def _evidence(self, link_id: str) -> dict[str, Any]:
        """What the rule read: the answer's item in the QuestionnaireResponse (R4's detail is
        Reference(Any), so the linkId goes in its display), or only the question when the
        answer is missing (a "missing answer" flag's evidence is the absence)."""
        question = self.questionnaire.questions.get(link_id)
        text = question.text if question is not None else link_id
        if link_id not in self.answered:
            return {"code": [{"text": f"{text} (not answered)"}]}
        return {"code": [{"text": text}],
                "detail": [{"reference": self.qr_url, "display": EVIDENCE_DISPLAY + link_id}]}

    # --- numbers -------------------------------------------------------------------------

    def score(self, score: Score) -> dict[str, Any]:
        if score.total is None:
            raise ValueError(f"{score.name} has no total to export")
        coding = []
        if score.key in SCORE_LOINC:
            code, display = SCORE_LOINC[score.key]
            coding.append({"system": LOINC, "code": code, "display": display})
        coding.append({"system": SCORE_SYSTEM, "code": score.key, "display": f"{score.name} total score"})
        observation = self._observation(f"observation/score/{score.key}",
                                        {"coding": coding, "text": f"{score.name} total score"}, score.total)
        observation["interpretation"] = [{"text": score.reading}]
        observation["note"] = [{"text": f"{score.total} out of {score.out_of}"}]
        return observation

    def symptom(self, symptom: Symptom) -> dict[str, Any]:
        question = self.questionnaire.questions.get(symptom.question_id)
        code = {"coding": [{"system": SYMPTOM_SYSTEM, "code": symptom.question_id, "display": symptom.label}],
                "text": question.text if question is not None else symptom.label}
        observation = self._observation(f"observation/symptom/{symptom.question_id}", code, symptom.value)
        observation["note"] = [{"text": f"{symptom.value} on a scale of 0 to 10"}]
        return observation

    def _observation(self, role: str, code: dict[str, Any], value: int) -> dict[str, Any]:
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": self._id(role),
            "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
            "code": code,
            "subject": self.qr["subject"],
        }
        if self.response.submitted_at is not None:
            observation["effectiveDateTime"] = fhir_datetime(self.response.submitted_at)
        observation["valueInteger"] = value
        observation["derivedFrom"] = [{"reference": self.qr_url}]
        return observation


def _mitigation(decision: FlagDecision) -> dict[str, Any]:
    """The doctor's decision: what was done (accepted / overridden, with the reason and note),
    when, and by whom (a display-only Reference: we hold no Practitioner resource)."""
    word = DECISION_WORDS[decision.decision]
    said = [word]
    if decision.reason_code:
        said.append(f"reason: {_reason_label(decision.reason_code)}")
    if decision.reason_text:
        said.append(f"note: {decision.reason_text}")
    return {
        "action": {"coding": [{"system": DECISION_SYSTEM, "code": decision.decision, "display": word}],
                   "text": "; ".join(said)},
        "date": fhir_datetime(decision.decided_at),
        "author": {"display": decision.doctor.email},
    }


def _reason_label(code: str) -> str:
    # The override reasons are listed once, with the doctor's decisions. Imported here, not
    # at the top: screening.doctor's views import this package, so a top-level import would
    # be circular whichever side is imported first.
    from ..doctor.decisions import OVERRIDE_REASONS

    return OVERRIDE_REASONS.get(code, code)


def _link_ids(items: list[dict[str, Any]]) -> list[str]:
    """Every linkId in a QuestionnaireResponse's items, depth first."""
    found = []
    for item in items:
        found.append(item["linkId"])
        found += _link_ids(item.get("item", []))
        for answer in item.get("answer", []):
            found += _link_ids(answer.get("item", []))
    return found
