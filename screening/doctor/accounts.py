"""Doctor accounts as services: create, set a password, change a role, disable, list.

Every password that is set goes through `screening.doctor.password_policy`. The first
account ever created is an admin whatever was asked; the last active admin can be neither
demoted nor disabled (the clinic would have nobody to manage accounts).
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth import HASHER, hash_password, normalise_email
from ..models import Doctor
from .password_policy import password_problem
from .roles import ADMIN, ROLES


class AccountError(ValueError):
    """What the command or page tells the person: the message is fit to show."""


def set_password(doctor: Doctor, password: str) -> None:
    problem = password_problem(password, doctor.email)
    if problem:
        raise AccountError(problem)
    doctor.password_hash = hash_password(password)


def create_account(session: Session, email: str, password: str, role: str) -> Doctor:
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise AccountError("must be an email address")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    if session.scalar(select(Doctor).where(Doctor.email == address)):
        raise AccountError(f"{address} already has an account")
    first = not session.scalar(select(func.count()).select_from(Doctor))
    doctor = Doctor(email=address, password_hash="", session_version=0, role=ADMIN if first else role)
    set_password(doctor, password)
    session.add(doctor)
    session.flush()
    return doctor


def change_own_password(session: Session, doctor_id: int, current: str, new: str) -> Doctor:
    """The password change page: the current password first, then the policy."""
    doctor = session.get(Doctor, doctor_id)
    if doctor is None:
        raise AccountError("This account no longer exists")
    try:
        HASHER.verify(doctor.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("Your current password is not right") from None
    if new == current:
        raise AccountError("Choose a password different from the current one")
    set_password(doctor, new)
    doctor.session_version += 1  # every other session of this account ends
    return doctor


def _active_admins(session: Session) -> int:
    return int(session.scalar(
        select(func.count()).select_from(Doctor).where(Doctor.role == ADMIN, Doctor.active.is_(True))) or 0)


def _would_leave_no_admin(session: Session, doctor: Doctor) -> bool:
    return doctor.role == ADMIN and doctor.active and _active_admins(session) <= 1


def set_role(session: Session, doctor: Doctor, role: str) -> None:
    if role not in ROLES:
        raise AccountError("Choose clinician or admin")
    if role != ADMIN and _would_leave_no_admin(session, doctor):
        raise AccountError("This is the last active admin: make another account admin first")
    doctor.role = role


def set_active(session: Session, doctor: Doctor, active: bool) -> None:
    if not active and _would_leave_no_admin(session, doctor):
        raise AccountError("This is the last active admin: make another account admin first")
    doctor.active = active
    if not active:
        doctor.session_version += 1  # its sessions end at once


def list_accounts(session: Session) -> Sequence[Doctor]:
    return session.scalars(select(Doctor).order_by(Doctor.email)).all()


def find_account(session: Session, email: str) -> Doctor:
    doctor = session.scalar(select(Doctor).where(Doctor.email == normalise_email(email)))
    if doctor is None:
        raise AccountError(f"no account for {email}")
    return doctor
