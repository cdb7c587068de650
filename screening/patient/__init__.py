"""The patient journey over HTTP: invitation link, pages, check answers, submit.

Views only translate between HTTP and the services (responses, navigation, forms);
no clinical logic lives here.
"""

from flask import Blueprint

from .contact import contact_parts

bp = Blueprint("patient", __name__)
# Contact settings as text and links, for the `contact_text` macro (templates/macros/fields.html).
bp.add_app_template_filter(contact_parts, "contact_parts")

from . import views  # noqa: E402,F401  (registers the routes on bp)
