"""The patient journeys over HTTP: the screening (invitation link, pages, check answers,
submit) and the follow-up check-ins, which share its page patterns (journey.py).

Views only translate between HTTP and the services (responses, navigation, forms);
no clinical logic lives here.
"""

from flask import Blueprint
from flask.typing import ResponseReturnValue

from .contact import contact_parts

bp = Blueprint("patient", __name__)
# Contact settings as text and links, for the `contact_text` macro (templates/macros/fields.html).
bp.add_app_template_filter(contact_parts, "contact_parts")

from . import checkin_views, views  # noqa: E402  (registers the routes on bp)


def page_not_saved(endpoint: str | None, page_id: str) -> ResponseReturnValue | None:
    """A question page of either journey shown again, unsaved, with what was posted (after a
    failed CSRF check: a patient must never lose a page); None for any other endpoint."""
    shown = {"patient.page": views.page_not_saved, "patient.checkin_page": checkin_views.page_not_saved}.get(
        endpoint or "")
    return shown(page_id) if shown is not None else None
