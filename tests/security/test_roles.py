"""Finding 5: roles. Every doctor route declares its role; this table is the contract.

The matrix walks the URL map: a route missing from the table, or declaring another role
than the table says, fails. A clinician gets 403 on every admin route and an admin gets
through; a route that declares nothing is refused at start-up and, if it got that far,
at request time.
"""

from __future__ import annotations

import re
import time

import pytest
from flask import Blueprint, Flask
from sqlalchemy import select

from screening.doctor.roles import ADMIN, CLINICIAN, PUBLIC, check_declared, declared_role, role
from screening.models import AuditEvent, Doctor
from tests.doctor_fixtures import CSRF_INPUT, PASSWORD, DoctorClient

ROLE_OF = {
    "doctor.login": PUBLIC,
    "doctor.login_code": PUBLIC,
    "doctor.mfa_enrol": PUBLIC,
    "doctor.logout": CLINICIAN,
    "doctor.change_password": CLINICIAN,
    "doctor.reauth": CLINICIAN,
    "doctor.queue": CLINICIAN,
    "doctor.summary": CLINICIAN,
    "doctor.summary_pdf": CLINICIAN,
    "doctor.export_json": CLINICIAN,
    "doctor.export_fhir": CLINICIAN,
    "doctor.export_fhir_bundle": CLINICIAN,
    "doctor.export_questionnaire": CLINICIAN,
    "doctor.decide": CLINICIAN,
    "doctor.review": CLINICIAN,
    "doctor.reevaluate": CLINICIAN,
    "doctor.reevaluation": CLINICIAN,
    "doctor.invitations": CLINICIAN,
    "doctor.revoke_invitation": CLINICIAN,
    "doctor.resend_invitation": CLINICIAN,
    "doctor.checkin_summary": CLINICIAN,
    "doctor.checkin_review": CLINICIAN,
    "doctor.checkins_review_bulk": CLINICIAN,
    "doctor.plan_trend": CLINICIAN,
    "doctor.plan_fhir": CLINICIAN,
    "doctor.plan_pdf": CLINICIAN,
    "doctor.reissue_invitation": CLINICIAN,  # audited; see docs/security.md
    "doctor.plan_new": CLINICIAN,
    "doctor.plan_page": CLINICIAN,
    "doctor.plan_change": CLINICIAN,
    "doctor.plan_end": CLINICIAN,
    "doctor.plan_checkin_now": CLINICIAN,
    "doctor.audit_log": ADMIN,
    "doctor.audit_csv": ADMIN,
    "doctor.accounts": ADMIN,
    "doctor.account_role": ADMIN,
    "doctor.account_disable": ADMIN,
    "doctor.account_enable": ADMIN,
    "doctor.patient_data": ADMIN,
    "doctor.patient_data_export": ADMIN,
    "doctor.patient_data_erase": ADMIN,
}


def _doctor_rules(app):  # type: ignore[no-untyped-def]
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("doctor.")]


def _sample_url(rule) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "REN-01", rule.rule)


def test_every_route_declares_the_role_in_the_table(app):
    declared = {rule.endpoint: declared_role(app.view_functions[rule.endpoint]) for rule in _doctor_rules(app)}
    assert declared == ROLE_OF


def _status_of_every_admin_route(app, browser: DoctorClient) -> dict[str, int]:
    token = CSRF_INPUT.search(browser.get("/doctor/invitations").get_data(as_text=True)).group(1)
    statuses = {}
    for rule in _doctor_rules(app):
        if ROLE_OF[rule.endpoint] != ADMIN:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = browser.client.open(_sample_url(rule), method=method, data={"csrf_token": token})
            statuses[f"{method} {rule.endpoint}"] = response.status_code
    return statuses


def test_a_clinician_gets_403_on_every_admin_route(app, clinician, submit):
    submit()
    statuses = _status_of_every_admin_route(app, clinician)
    assert len(statuses) == 9 and set(statuses.values()) == {403}, statuses


