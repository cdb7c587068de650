"""`reauth_required`: the doctor proved who they are within the last ten minutes, or does so now.

Put on views that export all data, erase data or change roles. A stale session is sent
to the re-auth page (password or a second-factor code) and comes back: a GET to the same
address, a POST to the page its form was on (the form is then sent again by the doctor).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for

from ..auth import recently_authenticated

View = TypeVar("View", bound=Callable[..., Any])
CONFIRM_FIRST = "For your security, confirm it is you before you do this."


def _come_back_to() -> str:
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/doctor/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("doctor.queue")


def reauth_required(view: View) -> View:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if recently_authenticated():
            return view(*args, **kwargs)
        flash(CONFIRM_FIRST)
        return redirect(url_for("doctor.reauth", next=_come_back_to()))

    return cast(View, wrapper)
