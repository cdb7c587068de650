"""A patient's email address as a doctor or the `invite` command types it: checked with
email-validator (syntax only, no DNS lookups), so no header can be injected through it."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254  # RFC 5321's limit on a forward path
ADDRESS_MESSAGE = "Enter an email address like name@example.com"


class AddressError(ValueError):
    """Not an address we can send to; the message says what to type instead."""


def clean_address(text: str) -> str:
    """The address, normalised (domain lower-cased); AddressError otherwise."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in stripped):
        raise AddressError(ADDRESS_MESSAGE)
    try:
        valid = validate_email(stripped, check_deliverability=False, allow_smtputf8=False,
                               allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False)
    except EmailNotValidError:
        raise AddressError(ADDRESS_MESSAGE) from None
    return str(valid.ascii_email or valid.normalized)  # the domain in its ASCII (IDNA) form: any server takes it


def address_digest(address: str) -> str:
    """What the audit trail keeps instead of an address: enough to match, not to read."""
    return hashlib.sha256(address.lower().encode("utf-8")).hexdigest()[:16]
