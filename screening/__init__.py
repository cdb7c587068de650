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
from .rules.severity import RANK_WORDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    instance_path = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(instance_path))
    if config:
        app.config.update(config)

    init_extensions(app, Database(app.config["DATABASE_URL"]), QUESTIONNAIRE)
    app.jinja_env.globals["severity_words"] = RANK_WORDS

    from . import errors
    from .auth import init_auth
    from .cli import register_commands
    from .doctor import bp as doctor_bp
    from .limits import init_limits
    from .patient import bp as patient_bp
    from .security import init_security

    init_auth(app)
    init_security(app)
    init_limits(app)
    app.register_blueprint(patient_bp)
    app.register_blueprint(doctor_bp)
    errors.register(app)
    register_commands(app)
    return app
