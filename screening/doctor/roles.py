"""Who may open each doctor page: every view declares it, the blueprint guard enforces it.

`@role("clinician")` or `@role("admin")` (or `@role("public")` for the sign-in pages)
records the level on the view function. The guard in `screening.doctor` reads it before
every request of the blueprint and refuses a route that declares nothing (403), and
`check_declared` refuses to start an app that has such a route; `tests/security/
test_roles.py` walks the URL map against its own table.

- `clinician`: the queue, summaries, decisions, invitations, their own password.
- `admin`: everything a clinician does, and accounts, the audit trail, patient data
  export and erasure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask.sansio.app import App

PUBLIC = "public"
CLINICIAN = "clinician"
ADMIN = "admin"
ROLES = (CLINICIAN, ADMIN)  # what an account can be, least first
LEVELS = (PUBLIC, *ROLES)
ROLE_ATTRIBUTE = "required_role"

View = TypeVar("View", bound=Callable[..., Any])


def role(level: str) -> Callable[[View], View]:
    """Declares who may open this view (the outermost decorator after the route)."""
    if level not in LEVELS:
        raise ValueError(f"unknown role {level!r}; one of {', '.join(LEVELS)}")

    def declare(view: View) -> View:
        setattr(view, ROLE_ATTRIBUTE, level)
        return view

    return declare


def declared_role(view: Callable[..., Any] | None) -> str | None:
    level = getattr(view, ROLE_ATTRIBUTE, None)
    return level if level in LEVELS else None


def allows(account_role: str, level: str) -> bool:
    """Whether an account with `account_role` may open a view declared `level`."""
    if level == PUBLIC:
        return True
    return account_role in ROLES and ROLES.index(account_role) >= ROLES.index(level)


def check_declared(app: App, blueprint: str = "doctor") -> None:
    """Refuse to start when a route of the blueprint declares no role."""
    missing = sorted(
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint.startswith(blueprint + ".") and declared_role(view) is None
    )
    if missing:
        raise RuntimeError(f"doctor routes without a declared role: {', '.join(missing)}")
