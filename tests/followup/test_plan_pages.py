"""The treatment plan's pages (screening.doctor.plan_views): the summary's link, the start form
with followup.md's defaults and every range refused beside its field (everything typed
kept), refusals in words, the plan page (terms, doses by date, check-ins, history), change,
two doctors at once, end, "send a check-in now", the audit trail and who may open them."""

from __future__ import annotations

import html as html_module
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from screening.models import AuditEvent, CheckIn, TreatmentPlan
from screening.outbox.settings import MailSettings
from tests.doctor_fixtures import DoctorClient, statements_during
from tests.followup.test_plans import PREGNANT_AND_JAUNDICED, mark_reviewed, the_db
from tests.test_architecture import MODULES, direct_imports, is_view

TODAY = date.today()
DEFAULTS = {"start_date": TODAY.isoformat(), "start_dose_mg": "0.5", "step_mg": "0.5", "step_days": "7",
            "target_dose_mg": "4.5", "checkin_days": "7, 14, 28, 56, 84"}


def form(**changes: str) -> dict[str, str]:
    return {**DEFAULTS, **changes}


def days(offset: int) -> str:
    """A date as the pages write it: "7 December 2026"."""
    day = TODAY + timedelta(days=offset)
    return f"{day.day} {day:%B %Y}"


def text(response: Any) -> str:
    return html_module.unescape(response.get_data(as_text=True))


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a table, as text."""
    body = page.split(f'id="{table_id}"')[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>")[1], re.S)]


def plans(app: Any) -> list[TreatmentPlan]:
    with the_db(app).read() as session:
        return list(session.scalars(select(TreatmentPlan).order_by(TreatmentPlan.id)))


def actions(app: Any) -> list[tuple[str, str | None, dict[str, Any]]]:
    with the_db(app).read() as session:
        return [(e.action, e.target, e.details) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
                if e.action.startswith(("plan.", "checkin."))]


@pytest.fixture
def reviewed(app, submit) -> int:  # type: ignore[no-untyped-def]
    response_id = submit("PT-PAGE")
    mark_reviewed(app, response_id)
    return response_id


def start(browser: DoctorClient, response_id: int, **changes: str) -> Any:
    return browser.post(f"/doctor/submissions/{response_id}/plan/new", form(**changes))


@pytest.fixture
def plan_id(app, doctor, reviewed) -> int:  # type: ignore[no-untyped-def]
    assert start(doctor, reviewed, checkin_days="7, 14").status_code == 201
    return plans(app)[-1].id


def change(browser: DoctorClient, plan_id: int, version: int = 1, **changes: str) -> Any:
    """The change form as the `plan_id` fixture's plan fills it, with `changes`."""
    return browser.post(f"/doctor/plans/{plan_id}/change",
                        {**form(**{"checkin_days": "7, 14", **changes}), "version": str(version)})


# --- the summary's way in ------------------------------------------------------------------

def test_the_summary_asks_for_a_review_before_a_plan(doctor, submit):
    response_id = submit("PT-NEW")
    plan = section(text(doctor.get(f"/doctor/submissions/{response_id}")), "plan-heading")
    assert "Mark the questionnaire as reviewed to start an LDN plan." in plan and "<a" not in plan


def test_the_summary_links_to_start_then_to_the_plan(app, doctor, reviewed):
    summary = f"/doctor/submissions/{reviewed}"
    assert f'href="/doctor/submissions/{reviewed}/plan/new">Start an LDN plan</a>' in text(doctor.get(summary))
    start(doctor, reviewed)
    [plan] = plans(app)
    page = section(text(doctor.get(summary)), "plan-heading")
    assert f'href="/doctor/plans/{plan.id}">See the LDN plan</a>' in page and "Start an LDN plan" not in page
    doctor.post(f"/doctor/plans/{plan.id}/end", {"reason": "completed", "version": "1"})
    page = section(text(doctor.get(summary)), "plan-heading")
    assert "Start an LDN plan" in page and f'href="/doctor/plans/{plan.id}">See the ended LDN plan</a>' in page


