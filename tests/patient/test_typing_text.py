"""questionnaire.md "Typing text", through the page forms: every free-text answer (text
questions and medicine names) is stored after Unicode NFC normalisation, with invisible
format characters removed and control characters refused; the check page shows the text
as stored. Look-alike letters from other scripts are kept as typed.

The pure reading (screening/questionnaire/reading.py) is tested at the bottom.
"""

from __future__ import annotations

import unicodedata

import pytest

from screening.questionnaire.reading import clean_text, has_control_characters
from tests.hidden_characters import TRICK_IDS, TRICKS
from tests.patient.pages import TYPICAL_PAGES, typical_until


def typical_from(page_id: str) -> dict[str, dict]:
    """The typical answers for `page_id` and every page after it."""
    pages = list(TYPICAL_PAGES)
    return {page: TYPICAL_PAGES[page] for page in pages[pages.index(page_id):]}


def hidden(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cf"]


def save_medicine(patient, name: str):
    patient.fill(typical_until("medicines_list"))
    return patient.post_page("medicines_list", {"medications": [{"name": name, "how_often": "daily"}]})


def save_goal(patient, goal: str):
    patient.fill(typical_until("reasons"))
    return patient.post_page("reasons", {**TYPICAL_PAGES["reasons"], "main_goal": goal})


@pytest.mark.parametrize("typed", [typed for _, typed in TRICKS], ids=TRICK_IDS)
def test_a_medicine_name_is_saved_and_shown_without_hidden_characters(patient, app, typed):
    assert save_medicine(patient, f"{typed} 10mg").status_code == 302
    assert [m["name"] for m in patient.saved_answers(app)["medications"]] == ["Oxycodone 10mg"]
    patient.fill(typical_from("opioids_recent"))
    check = patient.get("/questionnaire/check").get_data(as_text=True)
    assert "Oxycodone 10mg: Every day" in check
    assert hidden(check) == []
    assert 'value="Oxycodone 10mg"' in patient.page("medicines_list").get_data(as_text=True)


@pytest.mark.parametrize("typed", [typed for _, typed in TRICKS], ids=TRICK_IDS)
def test_a_text_answer_is_saved_and_shown_without_hidden_characters(patient, app, typed):
    assert save_goal(patient, f"Stop taking {typed}").status_code == 302
    assert patient.saved_answers(app)["main_goal"] == "Stop taking Oxycodone"
    patient.fill(typical_from("medicines"))
    check = patient.get("/questionnaire/check").get_data(as_text=True)
    assert "Stop taking Oxycodone" in check
    assert hidden(check) == []


def test_text_is_stored_in_nfc(patient, app):
    decomposed = "Cafe\u0301 au lait, nai\u0308ve"  # e + combining acute, i + combining diaeresis
    assert save_goal(patient, decomposed).status_code == 302
    assert patient.saved_answers(app)["main_goal"] == "Caf\u00e9 au lait, na\u00efve"


def test_a_medicine_name_is_stored_in_nfc(patient, app):
    assert save_medicine(patient, "Ibuprofe\u0300ne").status_code == 302
    assert patient.saved_answers(app)["medications"][0]["name"] == "Ibuprof\u00e8ne"


def test_look_alike_letters_are_kept_as_typed(patient, app):
    cyrillic = "\u041exycodone 10mg"  # a Cyrillic capital O: the classifier maps it, the text keeps it
    assert save_medicine(patient, cyrillic).status_code == 302
    assert patient.saved_answers(app)["medications"][0]["name"] == cyrillic


def test_the_length_limit_counts_the_text_as_stored(patient, app):
    goal = "a" * 250 + "\u00ad" * 20 + "a" * 250  # 500 characters once the soft hyphens go
    assert save_goal(patient, goal).status_code == 302
    assert patient.saved_answers(app)["main_goal"] == "a" * 500


def test_an_answer_of_only_hidden_characters_is_no_answer(patient, app):
    assert save_goal(patient, "\u200b\u00ad\ufeff").status_code == 302
    assert "main_goal" not in patient.saved_answers(app)  # as if the optional question were left blank


@pytest.mark.parametrize("typed", ["   ", "\u200b", "\u00ad \ufeff"], ids=["spaces", "zero-width space", "mixed"])
def test_a_required_text_needs_something_visible(patient, app, typed):
    patient.fill(typical_until("reasons"))
    patient.fill({"reasons": {**TYPICAL_PAGES["reasons"], "conditions": ["other"]}})
    response = patient.post_page("reasons_other", {"conditions_other": typed})
    assert response.status_code == 200
    assert "Tell us what else you would like help with: Enter your answer" in response.get_data(as_text=True)
    assert "conditions_other" not in patient.saved_answers(app)


CONTROLS = [("NUL", "\x00"), ("bell", "\x07"), ("escape", "\x1b"), ("delete", "\x7f"),
            ("next line (C1)", "\x85"), ("CSI (C1)", "\x9b"), ("invalid UTF-8 decoded", "\ufffd")]


@pytest.mark.parametrize("control", [c for _, c in CONTROLS], ids=[name for name, _ in CONTROLS])
def test_control_characters_are_still_refused_in_text(patient, app, control):
    response = save_goal(patient, f"hello{control}world")
    assert response.status_code == 200
    assert "Remove the unusual characters from your answer" in response.get_data(as_text=True)
    assert "main_goal" not in patient.saved_answers(app)


@pytest.mark.parametrize("control", [c for _, c in CONTROLS], ids=[name for name, _ in CONTROLS])
def test_control_characters_are_still_refused_in_medicine_names(patient, app, control):
    response = save_medicine(patient, f"Oxy{control}codone")
    assert response.status_code == 200
    assert "Remove the unusual characters from your answer" in response.get_data(as_text=True)
    assert "medications" not in patient.saved_answers(app)


def test_line_breaks_and_tabs_are_ordinary_typing(patient, app):
    assert save_goal(patient, "Walk my dog\r\nSleep\tbetter").status_code == 302
    assert patient.saved_answers(app)["main_goal"] == "Walk my dog\r\nSleep\tbetter"


# --- reading.clean_text alone --------------------------------------------------------------

# Every character questionnaire.md and the brief name, and other Unicode format characters.
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f",
             "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
             "\u061c", "\u180e", "\u2061", "\u2064", "\ufff9", "\U000e0001", "\U000e0041"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(ch):04X}" for ch in INVISIBLE])
