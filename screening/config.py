"""Settings from environment variables, with safe development defaults.

Production (`SCREENING_ENV=production`) refuses to start without a real SECRET_KEY;
development generates one once into the instance folder so sessions survive restarts
without a secret ever living in the code.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_CRISIS_CONTACT = (
    "If you are in danger now, call your local emergency number (911 in the US and Canada, "
    "999 or 112 in the UK and Ireland, 000 in Australia, 111 in New Zealand). "
    "In the US you can also call or text 988 at any time."
)


class ConfigError(RuntimeError):
    """The settings cannot run the application safely; the message says what to set."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def _development_secret(instance_path: Path) -> str:
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_hex(32), encoding="utf-8")
        secret_file.chmod(0o600)
    return secret_file.read_text(encoding="utf-8").strip()


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    env = dict(os.environ if environ is None else environ)
    production = env.get("SCREENING_ENV", "development") == "production"
    secret = env.get("SECRET_KEY")
    if production and (not secret or len(secret) < 32):
        raise ConfigError("SECRET_KEY must be set to a random value of at least 32 characters in production")
    if production and not env.get("PUBLIC_BASE_URL", "").startswith("https://"):
        # Patient links are built from it; without it they would follow the Host header.
        raise ConfigError("PUBLIC_BASE_URL must be set to the site's https:// address in production")
    secure_cookies = _bool(env.get("SESSION_COOKIE_SECURE"), production)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'screening.sqlite3'}"
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": secret or _development_secret(instance_path),
        "DATABASE_URL": database_url,
        "CLINIC_NAME": env.get("CLINIC_NAME", "Your clinic"),
        "CRISIS_CONTACT": env.get("CRISIS_CONTACT", DEFAULT_CRISIS_CONTACT),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", ""),
        "PORT": int(env.get("PORT", "5000")),
        "INVITATION_DAYS_VALID": int(env.get("INVITATION_DAYS_VALID", "30")),
        "SESSION_COOKIE_SECURE": secure_cookies,
        # __Host- cookies are only ever sent to this exact host, over HTTPS.
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(256 * 1024))),
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "MAX_FORM_PARTS": 400,
        "TRUSTED_HOSTS": _list(env.get("TRUSTED_HOSTS")),
        "PROXY_HOPS": int(env.get("PROXY_HOPS", "0")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "PURGE_UNSUBMITTED_DAYS": int(env.get("PURGE_UNSUBMITTED_DAYS", "90")),
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS", str(8 * 365))),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        "DOCTOR_IDLE_TIMEOUT": timedelta(minutes=int(env.get("DOCTOR_IDLE_MINUTES", "30"))),
        "DOCTOR_ABSOLUTE_TIMEOUT": timedelta(hours=int(env.get("DOCTOR_SESSION_HOURS", "12"))),
    }
