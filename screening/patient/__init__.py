"""The patient journey over HTTP: invitation link, pages, check answers, submit.

Views only translate between HTTP and the services (responses, navigation, forms);
no clinical logic lives here.
"""

from flask import Blueprint

bp = Blueprint("patient", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