def test_an_admin_gets_through_every_admin_route(app, doctor, submit):
    submit()
    statuses = _status_of_every_admin_route(app, doctor)
    # 200 pages, 302 after an account change or erasure, 400 for the empty patient form.
    assert 403 not in statuses.values() and 500 not in statuses.values(), statuses


def test_a_clinician_reaches_every_clinician_page(app, clinician, submit):
    response_id = submit()
    for path in ("/doctor/", f"/doctor/submissions/{response_id}", "/doctor/invitations",
                 "/doctor/account/password", "/doctor/reauth", f"/doctor/submissions/{response_id}/fhir.json"):
        assert clinician.get(path).status_code == 200, path


def test_the_audit_page_and_admin_links_are_for_admins_only(clinician, doctor):
    nav = clinician.get("/doctor/").get_data(as_text=True)
    assert "/doctor/audit" not in nav and "/doctor/accounts" not in nav
    assert clinician.get("/doctor/audit").status_code == 403
    admin_nav = doctor.get("/doctor/").get_data(as_text=True)
    assert "/doctor/audit" in admin_nav and "/doctor/accounts" in admin_nav


def test_an_app_with_an_undeclared_doctor_route_refuses_to_start():
    app = Flask(__name__)
    blueprint = Blueprint("doctor", __name__)

    @blueprint.get("/declared")
    @role(CLINICIAN)
    def declared() -> str:
        return ""

    @blueprint.get("/undeclared")
    def undeclared() -> str:
        return ""

    app.register_blueprint(blueprint)
    with pytest.raises(RuntimeError, match="doctor.undeclared"):
        check_declared(app)


def test_the_guard_refuses_a_view_without_a_role(app, doctor):
    view = app.view_functions["doctor.queue"]
    original = view.required_role
    del view.required_role
    try:
        assert doctor.get("/doctor/").status_code == 403
    finally:
        view.required_role = original


def test_role_refuses_an_unknown_level():
    with pytest.raises(ValueError):
        role("superuser")


# --- re-authentication ---------------------------------------------------------------------


def _make_stale(browser: DoctorClient) -> None:
    with browser.client.session_transaction() as session:
        session["auth_at"] = time.time() - 11 * 60


def test_a_stale_session_is_sent_to_reauth_and_comes_back(app, doctor, make_doctor):
    other = make_doctor("colleague@clinic.example", role="clinician")
    _make_stale(doctor)
    refused = doctor.client.post(f"/doctor/accounts/{other}/role", data={
        "csrf_token": CSRF_INPUT.search(doctor.get("/doctor/accounts").get_data(as_text=True)).group(1),
        "role": "admin"}, headers={"Referer": "http://localhost/doctor/accounts"})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/doctor/reauth?next=")
    with app.extensions["db"].read() as session:
        assert session.get(Doctor, other).role == "clinician"  # nothing changed

    page = doctor.get(refused.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Confirm it is you" in html
    token = CSRF_INPUT.search(html).group(1)
    wrong = doctor.client.post(refused.headers["Location"], data={"csrf_token": token, "password": "not it at all",
                                                                   "next": "/doctor/accounts"})
    assert wrong.status_code == 400
    back = doctor.client.post(refused.headers["Location"], data={"csrf_token": token, "password": PASSWORD,
                                                                  "next": "/doctor/accounts"})
    assert back.status_code == 302 and back.headers["Location"] == "/doctor/accounts"

    done = doctor.post(f"/doctor/accounts/{other}/role", data={"role": "admin"})
    assert done.status_code == 302 and done.headers["Location"] == "/doctor/accounts"
    with app.extensions["db"].read() as session:
        assert session.get(Doctor, other).role == "admin"
        changed = session.scalars(select(AuditEvent).where(AuditEvent.action == "doctor.role_changed")).all()
    assert [event.target for event in changed] == [f"doctor:{other}"]


def test_reauth_by_second_factor_code(app, doctor):
    import pyotp

    from tests.doctor_fixtures import TOTP_SECRET

    _make_stale(doctor)
    with app.extensions["db"].write() as session:
        session.get(Doctor, 1).totp_last_step = None
    html = doctor.get("/doctor/reauth?next=/doctor/accounts").get_data(as_text=True)
    token = CSRF_INPUT.search(html).group(1)
    response = doctor.client.post("/doctor/reauth", data={"csrf_token": token, "code": pyotp.TOTP(TOTP_SECRET).now(),
                                                          "next": "/doctor/accounts"})
    assert response.status_code == 302 and response.headers["Location"] == "/doctor/accounts"


@pytest.mark.parametrize("path, data", [
    ("/doctor/patient-data/export", {"patient_ref": "P-1"}),
    ("/doctor/patient-data/erase", {"patient_ref": "P-1", "confirm": "y"}),
])
def test_exports_of_all_data_and_erasure_need_a_fresh_sign_in(app, doctor, submit, path, data):
    submit("P-1")
    _make_stale(doctor)
    response = doctor.post(path, data=data)
    assert response.status_code == 302 and "/doctor/reauth" in response.headers["Location"]
    with app.extensions["db"].read() as session:
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
            ["patient.exported", "patient.erased"]))).all()


