"""What the outbox needs from the app's configuration, read and checked once.

`MAIL_URL` names the SMTP server: `smtp://host:port` (plain, for a relay on loopback),
`smtp+starttls://user:pass@host:587` or `smtps://user:pass@host:465`. Without it nothing
is queued and doctors copy links by hand, as before. Reminders wait out the clinic's quiet
hours (`QUIET_HOURS` such as `21:00-08:00`, in `CLINIC_TIMEZONE`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import ConfigError
from ..invitations import link_key

SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class MailSettingError(ConfigError):
    """A mail setting cannot be used; the message names the setting and what it expects."""


@dataclass(frozen=True)
class MailUrl:
    security: str  # plain | starttls | tls
    host: str
    port: int
    username: str | None
    password: str | None

    def __repr__(self) -> str:  # never print the password
        return f"MailUrl({self.security}://{self.host}:{self.port}, user={self.username!r})"


def parse_mail_url(url: str) -> MailUrl:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise MailSettingError("MAIL_URL must look like smtp://host:port, smtp+starttls://user:pass@host:587 "
                               "or smtps://user:pass@host:465")
    security, default_port = SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise MailSettingError("MAIL_URL has a port that is not a number from 1 to 65535") from None
    return MailUrl(security, parts.hostname, port, unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """"21:00-08:00" → (21:00, 08:00); "" → no quiet hours."""
    if not text.strip():
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise MailSettingError("QUIET_HOURS must look like 21:00-08:00 (or be empty)") from None
    if start == end:
        raise MailSettingError("QUIET_HOURS must start and end at different times")
    return start, end


def parse_timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise MailSettingError(f"CLINIC_TIMEZONE must be a time zone name such as Europe/London, not {name!r}") \
            from None


def _days(config: Mapping[str, Any], name: str) -> int | None:
    """A reminder offset in days; 0 or empty turns that reminder off."""
    value = str(config.get(name, "")).strip()
    if not value or value == "0":
        return None
    if not value.isdigit() or not 0 < int(value) <= 60:
        raise MailSettingError(f"{name} must be a number of days from 0 (off) to 60")
    return int(value)


@dataclass(frozen=True)
class MailSettings:
    url: MailUrl | None
    sender: str
    clinic_name: str
    clinic_contact: str
    timezone: ZoneInfo
    quiet_hours: tuple[time, time] | None
    remind_after_invitation: int | None  # days after the invitation
    remind_before_appointment: int | None  # days before the appointment
    public_base_url: str
    link_key: bytes

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def message_domain(self) -> str:
        """The right-hand side of each Message-ID: the sender's own domain."""
        address = parseaddr(self.sender)[1]
        return address.rsplit("@", 1)[-1] if "@" in address else ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        url = str(config.get("MAIL_URL") or "").strip()
        sender = str(config.get("MAIL_FROM") or "").strip()
        if url and not sender:
            raise MailSettingError("MAIL_FROM is needed with MAIL_URL, e.g. Riverside Clinic <forms@clinic.example>")
        # These go into message headers: a line break there would add headers of its own.
        for name in ("MAIL_FROM", "CLINIC_NAME"):
            if any(ord(c) < 32 or ord(c) == 127 for c in str(config.get(name) or "")):
                raise MailSettingError(f"{name} must be one line of text, without control characters")
        if sender and "@" not in parseaddr(sender)[1]:
            raise MailSettingError("MAIL_FROM must be an address, e.g. Riverside Clinic <forms@clinic.example>")
        return cls(
            url=parse_mail_url(url) if url else None,
            sender=sender,
            clinic_name=str(config.get("CLINIC_NAME") or "Your clinic"),
            clinic_contact=str(config.get("CLINIC_CONTACT") or ""),
            timezone=parse_timezone(str(config.get("CLINIC_TIMEZONE") or "UTC")),
            quiet_hours=parse_quiet_hours(str(config.get("QUIET_HOURS") or "")),
            remind_after_invitation=_days(config, "REMINDER_DAYS_AFTER_INVITATION"),
            remind_before_appointment=_days(config, "REMINDER_DAYS_BEFORE_APPOINTMENT"),
            # As `flask invite` prints links: in development, the local server.
            public_base_url=str(config.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{config.get('PORT', 5000)}"),
            link_key=link_key(str(config["SECRET_KEY"])),
        )

    def after_quiet_hours(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (reminders wait; invitations don't)."""
        if self.quiet_hours is None:
            return moment
        start, end = self.quiet_hours
        local = moment.astimezone(self.timezone)
        now = local.timetz().replace(tzinfo=None)
        quiet = (start <= now or now < end) if start > end else (start <= now < end)
        if not quiet:
            return moment
        day = local.date() if now < end else local.date() + timedelta(days=1)
        return datetime.combine(day, end, tzinfo=self.timezone).astimezone(moment.tzinfo)