# --- the start form ------------------------------------------------------------------------

def test_the_start_form_is_filled_with_the_defaults_labelled_as_expert_practice(doctor, reviewed):
    page = text(doctor.get(f"/doctor/submissions/{reviewed}/plan/new"))
    for name, value in DEFAULTS.items():
        assert f'name="{name}" type="{"date" if name == "start_date" else "text"}" value="{value}"' in page, name
    assert "This is expert practice, not a licensed label: change any of them for this patient." in page
    assert "From 0.1 to 4.5 mg. Default 0.5 mg." in page and "Default 7, 14, 28, 56, 84." in page
    assert 'name="email"' not in page  # email is off


def _start_message(offset: int) -> str:
    last = TODAY + timedelta(days=90)
    return f"Start date must be from today ({TODAY.isoformat()}) to 90 days ahead ({last.isoformat()})"


INVALID = [
    # (field, what the doctor typed, the message beside the field)
    ("start_date", (TODAY - timedelta(days=1)).isoformat(), _start_message(-1)),
    ("start_date", (TODAY + timedelta(days=91)).isoformat(), _start_message(91)),
    ("start_date", "31/12/2026", f"Enter the start date as a date, for example {TODAY.isoformat()}"),
    ("start_dose_mg", "0.05", "Start dose must be from 0.1 mg to 4.5 mg (not 0.05 mg)"),
    ("start_dose_mg", "4.6", "Start dose must be from 0.1 mg to 4.5 mg (not 4.6 mg)"),
    ("start_dose_mg", "0.125", "Start dose must have at most 2 decimal places (not 0.125)"),
    ("start_dose_mg", "half", "Enter the start dose as a number of mg, for example 0.5"),
    ("step_mg", "3.5", "Step must be from 0 mg to 3 mg (not 3.5 mg)"),
    ("step_mg", "-1", "Enter the step as a number of mg, for example 0.5 (0 for a fixed dose)"),
    ("step_days", "2", "Days between steps must be from 3 to 28 days (not 2)"),
    ("step_days", "29", "Days between steps must be from 3 to 28 days (not 29)"),
    ("step_days", "7.5", "Enter the days between steps as a whole number, for example 7"),
    ("target_dose_mg", "6.5", "Target dose must be from 0.1 mg to 6 mg (not 6.5 mg)"),
    ("target_dose_mg", "0.4", "Target dose must be at least the start dose, 0.5 mg (not 0.4 mg)"),
    ("checkin_days", "0, 7", "Check-in days: each must be from 1 to 365 days after the start"),
    ("checkin_days", "7, 366", "Check-in days: each must be from 1 to 365 days after the start"),
    ("checkin_days", "7, 14, 7", "Check-in days: a day is listed twice"),
    ("checkin_days", "weekly", "Enter the check-in days as whole numbers separated by commas, for example 7, 14, 28"),
]


@pytest.mark.parametrize(("field", "typed", "message"), INVALID)
def test_each_range_is_refused_beside_its_field_and_everything_typed_is_kept(app, doctor, reviewed, field, typed,
                                                                             message):
    sent = form(**{field: typed, "step_mg": "1" if field != "step_mg" else typed})
    response = start(doctor, reviewed, **sent)
    assert response.status_code == 400
    page = text(response)
    assert f'<p class="error-message" id="{field}-error"><span class="visually-hidden">Error:</span> {message}</p>' \
        in page
    assert f'<li><a href="#{field}">{message}</a></li>' in page  # the summary links to the field
    assert page.count("error-message") == 1
    for name, value in sent.items():
        assert f'name="{name}"' in page and f'value="{value}"' in page, name
    assert plans(app) == []


def test_every_field_wrong_at_once_shows_every_error(app, doctor, reviewed):
    page = text(start(doctor, reviewed, start_date="soon", start_dose_mg="9", step_mg="x", step_days="1",
                      target_dose_mg="7", checkin_days="1, 1"))
    for field in DEFAULTS:
        assert f'id="{field}-error"' in page, field
    assert plans(app) == []