def test_clean_text_removes_each_invisible_format_character(ch):
    assert unicodedata.category(ch) == "Cf"
    assert clean_text(f"Oxy{ch}codone{ch}") == "Oxycodone"


def test_every_format_character_is_removed():
    every = "".join(chr(n) for n in range(0x110000) if unicodedata.category(chr(n)) == "Cf")
    assert clean_text(f"a{every}b") == "ab"


@pytest.mark.parametrize(("typed", "stored"), [
    ("Cafe\u0301", "Caf\u00e9"),
    ("e\u200b\u0301", "\u00e9"),  # removing the hidden character first lets the accent compose
    ("\u041exycodone", "\u041exycodone"),  # look-alike letters are not rewritten
    ("\uff2fxycodone", "\uff2fxycodone"),  # nor fullwidth letters (NFC, not NFKC)
    ("  spaced  ", "  spaced  "),  # surrounding space is the form's to strip
    ("tab\tand\nline", "tab\tand\nline"),
    ("plain ASCII", "plain ASCII"),
])
def test_clean_text(typed, stored):
    assert clean_text(typed) == stored


@pytest.mark.parametrize(("text", "refused"), [
    ("hello", False), ("line\nbreak\r\n", False), ("tab\there", False), ("Caf\u00e9", False),
    ("soft\u00adhyphen", False),  # removed, not refused
    ("nul\x00", True), ("del\x7f", True), ("c1\x85", True), ("bad\ufffd", True),
])
def test_has_control_characters(text, refused):
    assert has_control_characters(text) is refused
