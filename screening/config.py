"""Settings from environment variables, with safe development defaults.

`SCREENING_ENV` is exactly `development` (the default), `test` or `production`; anything
else (`Production`, `prod`, a stray space) refuses to start rather than run as development.
Production refuses to start without a real SECRET_KEY; development and test generate one
once into the instance folder (0700, the secret 0600) so sessions survive restarts
without a secret ever living in the code.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

# Shown to a patient who reports thoughts of self-harm (the safety card). Every phone number
# in it becomes a link that dials it (screening/patient/contact.py); docs/deployment.md
# ("Contact details") has examples for each country.
DEFAULT_CRISIS_CONTACT = (
    "If you are in danger now, call your local emergency number. It is 999 or 112 in the UK "
    "and Ireland, 911 in the US and Canada, 000 in Australia and 111 in New Zealand. "
    "To talk to someone now, call or text 988 in the US and Canada. "
    "In the UK and Ireland, call Samaritans on 116 123. "
    "In Australia, call Lifeline on 13 11 14. In New Zealand, call or text 1737."
)
# How a patient reaches the clinic (a phone number and/or an email address, as plain text);
# empty: the pages say "contact the clinic that sent you the link" without details.
DEFAULT_CLINIC_CONTACT = ""


ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The settings cannot run the application safely; the message says what to set."""


def _environment(env: dict[str, str]) -> str:
    name = env.get("SCREENING_ENV", "development")
    if name not in ENVIRONMENTS:
        # Fail closed: a typo must never run a production server with development settings.
        raise ConfigError(
            f"SCREENING_ENV must be exactly one of {', '.join(ENVIRONMENTS)} (got {name[:40]!r})"
        )
    return name


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def make_private_folder(folder: Path) -> None:
    """`folder` readable by this user only: created 0700 if missing, tightened to 0700 if it
    is ours and open to others (an instance folder made by an older version, say)."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode is filtered by the umask; chmod is not
    elif folder.is_dir() and folder.stat().st_uid == os.geteuid() and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)


def _development_secret(instance_path: Path) -> str:
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        make_private_folder(instance_path)
        # Created 0600 at once: the secret is never readable by others, not even briefly.
        descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as sink:
            sink.write(secrets.token_hex(32))
    elif secret_file.stat().st_mode & 0o077 and secret_file.stat().st_uid == os.geteuid():
        secret_file.chmod(0o600)
    return secret_file.read_text(encoding="utf-8").strip()


def _require_mfa(env: dict[str, str], production: bool) -> bool:
    """REQUIRE_MFA is exactly 1 (the default) or 0, and never 0 in production."""
    value = env.get("REQUIRE_MFA", "1")
    if value not in {"0", "1"}:
        raise ConfigError(f"REQUIRE_MFA must be 1 or 0 (got {value[:40]!r})")
    if production and value == "0":
        raise ConfigError("REQUIRE_MFA=0 is for development and tests only: production requires a second factor")
    return value == "1"


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    env = dict(os.environ if environ is None else environ)
    environment = _environment(env)
    production = environment == "production"
    secret = env.get("SECRET_KEY")
    if production and (not secret or len(secret) < 32):
        raise ConfigError("SECRET_KEY must be set to a random value of at least 32 characters in production")
    if production and not env.get("PUBLIC_BASE_URL", "").startswith("https://"):
        # Patient links are built from it; without it they would follow the Host header.
        raise ConfigError("PUBLIC_BASE_URL must be set to the site's https:// address in production")
    require_mfa = _require_mfa(env, production)
    if instance_path.exists():
        make_private_folder(instance_path)  # it holds the database and the development secret
    secure_cookies = _bool(env.get("SESSION_COOKIE_SECURE"), production)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'screening.sqlite3'}"
    return {
        "ENV_NAME": environment,
        "SECRET_KEY": secret or _development_secret(instance_path),
        "DATABASE_URL": database_url,
        "CLINIC_NAME": env.get("CLINIC_NAME", "Your clinic"),
        "CRISIS_CONTACT": env.get("CRISIS_CONTACT", DEFAULT_CRISIS_CONTACT),
        "CLINIC_CONTACT": env.get("CLINIC_CONTACT", DEFAULT_CLINIC_CONTACT).strip(),
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
        "REQUIRE_MFA": require_mfa,
        # Email through the outbox (docs/outbox.md); checked at start-up by MailSettings.
        "MAIL_URL": env.get("MAIL_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", ""),
        "CLINIC_TIMEZONE": env.get("CLINIC_TIMEZONE", "UTC"),
        "QUIET_HOURS": env.get("QUIET_HOURS", ""),
        "REMINDER_DAYS_AFTER_INVITATION": env.get("REMINDER_DAYS_AFTER_INVITATION", "3"),
        "REMINDER_DAYS_BEFORE_APPOINTMENT": env.get("REMINDER_DAYS_BEFORE_APPOINTMENT", "2"),
    }
