"""Rate limits against guessing: doctor logins (per address and per account) and patient links.

Counters live in memory by default, which is per process: with several gunicorn workers
each keeps its own count, so a limit of 5 becomes 5 × workers. Production with more than
one worker must set RATELIMIT_STORAGE_URI to a shared store (redis://...).
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

LOGIN_PER_ADDRESS = "10 per minute; 50 per hour"
LOGIN_PER_ACCOUNT = "5 per minute; 30 per hour"
PATIENT_LINK_PER_ADDRESS = "30 per minute; 300 per hour"


def login_account_key() -> str:
    """The account being tried, so one account cannot be guessed at from many addresses."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def only_login_attempts() -> bool:
    """Showing the login form is free; only attempts (POSTs) count."""
    return request.method != "POST"


def init_limits(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter.init_app(app)
