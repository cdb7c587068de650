"""Small helpers the doctor views share: the audit trail, the acting doctor, query parameters.

Query parameters are read through these helpers only: dates within a sane range, page
numbers as plain ASCII digits, and for the links a page builds back to itself only the
parameters that page knows (never `endpoint`, `_external` or anything else `url_for` would
act on).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from flask import Response, abort, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import record_audit

T = TypeVar("T")


def or_404(found: T | None) -> T:
    """What a service found, or a 404 page when it found nothing."""
    if found is None:
        abort(404)
    return found


def doctor_id() -> int:
    return int(current_user.id)


def audit(session: Session, action: str, target: str | None = None, **details: Any) -> None:
    record_audit(session, f"doctor:{current_user.id}", action, target=target,
                 remote_addr=request.remote_addr, **details)


def audit_access(action: str, target: str, **details: Any) -> None:
    """Records that a doctor saw or exported something, in its own short transaction.

    Views read and render in a read transaction and call this before returning what they
    built: nothing reaches the doctor unless its audit event is committed, and no write
    lock is held while a page renders (on SQLite it would block every patient's save).
    """
    with db().write() as session:
        audit(session, action, target=target, **details)


# Filter dates outside this range mean nothing here, and at the edges of what Python and
# the databases hold (9999-12-31 plus a day) they would fail: they are ignored instead.
EARLIEST_FILTER_DATE = date(1900, 1, 1)
LATEST_FILTER_DATE = date(2199, 12, 31)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PAGE = re.compile(r"[0-9]{1,6}")
MAX_PAGE = 100_000


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query parameter from 1900 to 2199, or None when absent, not a date or
    out of that range (filters ignore it)."""
    value = request.args.get(name, "")
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_FILTER_DATE <= day <= LATEST_FILTER_DATE else None


def page_arg(name: str = "page") -> int:
    """A page number (?page=): 1 to MAX_PAGE in ASCII digits, else 1."""
    value = request.args.get(name, "1")
    return min(int(value), MAX_PAGE) if _PAGE.fullmatch(value) and int(value) > 0 else 1


def known_args(names: Iterable[str]) -> dict[str, str]:
    """The query parameters a page's own links carry over (its filters), and nothing else:
    whatever else the query string holds never reaches `url_for`."""
    return {name: request.args[name] for name in names if name in request.args}


def json_download(document: Any, filename: str) -> Response:
    """A JSON document as a file to save (exports)."""
    return Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