def test_an_empty_check_in_list_means_none(app, doctor, reviewed):
    assert start(doctor, reviewed, checkin_days="").status_code == 201
    [plan] = plans(app)
    assert plan.terms["checkin_days"] == []


def test_the_email_field_shows_only_with_email_on_and_is_checked(app, doctor, reviewed):
    app.extensions["mail"] = MailSettings.from_config({**app.config, "MAIL_URL": "smtp://127.0.0.1:2525",
                                                       "MAIL_FROM": "Clinic <forms@clinic.example>"})
    assert 'name="email"' in text(doctor.get(f"/doctor/submissions/{reviewed}/plan/new"))
    refused = start(doctor, reviewed, email="not an address")
    assert refused.status_code == 400 and "Enter an email address like name@example.com" in text(refused)
    assert start(doctor, reviewed, email=" Patient@Example.ORG ").status_code == 201
    [plan] = plans(app)
    assert plan.email == "Patient@example.org"
    [(action, _target, details)] = actions(app)[:1]
    assert action == "plan.started" and "email_sha256" in details and "Patient" not in str(details)


# --- refusals ------------------------------------------------------------------------------

def test_a_plan_cannot_start_before_the_review(app, doctor, submit):
    response_id = submit("PT-NEW")
    page = text(doctor.get(f"/doctor/submissions/{response_id}/plan/new"))
    assert "Mark the questionnaire as reviewed before starting an LDN plan." in page and "<form" not in page.split(
        "<main")[1]
    assert start(doctor, response_id).status_code == 409
    assert plans(app) == []


def test_undecided_critical_flags_are_named_and_deciding_them_opens_the_form(app, doctor, submit):
    response_id = submit("PT-CRIT", PREGNANT_AND_JAUNDICED)
    doctor.post(f"/doctor/submissions/{response_id}/review", {"note": "", "version": "0"})
    page = text(doctor.get(f"/doctor/submissions/{response_id}/plan/new"))
    assert "Accept or override these 2 critical flags on the summary before starting a plan: " \
           "LIV-05 Jaundice now; PREG-01 Pregnant" in page
    refused = start(doctor, response_id)
    assert refused.status_code == 409 and "PREG-01 Pregnant" in text(refused) and plans(app) == []
    doctor.post(f"/doctor/submissions/{response_id}/flags/PREG-01", {"decision": "accepted", "version": "0"})
    doctor.post(f"/doctor/submissions/{response_id}/flags/LIV-05", {
        "decision": "overridden", "reason_code": "checked_with_patient", "version": "0"})
    assert 'name="start_dose_mg"' in text(doctor.get(f"/doctor/submissions/{response_id}/plan/new"))
    assert start(doctor, response_id).status_code == 201


def test_a_second_plan_is_refused_with_a_link_to_the_first(app, doctor, plan_id, reviewed):
    page = text(doctor.get(f"/doctor/submissions/{reviewed}/plan/new"))
    assert "already has an active LDN plan" in page and f'href="/doctor/plans/{plan_id}">See the LDN plan' in page
    assert start(doctor, reviewed).status_code == 409 and len(plans(app)) == 1


def test_unknown_submissions_and_plans_are_not_found(doctor):
    assert doctor.get("/doctor/submissions/999/plan/new").status_code == 404
    assert doctor.get("/doctor/plans/999").status_code == 404
    assert doctor.post("/doctor/plans/999/checkin-now").status_code == 404


# --- the plan page -------------------------------------------------------------------------

SCHEDULES = [
    # (what differs from the defaults, the rows of "Doses by date": from, to, dose)
    ({"start_dose_mg": "1", "step_mg": "1.5", "target_dose_mg": "3.5"},  # capped: 1, 2.5, then 3.5 not 4
     [[days(0), days(6), "1 mg (today)"], [days(7), days(13), "2.5 mg"], [days(14), "onwards", "3.5 mg"]]),
    ({"start_dose_mg": "2", "step_mg": "0"},  # a fixed dose
     [[days(0), "onwards", "2 mg (today)"]]),
    ({"start_date": (TODAY + timedelta(days=2)).isoformat(), "step_days": "14", "target_dose_mg": "1.5"},
     [[days(2), days(15), "0.5 mg"], [days(16), days(29), "1 mg"], [days(30), "onwards", "1.5 mg"]]),
]


