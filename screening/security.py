"""Secure defaults applied to every response and request.

Headers go on everything, error pages and static files included. There is no inline
script or style anywhere, so the Content-Security-Policy needs no nonces.
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
])
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: Flask-WTF's HTTPS CSRF check needs our own Referer.
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        # Patient and doctor pages all carry health data or lead to it.
        headers["Cache-Control"] = "no-store"
    return response


def reject_nul_in_query() -> None:
    """A NUL byte in the query string is never meant; PostgreSQL would refuse it with a 500.

    (Form fields get a message beside the field instead, so nothing typed is lost.)
    """
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def check_trusted_host() -> None:
    """With TRUSTED_HOSTS set, reading the host validates it (400 for any other Host header)."""
    if current_app.config.get("TRUSTED_HOSTS"):
        _ = request.host


def init_security(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops:
        # Trust exactly as many X-Forwarded-* hops as there are proxies: more would let a
        # client forge its address (and dodge rate limits), fewer would hide it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # wrapping wsgi_app is Flask's documented way
    app.before_request(check_trusted_host)
    app.before_request(reject_nul_in_query)
    app.after_request(security_headers)
