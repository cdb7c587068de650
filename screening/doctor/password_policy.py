"""The password policy, one function for every place a password is set.

`flask create-doctor`, `flask reset-password` and the password change page all ask
`password_problem`: at least 12 characters, not one character repeated, not containing
the email address's local part, and a zxcvbn score of at least 3 ("safely unguessable":
about 10^8 guesses or more), offline, with the account's own words counted as known.
zxcvbn's own feedback becomes the message, so the doctor learns what to change.
"""

from __future__ import annotations

from typing import Any

from zxcvbn import zxcvbn

from ..auth import MIN_PASSWORD_LENGTH

MIN_SCORE = 3
# zxcvbn refuses more than 72 characters (its matching is quadratic); a longer password
# is scored on its first 72, which already pass when they are strong.
ZXCVBN_MAX = 72
# Words anyone attacking this app would try first.
SITE_WORDS = ("ldn", "naltrexone", "clinic", "screening", "doctor", "password")


def _local_part(email: str) -> str:
    return email.strip().lower().partition("@")[0]


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def password_problem(password: str, email: str) -> str | None:
    """Why `password` is not good enough for the account `email`, or None when it is."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(set(password)) == 1:
        return "A password cannot be one character repeated"
    local = _letters_and_digits(_local_part(email))
    if len(local) >= 3 and local in _letters_and_digits(password):
        return "A password cannot contain your email address's name"
    result: dict[str, Any] = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[email, local, *SITE_WORDS])
    if int(result["score"]) >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    parts = [str(feedback.get("warning") or "This password would be easy to guess."),
             *(str(tip) for tip in feedback.get("suggestions") or [])]
    return "Choose a harder password. " + " ".join(part for part in parts if part)