@pytest.mark.parametrize(("terms", "expected"), SCHEDULES)
def test_the_dose_schedule_by_date(app, doctor, reviewed, terms, expected):
    page = text(start(doctor, reviewed, **terms))
    assert rows(page, "dose-schedule") == expected


def test_check_ins_are_listed_with_their_link_only_when_created(app, doctor, reviewed):
    started = text(start(doctor, reviewed, checkin_days="14, 7"))
    assert "Plan started. Copy the check-in links below now: each is shown only once." in started
    assert [row[:2] for row in rows(started, "checkins")] == [[days(7), "Not open yet"], [days(14), "Not open yet"]]
    links = re.findall(r'readonly value="(http://localhost/c/[^"]+)"', started)
    assert len(links) == 2
    [plan] = plans(app)
    again = text(doctor.get(f"/doctor/plans/{plan.id}"))
    assert rows(again, "checkins") == [[days(7), "Not open yet"], [days(14), "Not open yet"]]
    assert "/c/" not in again and "shown only once" not in again


def test_the_page_shows_terms_dose_today_and_history(app, doctor, plan_id):
    page = text(doctor.get(f"/doctor/plans/{plan_id}"))
    assert "<h1>LDN plan for PT-PAGE</h1>" in page
    assert "<dt>Planned dose today</dt><dd>0.5 mg</dd>" in page
    assert '<dt class="summary-list__key">Check-in days</dt><dd class="summary-list__value">7, 14 (days after the ' \
           "start)</dd>" in page
    [entry] = rows(page, "plan-history")
    assert entry[1:] == ["dr.who@clinic.example", f"Started. From {days(0)}: 0.5 mg, raised by 0.5 mg every 7 days "
                                                   "up to 4.5 mg; check-ins on days 7, 14 after the start."]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", entry[0])


def test_the_page_reads_in_a_fixed_number_of_queries(app, doctor, plan_id):
    few = len(statements_during(app, lambda: doctor.get(f"/doctor/plans/{plan_id}")))
    for version in (1, 2, 3):  # three more history entries and three more check-ins
        assert change(doctor, plan_id, version=version, step_days=str(7 + version),
                      checkin_days=f"7, 14, {20 + version}").status_code == 200
    many = len(statements_during(app, lambda: doctor.get(f"/doctor/plans/{plan_id}")))
    assert many == few


# --- changing ------------------------------------------------------------------------------

def test_a_change_is_saved_with_history_and_new_check_ins_show_their_link(app, doctor, plan_id):
    before = {c.due_date: c.id for c in _checkins(app, plan_id)}
    response = change(doctor, plan_id, step_mg="1", checkin_days="7, 14, 21")
    page = text(response)
    assert response.status_code == 200 and "Plan changed. Copy the links of the new check-ins" in page
    after = {c.due_date: c.id for c in _checkins(app, plan_id)}
    assert {day: after[day] for day in before} == before and len(after) == 3  # created ones kept
    assert [row[0] for row in rows(page, "checkins")] == [days(7), days(14), days(21)]
    shown = re.findall(r'id="checkin-link-(\d+)" type="text" readonly value="http://localhost/c/', page)
    assert shown == [str(after[TODAY + timedelta(days=21)])]  # only the new one's link
    assert rows(page, "plan-history")[-1][1:] == [
        "dr.who@clinic.example",
        "Changed. Step: 0.5 mg → 1 mg; Check-in days: 7, 14 (days after the start) → 7, 14, 21 (days after the start)."]
    assert rows(page, "dose-schedule")[1] == [days(7), days(13), "1.5 mg"]


