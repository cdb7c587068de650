"""The two reference apps the patient pages are compared with, served the same way.

* ``hello_app()``: a bare Flask route returning a short string, the ceiling of the stack
  (gunicorn + Flask + the load generator) on this machine.
* ``form_app()``: a minimal Flask + Flask-WTF page with 20 fields (7 text/number/date,
  6 radio, 2 select, 3 textarea, 1 checkbox, 1 decimal), CSRF on as Flask-WTF has it by
  default, rendered by a Jinja loop. GET renders it; POST validates it and inserts one
  row with SQLAlchemy into SQLite (WAL, synchronous=NORMAL, one Session per request),
  then redirects (Post/Redirect/Get, as the patient pages do).

gunicorn loads them as ``benchmarks.reference_apps:hello_app()`` and
``benchmarks.reference_apps:form_app()``; the form app's database file comes from
``REFERENCE_DATABASE`` (a temporary file by default).
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from typing import Any

from flask import Flask, redirect, render_template
from flask_wtf import FlaskForm
from jinja2 import DictLoader
from sqlalchemy import Date, Integer, Numeric, String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

SECRET = "reference-app-secret-key-0123456789abcdef"


def hello_app() -> Flask:
    app = Flask("reference_hello")

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    return app


def _choices(*codes: str) -> list[SelectChoice]:
    return [SelectChoice(code, code.replace("_", " ").capitalize()) for code in codes]


YES_NO = _choices("yes", "no")
FREQUENCY = _choices("never", "monthly", "weekly", "daily")


class ReferenceForm(FlaskForm):  # type: ignore[misc]
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=100)])
    email = StringField("Email", validators=[DataRequired(), Length(max=200)])
    phone = StringField("Phone", validators=[Optional(), Length(max=30)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    postcode = StringField("Postcode", validators=[Optional(), Length(max=10)])
    age = IntegerField("Age", validators=[InputRequired(), NumberRange(0, 120)])
    born = DateField("Date of birth", validators=[InputRequired()])
    smoker = RadioField("Do you smoke?", choices=YES_NO, validators=[InputRequired()])
    drinks = RadioField("Do you drink alcohol?", choices=YES_NO, validators=[InputRequired()])
    exercise = RadioField("How often do you exercise?", choices=FREQUENCY, validators=[InputRequired()])
    allergies = RadioField("Any allergies?", choices=YES_NO, validators=[InputRequired()])
    pregnant = RadioField("Could you be pregnant?", choices=YES_NO, validators=[InputRequired()])
    surgery = RadioField("Any surgery planned?", choices=YES_NO, validators=[InputRequired()])
    country = SelectField("Country", choices=_choices("uk", "us", "canada", "australia", "ireland", "new_zealand"))
    contact = SelectField("Contact by", choices=_choices("email", "phone", "post"))
    history = TextAreaField("Medical history", validators=[Optional(), Length(max=1000)])
    medicines = TextAreaField("Medicines", validators=[Optional(), Length(max=1000)])
    notes = TextAreaField("Anything else", validators=[Optional(), Length(max=1000)])
    consent = BooleanField("I agree", validators=[DataRequired()])
    weight = DecimalField("Weight (kg)", places=1, validators=[InputRequired(), NumberRange(1, 500)])


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reference form</title></head>
<body><main><h1>Reference form</h1>
<form method="post" novalidate>
{{ form.csrf_token }}
{% for field in form if field.name != 'csrf_token' %}
<div class="field">
  {{ field.label }}
  {{ field() }}
  {% for error in field.errors %}<p class="error">{{ error }}</p>{% endfor %}
</div>
{% endfor %}
<button type="submit">Send</button>
</form></main></body></html>"""

# The answers the load generator posts (a valid submission).
VALID_POST: list[tuple[str, str]] = [
    ("full_name", "Ada Lovelace"), ("email", "ada@example.org"), ("phone", "+44 20 7946 0000"),
    ("city", "London"), ("postcode", "N1 9GU"), ("age", "36"), ("born", "1989-12-10"),
    ("smoker", "no"), ("drinks", "yes"), ("exercise", "weekly"), ("allergies", "no"), ("pregnant", "no"),
    ("surgery", "no"), ("country", "uk"), ("contact", "email"), ("history", "Migraine since 2010."),
    ("medicines", "Sumatriptan 50 mg as needed"), ("notes", "None."), ("consent", "y"), ("weight", "61.5"),
]


class Base(DeclarativeBase):
    pass


class Answer(Base):
    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    city: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    age: Mapped[int]
    born: Mapped[date] = mapped_column(Date)
    smoker: Mapped[str] = mapped_column(String(8))
    drinks: Mapped[str] = mapped_column(String(8))
    exercise: Mapped[str] = mapped_column(String(8))
    allergies: Mapped[str] = mapped_column(String(8))
    pregnant: Mapped[str] = mapped_column(String(8))
    surgery: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(16))
    contact: Mapped[str] = mapped_column(String(16))
    history: Mapped[str | None] = mapped_column(Text)
    medicines: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[bool]
    weight: Mapped[Any] = mapped_column(Numeric(5, 1))


def _sqlite_engine(path: str) -> Any:
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def form_app(database: str | None = None) -> Flask:
    path = database or os.environ.get("REFERENCE_DATABASE") or os.path.join(tempfile.mkdtemp(), "reference.sqlite3")
    engine = _sqlite_engine(path)
    Base.metadata.create_all(engine)
    app = Flask("reference_form")
    app.config.update(SECRET_KEY=SECRET, WTF_CSRF_TIME_LIMIT=None)
    app.jinja_loader = DictLoader({"form.html": TEMPLATE})  # compiled once, cached like a file

    @app.route("/form", methods=["GET", "POST"])
    def form() -> Any:
        page = ReferenceForm()
        if page.validate_on_submit():
            row = Answer()
            page.populate_obj(row)
            with Session(engine) as session, session.begin():
                session.add(row)
            return redirect("/form")
        return render_template("form.html", form=page)

    return app



def reference_servers(workdir: Any) -> tuple[Any, Any]:
    """The two reference apps as gunicorn servers (context managers), same settings as the product."""
    from .http_load import Server

    hello = Server("benchmarks.reference_apps:hello_app()", {}, workdir / "gunicorn-hello.log", "/hello")
    env = {"REFERENCE_DATABASE": str(workdir / "reference.sqlite3")}
    form = Server("benchmarks.reference_apps:form_app()", env, workdir / "gunicorn-form.log", "/form")
    return hello, form


def hello_scenarios(connections: int) -> list[dict[str, Any]]:
    return [{"kind": "get", "path": "/hello"} for _ in range(connections)]


def form_get_scenarios(connections: int) -> list[dict[str, Any]]:
    return [{"kind": "get", "path": "/form"} for _ in range(connections)]


def form_post_scenarios(connections: int) -> list[dict[str, Any]]:
    return [{"kind": "form_post", "path": "/form", "fields": VALID_POST} for _ in range(connections)]
