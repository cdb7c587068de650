"""The application's shared services, typed: database, questionnaires (the screening's and
the check-in's) and their page forms, mail settings, CSRF.

`create_app()` installs them once; views, commands and services read them through these
accessors, never through `current_app.extensions[...]` by string, so every caller gets a
typed object and there is one place that knows where each service lives.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_wtf.csrf import CSRFProtect

from .db import Database
from .forms import PageForms
from .outbox.settings import MailSettings
from .questionnaire import CHECKIN_QUESTIONNAIRE
from .questionnaire.model import Questionnaire

csrf = CSRFProtect()

_DB, _QUESTIONNAIRE, _PAGE_FORMS, _MAIL = "db", "questionnaire", "page_forms", "mail"
_CHECKIN, _CHECKIN_PAGE_FORMS = "checkin_questionnaire", "checkin_page_forms"


def init_extensions(
    app: Flask, database: Database, questionnaire: Questionnaire, checkin: Questionnaire = CHECKIN_QUESTIONNAIRE,
) -> None:
    app.extensions[_DB] = database
    app.extensions[_QUESTIONNAIRE] = questionnaire
    app.extensions[_PAGE_FORMS] = PageForms(questionnaire)
    app.extensions[_CHECKIN] = checkin
    app.extensions[_CHECKIN_PAGE_FORMS] = PageForms(checkin)  # a bad check-in definition stops the start too
    app.extensions[_MAIL] = MailSettings.from_config(app.config)  # a bad MAIL_URL stops the start
    csrf.init_app(app)


def db() -> Database:
    database: Database = current_app.extensions[_DB]
    return database


def questionnaire() -> Questionnaire:
    definition: Questionnaire = current_app.extensions[_QUESTIONNAIRE]
    return definition


def page_forms() -> PageForms:
    forms: PageForms = current_app.extensions[_PAGE_FORMS]
    return forms


def checkin_questionnaire() -> Questionnaire:
    """The follow-up check-in's definition (checkin.yaml)."""
    definition: Questionnaire = current_app.extensions[_CHECKIN]
    return definition


def checkin_page_forms() -> PageForms:
    forms: PageForms = current_app.extensions[_CHECKIN_PAGE_FORMS]
    return forms


def mail() -> MailSettings:
    settings: MailSettings = current_app.extensions[_MAIL]
    return settings