def test_a_change_without_new_check_ins_goes_back_to_the_page(doctor, plan_id):
    response = change(doctor, plan_id, step_days="14")
    assert response.status_code == 302 and response.headers["Location"] == f"/doctor/plans/{plan_id}"
    page = text(doctor.get(response.headers["Location"]))
    assert "Plan changed." in page and "Changed. Days between steps: 7 days → 14 days." in page


def test_a_change_that_changes_nothing_says_so(doctor, plan_id):
    response = change(doctor, plan_id, checkin_days="14, 7")
    assert "Nothing was changed" in text(doctor.get(response.headers["Location"]))


def test_a_change_keeps_a_past_start_date_but_refuses_a_new_one_in_the_past(app, doctor, plan_id):
    response = change(doctor, plan_id, start_date=(TODAY - timedelta(days=3)).isoformat(), step_mg="2")
    page = text(response)
    assert response.status_code == 400 and _start_message(-3) in page
    assert '<details class="flag__decide" id="change" open>' in page  # the form comes back open
    assert 'value="2"' in section(page, "change-heading")  # with what was typed
    assert plans(app)[0].version == 1


def _checkins(app: Any, plan_id: int) -> list[CheckIn]:
    with the_db(app).read() as session:
        return list(session.scalars(select(CheckIn).where(CheckIn.plan_id == plan_id).order_by(CheckIn.due_date)))


@pytest.fixture
def other(app, make_doctor) -> DoctorClient:  # type: ignore[no-untyped-def]
    make_doctor("second@clinic.example")
    browser = DoctorClient(app.test_client())
    assert browser.login("second@clinic.example").status_code == 302
    return browser


def test_two_doctors_changing_at_once_one_wins_the_other_is_told(app, doctor, other, plan_id):
    # Both opened the plan at version 1.
    assert change(doctor, plan_id, step_mg="1").status_code == 302
    late = change(other, plan_id, step_mg="0.25", target_dose_mg="3")
    page = text(late)
    assert late.status_code == 409
    assert "Another doctor changed this plan first: their plan is shown below and your changes were not saved." in page
    assert '<dd class="summary-list__value">1 mg</dd>' in page  # their plan
    assert '<input type="hidden" name="version" value="2">' in page  # a second try is deliberate
    [plan] = plans(app)
    assert (plan.version, plan.terms["step_mg"], plan.terms["target_dose_mg"]) == (2, 1.0, 4.5)
    assert [row[1] for row in rows(page, "plan-history")] == ["dr.who@clinic.example"] * 2


def test_a_change_after_another_doctor_ended_the_plan_is_told(app, doctor, other, plan_id):
    other.post(f"/doctor/plans/{plan_id}/end", {"reason": "stopped_no_benefit", "version": "1"})
    late = change(doctor, plan_id, step_mg="1")
    assert late.status_code == 409 and "Another doctor ended this plan first" in text(late)
    assert plans(app)[0].terms["step_mg"] == 0.5


# --- ending --------------------------------------------------------------------------------

@pytest.mark.parametrize(("reason", "words"), [
    ("completed", "completed"),
    ("stopped_side_effects", "stopped because of side effects"),
    ("stopped_no_benefit", "stopped: no benefit"),
    ("stopped_other", "stopped for another reason (explained in the note)"),
])
def test_end_with_a_reason(app, doctor, plan_id, reason, words):
    response = doctor.post(f"/doctor/plans/{plan_id}/end", {"reason": reason, "note": "Agreed with the patient",
                                                            "version": "1"})
    assert response.status_code == 302
    page = text(doctor.get(f"/doctor/plans/{plan_id}"))
    assert f"<dt>Status</dt><dd>Ended on {days(0)}: {words}</dd>" in page and "Plan ended." in page
    assert rows(page, "plan-history")[-1][1:] == ["dr.who@clinic.example",
                                                   f"Ended: {words}. Note: “Agreed with the patient”"]
    assert 'id="change"' not in page and 'id="end"' not in page and "Send a check-in now" not in page


