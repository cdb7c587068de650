"""The audit trail in words: who (an email), what (a sentence), which patient (their
reference), when, from where, and the details with labels instead of keys.

Pure: the names it needs (doctors' emails, patients' references) are looked up in bulk by
`screening.doctor.audit` and handed in as `Names`. Every action name the code writes has
its words in ACTION_WORDS (a test walks the code base for them); an unknown one is shown
as it was recorded rather than hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..rules import RULES_BY_ID
from .decisions import OVERRIDE_REASONS

ACTION_WORDS = {
    "audit.exported": "Downloaded audit CSV",
    "checkin.created": "Created a check-in link (send a check-in now)",
    "data.purged": "Deleted data past its retention time",
    "doctor.active_changed": "Enabled or disabled an account",
    "doctor.created": "Created an account",
    "doctor.disabled": "Disabled an account",
    "doctor.login": "Signed in",
    "doctor.login_failed": "Failed sign-in (password)",
    "doctor.logout": "Signed out",
    "doctor.mfa_enrolled": "Set up a second factor",
    "doctor.mfa_failed": "Failed sign-in (second-factor code)",
    "doctor.mfa_reset": "Reset an account's second factor",
    "doctor.password_changed": "Changed their password",
    "doctor.password_reset": "Reset an account's password",
    "doctor.reauth_failed": "Failed to confirm it was them",
    "doctor.reauthenticated": "Confirmed it was them",
    "doctor.role_changed": "Changed an account's role",
    "flag.accepted": "Accepted flag",
    "flag.overridden": "Overrode flag",
    "invitation.created": "Created invitation",
    "invitation.opened": "Patient opened their link",
    "invitation.reissued": "Re-issued invitation link",
    "invitation.revoked": "Revoked invitation",
    "invitation.resent": "Sent the invitation email again",
    "checkin.opened": "Patient opened a check-in link",
    "checkin.reviewed": "Marked a check-in as reviewed",
    "checkin.submitted": "Patient sent a check-in",
    "checkin.viewed": "Opened a check-in",
    "plan.trend_viewed": "Opened an LDN plan's symptom trend",
    "reminders.stopped": "Patient stopped email reminders",
    "patient.erased": "Erased all data of a patient",
    "patient.exported": "Exported all data of a patient",
    "plan.changed": "Changed an LDN plan",
    "plan.ended": "Ended an LDN plan",
    "plan.started": "Started an LDN plan",
    "plan.viewed": "Opened an LDN plan",
    "plan.exported": "Downloaded an LDN plan",  # as FHIR or PDF: the format is a detail
    "reevaluation.viewed": "Opened re-evaluation",
    "response.started": "Patient started the questionnaire",
    "response.submitted": "Patient submitted the questionnaire",
    "submission.reevaluated": "Re-evaluated under the current rules",
    "submission.reviewed": "Marked as reviewed",
    "summary.exported": "Exported summary",
    "summary.viewed": "Opened summary",
}
# The action filter's choices, in the words' order.
ACTION_CHOICES = tuple(sorted(ACTION_WORDS.items(), key=lambda item: item[1]))

ACTOR_WORDS = {"cli": "Command line", "system": "System (scheduled task)", "anonymous": "Someone not signed in",
               "patient": "Patient"}

DETAIL_LABELS = {
    "account_exists": "Account exists",
    "addresses_removed": "Email addresses removed",
    "checkin_id": "Check-in",
    "email_sha256": "Email address (fingerprint)",
    "in_bulk": "Marked with others (no concerns)",
    "evaluation_id": "Evaluation",
    "expired_invitations": "Unopened links removed",
    "filter_action": "Filtered by action",
    "filter_doctor": "Filtered by doctor",
    "filter_from": "Filtered from",
    "filter_to": "Filtered to",
    "format": "Format",
    "invitations": "Invitations",
    "past_retention": "Submissions past retention removed",
    "plan_id": "Plan",
    "reason_code": "Reason",
    "role": "Role",
    "rows": "Rows",
    "rule_id": "Rule",
    "second_factor": "Second factor",
    "truncated": "Cut at the row limit",
    "unsubmitted": "Unsubmitted questionnaires removed",
}
# Where one key means different things for different actions.
ACTION_DETAIL_LABELS = {("doctor.role_changed", "value"): "New role", ("doctor.active_changed", "value"): "Active"}
SECOND_FACTOR_WORDS = {"totp": "Authenticator app code", "recovery": "Recovery code", "none": "Not used"}
PATIENT_GONE = "No longer held"
PATIENT_FINGERPRINT = "Not recorded (kept as a fingerprint only)"
FINGERPRINT_KIND = "patient_ref_sha256"


@dataclass(frozen=True)
class Names:
    """What the rows of one page (or one CSV batch) refer to, looked up in bulk."""

    doctors: Mapping[int, str] = field(default_factory=dict)  # doctor id -> email
    responses: Mapping[int, str] = field(default_factory=dict)  # response id -> patient reference
    invitations: Mapping[int, str] = field(default_factory=dict)  # invitation id -> patient reference
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # digest -> the reference filtered by


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    what: str
    patient: str
    origin: str  # the address it came from
    details: tuple[tuple[str, str], ...]

    @property
    def when(self) -> str:
        return f"{self.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"

    @property
    def when_iso(self) -> str:
        return self.at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    @property
    def details_text(self) -> str:
        return "; ".join(f"{label}: {value}" for label, value in self.details)


def split_reference(reference: str | None) -> tuple[str, str]:
    """("doctor", "3") for "doctor:3"; ("", "") for None."""
    kind, _, ident = (reference or "").partition(":")
    return kind, ident


def reference_id(reference: str | None, kind: str) -> int | None:
    """The number of a `kind:N` reference, else None."""
    found, ident = split_reference(reference)
    return int(ident) if found == kind and ident.isascii() and ident.isdigit() else None


def doctor_words(doctor_id: int, names: Names) -> str:
    return names.doctors.get(doctor_id) or f"Doctor #{doctor_id} (account removed)"


def who(actor: str, names: Names) -> str:
    doctor = reference_id(actor, "doctor")
    if doctor is not None:
        return doctor_words(doctor, names)
    if reference_id(actor, "patient") is not None:
        return "Patient"
    return ACTOR_WORDS.get(actor, actor)


def patient(target: str | None, names: Names) -> str:
    kind, ident = split_reference(target)
    if kind == "response" and (number := reference_id(target, kind)) is not None:
        return names.responses.get(number, PATIENT_GONE)
    if kind == "invitation" and (number := reference_id(target, kind)) is not None:
        return names.invitations.get(number, PATIENT_GONE)
    if kind == FINGERPRINT_KIND:
        return names.fingerprints.get(ident, PATIENT_FINGERPRINT)
    return ""


def detail_value(key: str, value: Any, names: Names) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = str(value)
    if key == "rule_id" and text in RULES_BY_ID:
        return f"{text} – {RULES_BY_ID[text].summary}"
    if key == "reason_code":
        return OVERRIDE_REASONS.get(text, text)
    if key == "filter_action":
        return ACTION_WORDS.get(text, text)
    if key == "filter_doctor" and isinstance(value, int):
        return doctor_words(value, names)
    if key == "format":
        return text.upper()
    if key == "second_factor":
        return SECOND_FACTOR_WORDS.get(text, text)
    if key in ("role", "value"):
        return text.capitalize()
    return text


def details(action: str, actor: str, target: str | None, recorded: Mapping[str, Any], names: Names) -> tuple[
        tuple[str, str], ...]:
    """The details in words: the account acted on (when not the actor), then each recorded
    value with its label; values that are None are left out."""
    words: list[tuple[str, str]] = []
    account = reference_id(target, "doctor")
    if account is not None and target != actor:
        words.append(("Account", doctor_words(account, names)))
    for key, value in recorded.items():
        if value is None:
            continue
        label = ACTION_DETAIL_LABELS.get((action, key)) or DETAIL_LABELS.get(key) or key.replace("_", " ").capitalize()
        words.append((label, detail_value(key, value, names)))
    return tuple(words)


def describe(at: datetime, actor: str, action: str, target: str | None, remote_addr: str | None,
             recorded: Mapping[str, Any] | None, names: Names) -> AuditRow:
    return AuditRow(
        at=at, who=who(actor, names), what=ACTION_WORDS.get(action, action), patient=patient(target, names),
        origin=remote_addr or "", details=details(action, actor, target, recorded or {}, names),
    )


# --- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = ("When (UTC)", "Who", "What", "Patient", "From", "Details")
# OWASP "CSV Injection": a spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The cell as text a spreadsheet shows rather than runs: a leading quote before a formula start."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cells(row: AuditRow) -> list[str]:
    return [safe_cell(cell) for cell in (row.when_iso, row.who, row.what, row.patient, row.origin, row.details_text)]
