"""The summary shows the text the rules read (questionnaire.md "Typing text"): a medicine
name or an answer typed with hidden characters reaches the doctor, and the rules, clean.
Look-alike letters are kept as the patient typed them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from screening.models import QuestionnaireResponse
from tests.hidden_characters import TRICKS
from tests.patient.pages import TYPICAL_PAGES

CYRILLIC_O = "\u041e"  # looks like a Latin "O"
CYRILLIC_ENTRY = {
    "takes_medications": "yes",
    "medications": [{"name": f"{CYRILLIC_O}xycodone 10mg", "how_often": "daily", "last_taken": None}],
}


def hidden(html: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in html if unicodedata.category(ch) == "Cf"]


def medicines_table(html: str) -> str:
    return html.split('id="medicines-heading"')[1].split("</table>")[0]


def flag_card(html: str, rule_id: str) -> str:
    return html.split(f'id="flag-{rule_id}"')[1].split("</article>")[0]


def submitted_through_the_form(app, patient, medicine: str, goal: str) -> int:
    """The patient types the medicine and the goal on the real pages and submits."""
    pages = {
        **TYPICAL_PAGES,
        "reasons": {**TYPICAL_PAGES["reasons"], "main_goal": goal},
        "medicines_list": {"medications": [
            *TYPICAL_PAGES["medicines_list"]["medications"], {"name": medicine, "how_often": "daily"},
        ]},
    }
    patient.fill(pages)
    assert patient.submit().headers["Location"] == "/questionnaire/done"
    with app.extensions["db"].read() as session:
        return session.scalars(select(QuestionnaireResponse.id)).one()


@pytest.mark.parametrize("typed", [typed for _, typed in TRICKS], ids=[name for name, _ in TRICKS])
def test_the_summary_shows_the_clean_name_the_rules_read(app, patient, doctor, typed):
    response_id = submitted_through_the_form(app, patient, f"{typed} 10mg", f"Stop taking {typed}")
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    assert hidden(html) == []
    row = re.search(r"<tr[^>]*>\s*<td data-label=\"As written\">Oxycodone 10mg</td>(.*?)</tr>",
                    medicines_table(html), re.S)
    assert row, "the medicine is listed as the rules read it"
    assert "short-acting opioid" in row.group(1)
    opi01 = flag_card(html, "OPI-01")  # a current opioid: found, not hidden
    assert "Oxycodone 10mg (read as short-acting opioid; “Every day”)" in opi01
    assert "Stop taking Oxycodone" in html.split('id="answers-heading"')[1]


def test_a_cyrillic_letter_is_shown_as_stored(app, doctor, submit):
    """Look-alike letters are not rewritten in the stored text (the form keeps them:
    tests/patient/test_typing_text.py): the doctor sees exactly what was stored. No
    separate look-alike warning exists on the summary today."""
    name = f"{CYRILLIC_O}xycodone 10mg"
    response_id = submit("PT-CYR", CYRILLIC_ENTRY, date.today() + timedelta(days=7))
    with app.extensions["db"].read() as session:
        assert session.get_one(QuestionnaireResponse, response_id).answers["medications"][0]["name"] == name
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    assert f'<td data-label="As written">{name}</td>' in medicines_table(html)


# DEPENDS ON THE CLASSIFIER WORK (rules.md "Reading what patients type": look-alike letters
# from other scripts are mapped to Latin when a name is classified). Expected to FAIL until
# screening/medications maps confusables; it is neither skipped nor xfailed on purpose, so
# that it is run after integration.
def test_a_cyrillic_o_in_a_current_opioid_raises_opi01(doctor, submit):
    response_id = submit("PT-CYR", CYRILLIC_ENTRY, date.today() + timedelta(days=7))
    html = doctor.get(f"/doctor/submissions/{response_id}").get_data(as_text=True)
    assert 'id="flag-OPI-01"' in html
    # the evidence names the entry as the patient typed it
    assert f"{CYRILLIC_O}xycodone 10mg (read as short-acting opioid; “Every day”)" in flag_card(html, "OPI-01")
