"""Secure defaults applied to every response and request.

Headers go on everything, error pages and static files included. There is no inline
script or style anywhere, so the Content-Security-Policy needs no nonces.

Input is bounded before any view sees it: integer path parameters are ASCII digits within
the database's integer range (a 404 beyond, on every `<int:...>` route at once), and
MAX_FORM_PARTS holds for urlencoded forms as Werkzeug holds it for multipart ones.
"""

from __future__ import annotations

from typing import Any

import flask
from flask import Flask, Response, abort, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

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


# IDs are `Integer` columns: 32-bit on PostgreSQL, and no larger ID is ever issued on SQLite.
# Beyond it SQLite's driver overflows (a 500) and PostgreSQL compares against a column that
# cannot hold the value; either way no such row exists, so the answer is a 404.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` for every route: 1 to 10 ASCII digits (not `\\d`, which takes any script's
    digits), at most MAX_ID. Anything else does not match the route: a 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002  (Werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class FormPartsLimitedRequest(flask.Request):
    """MAX_FORM_PARTS for application/x-www-form-urlencoded bodies too (413 beyond).

    Werkzeug counts parts only in multipart bodies; an ordinary form could carry thousands
    of fields inside MAX_CONTENT_LENGTH. The check runs where the form is first read (by
    CSRF protection, a hook or a view, whichever comes first), before it is parsed.
    """

    def _load_form_data(self) -> None:
        limit = self.max_form_parts
        if "form" not in self.__dict__ and limit is not None and self.mimetype == "application/x-www-form-urlencoded":
            body = self.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH; the parser reads this copy
            if body and body.count(b"&") + 1 > limit:
                raise RequestEntityTooLarge()
        super()._load_form_data()


def init_security(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops:
        # Trust exactly as many X-Forwarded-* hops as there are proxies: more would let a
        # client forge its address (and dodge rate limits), fewer would hide it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # wrapping wsgi_app is Flask's documented way
    # Before any blueprint is registered: routes bind their converters when they are added.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.request_class = FormPartsLimitedRequest
    app.before_request(check_trusted_host)
    app.before_request(reject_nul_in_query)
    app.after_request(security_headers)
