"""T52–T56: cookies, headers on every kind of response, no caching of health data, no leaks."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import InternalServerError

from screening import create_app


def _assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def failing_app(app):
    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("SELECT secret FROM doctor -- stack trace must not leak")

    return app


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/", 200),
    ("GET", "/static/app.css", 200),
    ("GET", "/doctor/", 302),
    ("GET", "/no/such/page", 404),
    ("GET", "/i/not-a-token", 404),
    ("POST", "/", 405),
    ("GET", "/boom", 500),
])
def test_t53_headers_on_every_kind_of_response(failing_app, method, path, status):
    response = failing_app.test_client().open(path, method=method)
    assert response.status_code == status
    _assert_security_headers(response)


def test_t53_headers_on_413_and_429(patient, client):
    too_big = patient.client.post("/questionnaire/page/about_you", data=b"x" * 400_000,
                                  content_type="application/x-www-form-urlencoded")
    assert too_big.status_code == 413
    _assert_security_headers(too_big)
    limited = [client.get(f"/i/guess-{n}") for n in range(35)][-1]
    assert limited.status_code == 429
    _assert_security_headers(limited)


def test_t53_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "max-age=63072000" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


@pytest.mark.parametrize("path", ["/questionnaire/", "/doctor/login", "/", "/i/x"])
def test_t54_pages_are_never_cached(patient, path):
    assert patient.get(path).headers["Cache-Control"] == "no-store"


def test_t52_cookie_attributes(app, make_link):
    response = app.test_client().get(f"/i/{make_link()}")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie and "Domain" not in cookie


def test_t52_production_cookies_are_secure_host_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("SCREENING_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://screening.example.org")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"


def test_t55_untrusted_host_is_refused(app):
    app.config["TRUSTED_HOSTS"] = ["screening.example.org"]
    assert app.test_client().get("/", headers={"Host": "evil.example"}).status_code == 400
    assert app.test_client().get("/", headers={"Host": "screening.example.org"}).status_code == 200


def test_t55_links_use_the_configured_address_not_the_host_header(app, doctor):
    app.config["PUBLIC_BASE_URL"] = "https://screening.example.org"
    token = doctor.csrf()
    doctor.client.set_cookie("session", doctor.client.get_cookie("session").value, domain="evil.example")
    html = doctor.client.post("/doctor/invitations", headers={"Host": "evil.example"}, data={
        "csrf_token": token, "patient_ref": "PT-HOST"}).get_data(as_text=True)
    assert "https://screening.example.org/i/" in html and "evil.example/i/" not in html


def test_t56_errors_show_no_stack_trace_or_sql(failing_app):
    html = failing_app.test_client().get("/boom").get_data(as_text=True)
    assert "something went wrong on our side" in html
    assert "Traceback" not in html and "SELECT" not in html and "RuntimeError" not in html


def test_t56_no_debugger_console(client):
    assert client.get("/console").status_code == 404


def test_proxy_hops_trust_exactly_the_configured_proxies(database_url):
    app = create_app({"PROXY_HOPS": 1, "DATABASE_URL": database_url, "TESTING": True})

    @app.get("/whoami")
    def whoami():  # type: ignore[no-untyped-def]
        from flask import request
        return request.remote_addr or ""

    client = app.test_client()
    # The proxy appends the real client; anything before it was typed by the client.
    seen = client.get("/whoami", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}).get_data(as_text=True)
    assert seen == "203.0.113.9"


def test_internal_server_error_class_is_handled(app):
    @app.get("/raise-500")
    def raise_500():  # type: ignore[no-untyped-def]
        raise InternalServerError()

    assert app.test_client().get("/raise-500").status_code == 500
