"""The summary's header of numbers, its start line, each flag's source and basis, and plain
words throughout: no question ID or option code reaches what the doctor reads."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from screening.doctor.summary import earliest_start_text
from screening.evaluations import StoredFlag
from screening.operations.demo import DEMO_PATIENTS, seed_demo
from tests.contract import CLINICAL
from tests.plain_words import leaks

TODAY = date.today()
APPOINTMENT = TODAY + timedelta(days=9)
BUSY = {
    "phq1_interest": 1, "phq2_down": 1, "phq3_sleep": 2, "phq4_tired": 2, "phq5_appetite": 1,
    "phq6_failure": 1, "phq7_concentration": 1, "phq8_movement": 0, "phq9_self_harm": 0,  # PHQ-9 = 9
    "gad1_nervous": 2, "gad2_worry": 1,
    "audit_c_frequency": "2_3_per_week", "audit_c_typical": "1_2", "audit_c_six_plus": "never",
    "liver_test_when": "within_12_months", "liver_test_abnormal": "yes",
    "alt_value": 84, "alt_uln": 40, "ast_value": 30, "ast_uln": 35,
    "takes_medications": "yes",
    "medications": [{"name": "tramadol 50mg", "how_often": "stopped",
                     "last_taken": (TODAY - timedelta(days=2)).isoformat()}],
    "pain_average": 7, "fatigue": 6,
}


@pytest.fixture
def busy_html(doctor, submit) -> str:
    response_id = submit("PT-NUMBERS", BUSY, APPOINTMENT)
    return doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)


def glance(html: str) -> str:
    return html.split('id="numbers-heading"')[1].split("</section>")[0]


@pytest.mark.parametrize("shown", [
    "PHQ-9</th>", "<strong>9</strong> of 27: mild (5–9)",
    "PHQ-2</th>", "<strong>2</strong> of 6: negative (under 3)",
    "GAD-2</th>", "<strong>3</strong> of 6: positive (3 or more)",
    "AUDIT-C</th>", "<strong>3</strong> of 12: positive (positive from 3, the threshold for women)",
    "Pain <strong>7</strong>", "Tiredness <strong>6</strong>",
    "ALT 84 with limit 40: <strong>2.10 × limit</strong>", "AST 30 with limit 35: <strong>0.86 × limit</strong>",
    "tramadol 50mg: ", "2 days before today, 11 days before the appointment",
])
def test_the_numbers_are_shown_whether_or_not_a_rule_fired(busy_html: str, shown: str) -> None:
    assert shown in glance(busy_html)


def test_the_numbers_come_before_the_flags(busy_html: str) -> None:
    assert busy_html.index('id="numbers-heading"') < busy_html.index('id="flags-heading"')


def test_both_days_are_named_so_the_counts_can_be_checked(busy_html: str) -> None:
    text = glance(busy_html)
    assert f"to today ({TODAY.day} {TODAY:%B %Y})" in text
    assert f"to the appointment ({APPOINTMENT.day} {APPOINTMENT:%B %Y})" in text


def flag(rule_id: str, severity: str = "critical") -> StoredFlag:
    return StoredFlag(rule_id, severity, "summary", "why", "label", "https://example.org", {})  # type: ignore[arg-type]


AS_OF = date(2026, 12, 9)


@pytest.mark.parametrize(("block", "start", "flags", "overridden", "text"), [
    (True, None, [flag("OPI-01")], [], "Not until current opioid use stops"),
    (False, None, [flag("PREG-01")], [], "Do not start yet: 1 critical flag"),
    (False, None, [flag("PREG-01"), flag("LIV-01")], [], "Do not start yet: 2 critical flags"),
    (False, date(2026, 12, 14), [flag("LIV-01")], [],
     "Do not start yet: 1 critical flag; the opioid wait alone ends 14 December 2026"),
    (False, None, [flag("LIV-01")], ["LIV-01"], "No opioid wait"),
    (False, date(2026, 12, 14), [flag("THY-01", "warning")], [], "14 December 2026"),
    (False, AS_OF, [], [], "No opioid wait"),
    (False, None, [flag("THY-01", "warning"), flag("MED-01", "info")], [], "No opioid wait"),
])
def test_the_start_line_never_reads_as_start_now_while_a_critical_flag_stands(
    block: bool, start: date | None, flags: list[StoredFlag], overridden: list[str], text: str,
) -> None:
    evaluation = SimpleNamespace(opioid_block=block, earliest_start=start, as_of=AS_OF)
    decisions = {rule: SimpleNamespace(decision="overridden") for rule in overridden}
    assert earliest_start_text(evaluation, flags, decisions) == text  # type: ignore[arg-type]


def test_an_accepted_critical_flag_still_stops_the_start() -> None:
    evaluation = SimpleNamespace(opioid_block=False, earliest_start=None, as_of=AS_OF)
    accepted = {"LIV-01": SimpleNamespace(decision="accepted")}
    assert earliest_start_text(evaluation, [flag("LIV-01")], accepted) == "Do not start yet: 1 critical flag"  # type: ignore[arg-type]


def test_each_flag_names_its_source_kind_and_the_rules_basis(doctor, submit) -> None:
    response_id = submit("PT-KIDNEY", {"kidney_disease": "dialysis"})
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    card = html.split('id="flag-REN-01"')[1].split("</article>")[0]
    assert re.search(r'Source: <a href="https?://[^"]+"[^>]*>[^<]+</a> \((label|peer-reviewed|regulator)', card)
    assert "Basis: the medicine&#39;s label." in card or "Basis: the medicine's label." in card


def visible_text(html: str) -> str:
    """What a reader sees: tags and attribute values removed."""
    without_scripts = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", without_scripts)


@pytest.fixture
def demo_summaries(app, doctor) -> dict[str, str]:
    from sqlalchemy import select

    from screening.models import Invitation, QuestionnaireResponse

    with app.app_context(), app.extensions["db"].write() as session:
        seed_demo(session)
    with app.extensions["db"].read() as session:
        ids = dict(session.execute(
            select(Invitation.patient_ref, QuestionnaireResponse.id).join(QuestionnaireResponse.invitation)).all())
    return {ref: doctor.get(f"/doctor/submissions/{ids[ref]}").get_data(as_text=True)
            for ref, _answers in DEMO_PATIENTS}


def test_no_demo_patients_summary_shows_a_question_id_or_option_code(demo_summaries: dict[str, str]) -> None:
    assert {ref: leaks(visible_text(html)) for ref, html in demo_summaries.items()} == \
        {ref: [] for ref in demo_summaries}


@pytest.mark.parametrize("example", sorted((CLINICAL / "examples").glob("*.json")), ids=lambda p: p.stem)
def test_no_worked_examples_summary_shows_a_question_id_or_option_code(doctor, submit, example) -> None:
    import json

    answers = json.loads(example.read_text())["answers"]
    response_id = submit("PT-EXAMPLE", {**answers, "consent_share": "yes"})
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    assert leaks(visible_text(html)) == []


def test_the_busy_summary_shows_no_codes_either(busy_html: str) -> None:
    assert leaks(visible_text(busy_html)) == []


def test_a_source_without_a_web_page_is_named_without_a_broken_link(doctor, submit) -> None:
    response_id = submit("PT-MISSING", {"opioid_recent": None})  # DATA-01: the service's own policy
    card = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True).split('id="flag-DATA-01"')[1]
    card = card.split("</article>")[0]
    assert 'href="None"' not in card and "Source: Service policy" in card
