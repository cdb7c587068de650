"""How typed text and numbers are read (questionnaire.md "Typing numbers", "Typing text").

One reading for every way an answer arrives: the page forms (screening/forms) and the
JSON answers of `evaluate` (answers.py) both call these functions, so what is stored,
what the doctor sees and what the rules read are the same text.

- :func:`clean_text`: Unicode NFC, with invisible format characters (Unicode category
  Cf: soft hyphen, zero-width characters, word joiner, bidirectional controls, byte-order
  mark …) removed. Look-alike letters from other scripts are kept: the patient typed
  them, and the medicine classifier maps them when it reads a name.
- :func:`has_control_characters`: text a person cannot have meant (refused, not removed).
- :func:`read_number`: ASCII digits with at most one decimal point, optionally followed
  by the question's own unit. Nothing is guessed: a comma, a space or a dot that could
  separate thousands, other digits than 0-9, another unit and a value out of range are
  refused, each with its own :data:`NumberProblem` so the form can say what to type.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

# Line breaks and tabs are ordinary typing; every other control character (Unicode Cc,
# C0, DEL and C1) is refused, as is U+FFFD, what invalid UTF-8 in a request decodes to.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_REPLACEMENT_CHARACTER = "\ufffd"

NumberProblem = Literal[
    "not_a_number",  # no digits, a sign, an exponent, letters mixed with digits …
    "not_whole",  # a decimal point in a whole-number question
    "other_digits",  # digits of another script (Arabic-Indic, fullwidth …), never converted
    "commas_or_spaces",  # "1,200", "1 200", "7 8", "0,8": a comma is never guessed
    "thousands_or_decimal",  # "1.200": 1200 with a dot between thousands, or 1.2?
    "wrong_unit",  # a unit that is not the question's own
    "no_unit_here",  # a unit typed for a question that has none
    "out_of_range",  # refused, never clamped
]

_NUMBER = re.compile(r"\A(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
# One to three digits (not starting with 0), a dot, then exactly three: "1.200", "12.500".
# In much of Europe the dot separates thousands, so these have two readings.
_TWO_READINGS = re.compile(r"\A[1-9][0-9]{0,2}\.[0-9]{3}\Z")
# Where the number ends and a unit begins: digits, points, commas and spaces come first.
_NUMBER_PART = re.compile(r"\A[0-9.,\s]*")
# Longer than any number a question's range allows with its decimals; also keeps int()
# far from Python's limit on the digits it converts.
MAX_NUMBER_CHARACTERS = 40


class ReadingError(ValueError):
    """Typed text that cannot be read as an answer.

    `problem` says what is wrong (the form turns it into words for the patient); `readings`
    holds the two numbers a "thousands_or_decimal" text could mean, as digits ("1200",
    "1.2"). The message is for logs and developers.
    """

    def __init__(self, problem: NumberProblem, message: str, readings: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.problem: NumberProblem = problem
        self.readings = readings


def is_invisible(ch: str) -> bool:
    """An invisible format character (Unicode category Cf), removed from typed text."""
    return unicodedata.category(ch) == "Cf"


def clean_text(text: str) -> str:
    """Typed text as stored: invisible format characters removed, then Unicode NFC.

    Control characters are not touched here (see :func:`has_control_characters`), nor is
    surrounding space (the forms strip it; JSON answers keep it).
    """
    if text.isascii():  # no format characters, and already NFC: most answers stop here
        return text
    visible = "".join(ch for ch in text if not is_invisible(ch))
    return unicodedata.normalize("NFC", visible)


def has_control_characters(text: str) -> bool:
    """True when the text holds a control character other than a tab or a line break."""
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS) or ch == _REPLACEMENT_CHARACTER
        for ch in text
    )


def _squashed(unit: str) -> str:
    """A unit compared case-insensitively and ignoring spaces: "U/L" = "u / l"."""
    return "".join(unit.split()).casefold()


def read_number(
    text: str, *, unit: str | None, integer: bool, low: float | None = None, high: float | None = None,
) -> float | int:
    """The number typed in `text` (an int when `integer`), or ReadingError.

    `unit` is the question's own (definition.yaml), which may follow the number and is
    dropped; `low` and `high`, when given, bound the value. Invisible format characters
    are removed first (a patient cannot see them); nothing else is changed or guessed.
    """
    typed = clean_text(text).strip()
    if any(ch.isdecimal() and not ch.isascii() for ch in typed):
        raise ReadingError("other_digits", f"{typed!r}: digits other than 0-9")
    if len(typed) > MAX_NUMBER_CHARACTERS:
        problem: NumberProblem = "out_of_range" if _NUMBER.match(typed) else "not_a_number"
        raise ReadingError(problem, f"{typed[:MAX_NUMBER_CHARACTERS]!r}…: too long")
    number_part = _NUMBER_PART.match(typed)
    assert number_part is not None  # the pattern matches the empty string
    number, after = number_part.group().strip(), typed[number_part.end():].strip()
    if not any(ch.isdigit() for ch in number) or any(ch.isdigit() for ch in after):
        raise ReadingError("not_a_number", f"{typed!r}: not a number")
    if after:
        if unit is None:
            raise ReadingError("no_unit_here", f"{typed!r}: this question takes no unit")
        if _squashed(after) != _squashed(unit):
            raise ReadingError("wrong_unit", f"{typed!r}: the unit is not {unit}")
    if "," in number or any(ch.isspace() for ch in number) or number.count(".") > 1:
        raise ReadingError("commas_or_spaces", f"{typed!r}: a comma, space or second point in the number")
    if _TWO_READINGS.match(number):
        whole, decimal = number.replace(".", ""), number.rstrip("0").rstrip(".")
        raise ReadingError("thousands_or_decimal", f"{typed!r}: {whole} or {decimal}?", (whole, decimal))
    if not _NUMBER.match(number):
        raise ReadingError("not_a_number", f"{typed!r}: not a number")
    if integer and "." in number:
        raise ReadingError("not_whole", f"{typed!r}: not a whole number")
    value: float | int = int(number) if integer else float(number)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ReadingError("out_of_range", f"{typed!r}: outside {low}..{high}")
    return value