@pytest.mark.parametrize(("sent", "field", "message"), [
    ({}, "end-reason", "Choose why the plan is ending"),
    ({"reason": "stopped_other"}, "end-note", "Explain the reason in the note"),
])
def test_an_end_without_what_it_needs_comes_back_open(app, doctor, plan_id, sent, field, message):
    response = doctor.post(f"/doctor/plans/{plan_id}/end", {**sent, "version": "1"})
    page = text(response)
    assert response.status_code == 400
    assert f'<li><a href="#{field}">{message}</a></li>' in page and f'id="{field}-error"' in page
    assert '<details class="flag__decide" id="end" open>' in page
    assert plans(app)[0].status == "active"


def test_ending_twice_at_once_tells_the_second_doctor(app, doctor, other, plan_id):
    doctor.post(f"/doctor/plans/{plan_id}/end", {"reason": "completed", "version": "1"})
    late = other.post(f"/doctor/plans/{plan_id}/end", {"reason": "stopped_other", "note": "x", "version": "1"})
    assert late.status_code == 409 and "Another doctor ended this plan first" in text(late)
    assert plans(app)[0].end_reason == "completed"


# --- send a check-in now -------------------------------------------------------------------

def test_send_a_check_in_now_shows_its_link_once(app, doctor, plan_id):
    response = doctor.post(f"/doctor/plans/{plan_id}/checkin-now")
    page = text(response)
    assert response.status_code == 201 and "Check-in created, due today. Copy its link below now" in page
    assert rows(page, "checkins")[0][:2] == [days(0), "Open"]
    assert len(re.findall(r'readonly value="http://localhost/c/[^"]+"', page)) == 1
    again = doctor.post(f"/doctor/plans/{plan_id}/checkin-now")
    assert again.status_code == 302
    assert "A check-in due today already exists" in text(doctor.get(again.headers["Location"]))
    assert [c.due_date for c in _checkins(app, plan_id)].count(TODAY) == 1


def test_send_a_check_in_now_before_the_start_is_refused(app, doctor, reviewed):
    start(doctor, reviewed, start_date=(TODAY + timedelta(days=4)).isoformat())
    [plan] = plans(app)
    response = doctor.post(f"/doctor/plans/{plan.id}/checkin-now")
    assert f"The plan starts on {days(4)}: a check-in can be sent from that day." in text(
        doctor.get(response.headers["Location"]))


def test_send_a_check_in_now_needs_the_form_token(doctor, plan_id):
    assert doctor.client.post(f"/doctor/plans/{plan_id}/checkin-now").status_code == 400


# --- audit, roles, architecture ------------------------------------------------------------

def test_each_action_is_audited_with_the_patient_and_the_plan(app, doctor, reviewed):
    start(doctor, reviewed)
    [plan] = plans(app)
    doctor.get(f"/doctor/plans/{plan.id}")
    change(doctor, plan.id, step_days="10")
    doctor.post(f"/doctor/plans/{plan.id}/checkin-now")
    doctor.post(f"/doctor/plans/{plan.id}/end", {"reason": "completed", "version": "2"})
    recorded = actions(app)
    assert [action for action, _t, _d in recorded] == [
        "plan.started", "plan.viewed", "plan.changed", "checkin.created", "plan.ended"]
    assert {target for _a, target, _d in recorded} == {f"response:{reviewed}"}
    assert all(details["plan_id"] == plan.id for _a, _t, details in recorded)
    audit_page = text(doctor.get("/doctor/audit"))
    assert "Started an LDN plan" in audit_page and "PT-PAGE" in audit_page


def test_a_clinician_starts_and_changes_a_plan(app, clinician, reviewed):
    assert start(clinician, reviewed).status_code == 201
    [plan] = plans(app)
    assert clinician.get(f"/doctor/plans/{plan.id}").status_code == 200
    assert change(clinician, plan.id, step_days="14").status_code == 302


def test_the_plan_views_build_no_queries():
    assert is_view("screening.doctor.plan_views") and "screening.doctor.plan_views" in MODULES
    assert not any(name == "sqlalchemy" or name.startswith("sqlalchemy.")
                   for name in direct_imports("screening.doctor.plan_views"))
