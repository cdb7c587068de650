"""LDN pre-consultation screening: the application factory.

`create_app()` wires settings, the database, CSRF protection, the questionnaire (loaded
and validated once) and the blueprints. `flask --app screening ...` finds it by name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from .config import load_config
from .db import Database
from .extensions import init_extensions
from .questionnaire import QUESTIONNAIRE
from .questionnaire.display import date_in_words
from .rules.severity import RANK_WORDS

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# templates/ and static/ sit at the top of the repository, and a wheel cannot put them beside
# the package in site-packages, so pyproject.toml maps them into it (screening/templates,
# screening/static). A checkout (pyproject.toml and templates/ beside the package) serves its
# top-level folders, so edits show without reinstalling; an installed package serves its own
# copies and keeps instance/ in the working directory, not beside site-packages.
# tests/test_packaging.py runs a built wheel away from the checkout.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "templates").is_dir()
ASSETS_ROOT = PROJECT_ROOT if IN_CHECKOUT else PACKAGE_DIR


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    default_instance = (PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / "instance"
    instance_path = Path(os.environ.get("INSTANCE_PATH", default_instance)).absolute()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ASSETS_ROOT / "templates"),
        static_folder=str(ASSETS_ROOT / "static"),
    )
    app.config.update(load_config(instance_path))
    if config:
        app.config.update(config)

    init_extensions(app, Database(app.config["DATABASE_URL"]), QUESTIONNAIRE)
    app.jinja_env.globals["severity_words"] = RANK_WORDS
    app.jinja_env.filters["long_date"] = date_in_words

    from . import errors
    from .auth import init_auth
    from .cli import register_commands
    from .doctor import bp as doctor_bp
    from .limits import init_limits
    from .outbox.views import bp as outbox_bp
    from .patient import bp as patient_bp
    from .security import init_security

    init_auth(app)
    init_security(app)
    init_limits(app)
    app.register_blueprint(patient_bp)
    app.register_blueprint(doctor_bp)
    app.register_blueprint(outbox_bp)
    errors.register(app)
    register_commands(app)
    return app
