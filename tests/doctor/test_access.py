"""Every doctor page needs a signed-in doctor: walk the URL map, try each anonymously."""

from __future__ import annotations

import re

from tests.doctor_fixtures import CSRF_INPUT

PUBLIC = {"doctor.login"}


def _sample_url(rule) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) else "OPI-01", rule.rule)


def test_every_doctor_page_requires_login(app, submit):
    submit()
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/doctor/login").get_data(as_text=True)).group(1)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("doctor.") or rule.endpoint in PUBLIC:
            continue
        url = _sample_url(rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/doctor/login"), (method, url)
            checked += 1
    assert checked >= 12


def test_doctor_pages_are_not_cached(doctor):
    assert doctor.get("/doctor/").headers["Cache-Control"] == "no-store"
