"""Contact text as plain text and links (screening/patient/contact.py), case by case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening.config import DEFAULT_CRISIS_CONTACT
from screening.patient.contact import ContactPart, contact_parts

P = ContactPart

CASES: list[tuple[str, str, tuple[ContactPart, ...]]] = [
    ("UK Samaritans", "Call Samaritans on 116 123.",
     (P("Call Samaritans on "), P("116 123", "tel:116123"), P("."))),
    ("Australia Lifeline", "Lifeline 13 11 14, or 000", (
        P("Lifeline "), P("13 11 14", "tel:131114"), P(", or "), P("000", "tel:000"))),
    ("international", "+44 20 7946 0000", (P("+44 20 7946 0000", "tel:+442079460000"),)),
    ("area code in brackets", "call (02) 9999 9999 today", (
        P("call "), P("(02) 9999 9999", "tel:0299999999"), P(" today"))),
    ("hyphens", "1-800-273-8255", (P("1-800-273-8255", "tel:18002738255"),)),
    ("two numbers", "999 or 112", (P("999", "tel:999"), P(" or "), P("112", "tel:112"))),
    ("email", "Write to reception@clinic.example.", (
        P("Write to "), P("reception@clinic.example", "mailto:reception@clinic.example"), P("."))),
    ("phone and email", "020 7946 0000, reception@clinic.example", (
        P("020 7946 0000", "tel:02079460000"), P(", "),
        P("reception@clinic.example", "mailto:reception@clinic.example"))),
    ("too few digits stay text", "open 24/7, 1 in 5", (P("open 24/7, 1 in 5"),)),
    ("too many digits stay text", "1234567890123456", (P("1234567890123456"),)),
    ("no number inside a word", "ward B12345 or A1-234", (P("ward B12345 or A1-234"),)),
    ("other scripts' digits are not dialled", "٩٩٩ or ９９９", (P("٩٩٩ or ９９９"),)),
    ("markup is only text", "<a href='javascript:alert(1)'>999</a>", (
        P("<a href='javascript:alert(1)'>"), P("999", "tel:999"), P("</a>"))),
    ("a link address is never copied from the text", "tel:999;javascript:x", (
        P("tel:"), P("999", "tel:999"), P(";javascript:x"))),
    ("empty", "", ()),
]


@pytest.mark.parametrize(("text", "expected"), [(text, expected) for _, text, expected in CASES],
                         ids=[name for name, _, _ in CASES])
def test_contact_parts(text: str, expected: tuple[ContactPart, ...]) -> None:
    parts = contact_parts(text)
    assert parts == expected
    assert "".join(part.text for part in parts) == text  # nothing lost, nothing added


def test_not_text_is_nothing() -> None:
    assert contact_parts(None) == ()


def test_every_number_of_the_default_crisis_text_is_a_link() -> None:
    dialled = [part.href for part in contact_parts(DEFAULT_CRISIS_CONTACT) if part.href]
    assert dialled == ["tel:999", "tel:112", "tel:911", "tel:000", "tel:111", "tel:988", "tel:116123",
                       "tel:131114", "tel:1737"]


DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
EXAMPLE_ROW = re.compile(r"^\| (UK|Ireland|Australia|New Zealand|Canada|US) \| `([^`]+)` \|$", re.M)
EXPECTED_LINES = {
    "UK": {"tel:999", "tel:116123", "tel:111"}, "Ireland": {"tel:112", "tel:999", "tel:116123"},
    "Australia": {"tel:000", "tel:131114"}, "New Zealand": {"tel:111", "tel:1737"},
    "Canada": {"tel:911", "tel:988"}, "US": {"tel:911", "tel:988"},
}


def test_the_documented_crisis_examples_link_their_numbers() -> None:
    examples = dict(EXAMPLE_ROW.findall(DEPLOYMENT.read_text(encoding="utf-8")))
    assert set(examples) == set(EXPECTED_LINES)
    for country, text in examples.items():
        links = {part.href for part in contact_parts(text) if part.href}
        assert EXPECTED_LINES[country] <= links, (country, links)
