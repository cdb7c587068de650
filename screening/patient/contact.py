"""Contact text from the settings (CRISIS_CONTACT, CLINIC_CONTACT), split into plain text
and the phone numbers and email addresses in it, so a patient can tap them.

The settings are plain text, never HTML: the templates escape every part, and a link's
address is built here from the digits (`tel:`) or a plain email address (`mailto:`) it
found, never copied from the text. What counts as a phone number (docs/deployment.md,
"Contact details"): three to fifteen digits, optionally starting with `+` and an area code
in brackets, with single spaces or hyphens between groups ("116 123", "13 11 14",
"+44 20 7946 0000", "(02) 9999 9999"). Two numbers need a word or a punctuation mark
between them ("999 or 112", "999, 112"): "999 112" reads as one number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_DIGITS, MAX_DIGITS = 3, 15  # "999" .. the longest international number (E.164)

_EMAIL = r"(?P<email>(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
# Digits are ASCII only: another script's digits are not dialled. A number never starts
# inside a word or another number, and never ends inside one.
_PHONE = r"(?P<phone>(?<![\w+])(?<!\w-)\+?(?:\([0-9]{1,5}\)[ \u00a0-]?)?[0-9](?:[ \u00a0-]?[0-9])*(?!\w))"
_CONTACT = re.compile(f"{_EMAIL}|{_PHONE}")


@dataclass(frozen=True)
class ContactPart:
    """A piece of contact text, and where tapping it goes (None for plain text)."""

    text: str
    href: str | None = None


def _phone_href(number: str) -> str | None:
    digits = re.sub(r"[^0-9]", "", number)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return None
    return f"tel:{'+' if number.startswith('+') else ''}{digits}"


def contact_parts(text: object) -> tuple[ContactPart, ...]:
    """`text` as parts: plain text, `tel:` links for phone numbers, `mailto:` for email."""
    if not isinstance(text, str) or not text:
        return ()
    parts: list[ContactPart] = []
    plain_from = 0
    for found in _CONTACT.finditer(text):
        href = f"mailto:{found['email']}" if found["email"] else _phone_href(found["phone"])
        if href is None:
            continue  # too few or too many digits: stays plain text
        if found.start() > plain_from:
            parts.append(ContactPart(text[plain_from:found.start()]))
        parts.append(ContactPart(found.group(), href))
        plain_from = found.end()
    if plain_from < len(text):
        parts.append(ContactPart(text[plain_from:]))
    return tuple(parts)
