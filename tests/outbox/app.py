"""The app as the outbox's subprocess tests run it: `flask --app tests.outbox.app:create`.

Exactly `flask --app screening` (settings from the environment, MAIL_URL included), with the
test composer in place of the real one, so a sender process is driven like an in-process one.
"""

from __future__ import annotations

from flask import Flask

from screening import create_app
from tests.outbox.composer import install


def create() -> Flask:
    install()
    return create_app()