def test_a_fresh_admin_exports_and_erases_a_patient(app, doctor, submit):
    submit("P-1")
    exported = doctor.post("/doctor/patient-data/export", data={"patient_ref": "P-1"})
    assert exported.status_code == 200 and exported.json["patient_ref"] == "P-1"
    unconfirmed = doctor.post("/doctor/patient-data/erase", data={"patient_ref": "P-1"})
    assert unconfirmed.status_code == 400
    erased = doctor.post("/doctor/patient-data/erase", data={"patient_ref": "P-1", "confirm": "y"})
    assert erased.status_code == 302
    with app.extensions["db"].read() as session:
        actors = {event.action: event.actor for event in session.scalars(select(AuditEvent))}
    assert actors["patient.exported"] == "doctor:1" and actors["patient.erased"] == "doctor:1"


def test_the_last_active_admin_cannot_be_demoted_or_disabled(app, doctor):
    assert doctor.post("/doctor/accounts/1/role", data={"role": "clinician"}).status_code == 302
    assert doctor.post("/doctor/accounts/1/disable").status_code == 302
    with app.extensions["db"].read() as session:
        me = session.get(Doctor, 1)
        assert me.role == "admin" and me.active
    assert "last active admin" in doctor.get("/doctor/accounts").get_data(as_text=True)


def test_disabling_an_account_ends_its_sessions(app, doctor, clinician):
    assert clinician.get("/doctor/").status_code == 200
    with app.extensions["db"].read() as session:
        target = session.scalar(select(Doctor.id).where(Doctor.email == "clinician@clinic.example"))
    assert doctor.post(f"/doctor/accounts/{target}/disable").status_code == 302
    assert clinician.get("/doctor/").status_code == 302


def test_reissuing_a_link_stays_clinician_level_and_is_audited(app, clinician, make_link):
    make_link("P-REISSUE")
    response = clinician.post("/doctor/invitations/1/reissue")
    assert response.status_code == 200
    with app.extensions["db"].read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.reissued"))
    assert event.actor.startswith("doctor:") and event.target == "invitation:1"


def test_upgrading_makes_the_oldest_existing_account_the_admin(tmp_path):
    from sqlalchemy import create_engine, text

    from screening.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0004")
    engine = create_engine(url)
    with engine.begin() as connection:
        for email in ("first@clinic.example", "second@clinic.example"):
            connection.execute(text("INSERT INTO doctor (email, password_hash, active, session_version, created_at) "
                                    "VALUES (:email, 'x', 1, 0, '2026-01-01 00:00:00')"), {"email": email})
    upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT email, role, totp_secret FROM doctor ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("first@clinic.example", "admin", None),
                                            ("second@clinic.example", "clinician", None)]
