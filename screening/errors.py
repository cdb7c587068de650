"""Error pages: plain words, no stack traces, no SQL, the right status code."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

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
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        title, advice = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
        return render_template("errors/error.html", title=title, advice=advice), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("unhandled error")
        title, advice = MESSAGES[500]
        return render_template("errors/error.html", title=title, advice=advice), 500
