"""The forms of the check-in pages: mark one reviewed, mark a selection reviewed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField
from wtforms.validators import InputRequired

from .checkin_list import MAX_BULK

_ID = re.compile(r"[0-9]{1,12}")


class IdList(Field):
    """Every value posted under the field's name that is a check-in ID (ASCII digits), at
    most MAX_BULK of them; anything else is ignored (a checkbox list has no other values)."""

    data: list[int]

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        self.data = [int(value) for value in valuelist if isinstance(value, str) and _ID.fullmatch(value)][:MAX_BULK]

    def _value(self) -> str:
        return ""


class CheckinReviewForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    version = IntegerField("version", validators=[InputRequired()])


class BulkReviewForm(FlaskForm):  # type: ignore[misc]  # flask-wtf ships no types: FlaskForm is Any
    checkin = IdList("Check-ins", default=list)
