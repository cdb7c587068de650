"""The TOTP second factor: enrolment, codes, one-time recovery codes.

- A secret is made for enrolment and kept only in the doctor's own browser session until
  one code from the authenticator app proves it was copied; then it is saved.
- Codes are RFC 6238 (30 s steps, 6 digits) accepted one step either side of now. The
  step of the last accepted code is stored, and a code is accepted only for a later step,
  with a conditional UPDATE: a code seen over a shoulder or replayed is refused, even by
  two requests at once.
- Ten recovery codes are shown once at enrolment. Each has 80 random bits, so it is
  stored as its SHA-256: a slow hash (Argon2) protects guessable secrets such as
  passwords, and these are not guessable; a fast hash also lets a code be found by its
  hash in one indexed lookup instead of ten 50 ms Argon2 checks per try. Each is used once
  (conditional UPDATE on `used_at`).

Times are passed in (`now`, Unix seconds), so tests freeze them without patching.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..db import rows_changed
from ..models import Doctor, RecoveryCode

ISSUER = "LDN screening"
STEP_SECONDS = 30
VALID_WINDOW = 1  # one step either side: clocks drift and people type slowly
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_RECOVERY_LENGTH = 16  # 32 symbols ** 16 = 2 ** 80


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, email: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The provisioning URI as an inline SVG QR code (made here: nothing leaves the server)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app"))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str) -> str:
    return "".join(code.split())


def matching_step(secret: str, code: str, now: float, after: int | None = None) -> int | None:
    """The time step `code` belongs to (now ± one step, later than `after`), or None."""
    code = _clean_code(code)
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // STEP_SECONDS
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def use_code(session: Session, doctor: Doctor, code: str, now: float) -> bool:
    """Accept a TOTP code for this doctor once: its step must be later than the last one used."""
    if not doctor.totp_secret:
        return False
    step = matching_step(doctor.totp_secret, code, now, after=doctor.totp_last_step)
    if step is None:
        return False
    claimed = session.execute(
        update(Doctor)
        .where(Doctor.id == doctor.id, (Doctor.totp_last_step.is_(None)) | (Doctor.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) != 1:
        return False
    set_committed_value(doctor, "totp_last_step", step)  # what the row now holds, without a second write
    return True


def _hash_recovery(code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def enrol(session: Session, doctor: Doctor, secret: str, code: str, now: float) -> list[str] | None:
    """Save the secret once `code` proves it, with fresh recovery codes (returned, shown once)."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    doctor.totp_secret = secret
    doctor.totp_last_step = step
    doctor.mfa_enrolled_at = datetime.fromtimestamp(now, UTC)
    return replace_recovery_codes(session, doctor.id)


def replace_recovery_codes(session: Session, doctor_id: int) -> list[str]:
    session.query(RecoveryCode).filter(RecoveryCode.doctor_id == doctor_id).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(doctor_id=doctor_id, code_hash=_hash_recovery(code)) for code in codes)
    return codes


def use_recovery_code(session: Session, doctor_id: int, code: str, now: float) -> bool:
    """Accept an unused recovery code once (two requests at once: only one wins)."""
    if not 8 <= len(code) <= 64:
        return False
    used = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.doctor_id == doctor_id, RecoveryCode.code_hash == _hash_recovery(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=datetime.fromtimestamp(now, UTC))
        .execution_options(synchronize_session=False)
    )
    return rows_changed(used) == 1


def recovery_codes_left(session: Session, doctor_id: int) -> int:
    return int(session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.doctor_id == doctor_id, RecoveryCode.used_at.is_(None))
    ) or 0)


def verify_second_factor(session: Session, doctor: Doctor, code: str, now: float) -> str | None:
    """'totp' or 'recovery' when `code` is a fresh TOTP code or an unused recovery code."""
    if use_code(session, doctor, code, now):
        return "totp"
    if len(_clean_code(code)) > 6 and use_recovery_code(session, doctor.id, code, now):
        return "recovery"
    return None


def reset(session: Session, doctor: Doctor) -> None:
    """Remove the second factor (the administrator's `flask reset-mfa`): enrol again at sign-in."""
    doctor.totp_secret = None
    doctor.totp_last_step = None
    doctor.mfa_enrolled_at = None
    session.query(RecoveryCode).filter(RecoveryCode.doctor_id == doctor.id).delete()
