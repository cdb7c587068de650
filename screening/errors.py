"""Error pages: plain words, no stack traces, no SQL, the right status code."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

MESSAGES = {
    400: ("Something went wrong with that request", "Please go back and try again."),
    403: ("You cannot see this page", "If you think this is a mistake, contact the clinic."),
    404: ("Page not found", "Check the address, or open the link the clinic sent you again."),
    405: ("Something went wrong with that request", "Please go back and try again."),
    413: ("That was too much to send at once", "Please shorten your answers and try again."),
    429: ("Too many attempts", "Please wait a few minutes and try again."),
    500: ("Sorry, something went wrong on our side", "Your saved answers are safe. Please try again in a few minutes."),
}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        # A patient must never lose a page to an expired token: show it again, unsaved.
        if request.view_args and "page_id" in request.view_args:
            from .patient import page_not_saved

            shown = page_not_saved(request.endpoint, request.view_args["page_id"])
            if shown is not None:
                return shown
        return http_error(error)

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> ResponseReturnValue:
        # No page can be built for a host we do not serve: its URLs would point there.
        return "Bad request: this site does not answer to that host name.", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        title, advice = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
        return render_template("errors/error.html", title=title, advice=advice), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error")
        title, advice = MESSAGES[500]
        return render_template("errors/error.html", title=title, advice=advice), 500
