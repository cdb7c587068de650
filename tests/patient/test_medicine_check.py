"""The "Check these medicines" page (questionnaire.md section 3), without JavaScript.

Shown right after the medicines page only while a name is one the classifier cannot
recognise; each such name comes back editable with "Does it contain an opioid?".
"""

from __future__ import annotations

import pytest

from tests.patient.pages import typical_until

UNKNOWN_NAME = "Qzxwv drops from abroad"  # nothing in the lexicon resembles it
KNOWN = {"name": "Sertraline 50 mg", "how_often": "daily"}
ASKED = "Does it contain codeine"


def _list_with(*names: str) -> dict:
    return {"medications": [KNOWN, *({"name": name, "how_often": "daily"} for name in names)]}


def _rows(**answers: str) -> dict[str, str]:
    """The check page's form fields: row -> (position in the list, name, answer)."""
    return answers


@pytest.fixture
def on_the_check_page(patient):
    patient.fill(typical_until("medicines_list"))
    response = patient.post_page("medicines_list", _list_with(UNKNOWN_NAME))
    assert response.headers["Location"].endswith("/questionnaire/page/medicines_check")
    return patient


def _post_check(patient, name: str, answer: str | None, position: str = "1"):
    data = {"entries-0-position": position, "entries-0-name": name}
    if answer is not None:
        data["entries-0-contains_opioid"] = answer
    return patient.post_page("medicines_check", {}, **data)


def test_only_recognised_names_go_straight_on(patient):
    patient.fill(typical_until("medicines_list"))
    response = patient.post_page("medicines_list", {"medications": [KNOWN]})
    assert response.headers["Location"].endswith("/questionnaire/page/opioids_recent")
    assert patient.page("medicines_check").status_code == 302  # not shown: sent on


def test_an_unrecognised_name_is_shown_back_with_the_question(on_the_check_page):
    html = on_the_check_page.page("medicines_check").get_data(as_text=True)
    assert "Check these medicines" in html
    assert "Tip: copy the name exactly as printed on the box or bottle." in html
    assert f'value="{UNKNOWN_NAME}"' in html and ASKED in html
    assert "Sertraline" not in html  # recognised entries are not asked about
    assert 'name="entries-0-position" value="1"' in html


@pytest.mark.parametrize("answer", ["yes", "no", "unsure"])
def test_the_answer_is_saved_on_the_entry(on_the_check_page, app, answer):
    response = _post_check(on_the_check_page, UNKNOWN_NAME, answer)
    assert response.headers["Location"].endswith("/questionnaire/page/opioids_recent")
    medications = on_the_check_page.saved_answers(app)["medications"]
    assert medications[1] == {"name": UNKNOWN_NAME, "how_often": "daily", "last_taken": None, "contains_opioid": answer}
    assert "contains_opioid" not in medications[0]


def test_the_answer_is_required_and_nothing_typed_is_lost(on_the_check_page, app):
    response = _post_check(on_the_check_page, "Qzxwv drops (corrected)", None)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Medicine 1: Choose yes, no or not sure" in html
    assert 'href="#entries-0-contains_opioid"' in html
    assert 'value="Qzxwv drops (corrected)"' in html
    assert "contains_opioid" not in on_the_check_page.saved_answers(app)["medications"][1]


def test_a_corrected_name_that_is_recognised_drops_the_question(on_the_check_page, app):
    response = _post_check(on_the_check_page, "omeprazole 20mg", None)
    assert response.headers["Location"].endswith("/questionnaire/page/opioids_recent")
    entry = on_the_check_page.saved_answers(app)["medications"][1]
    assert entry["name"] == "omeprazole 20mg" and "contains_opioid" not in entry


def test_a_corrected_name_that_is_recognised_drops_an_answer_given_too(on_the_check_page, app):
    _post_check(on_the_check_page, "omeprazole 20mg", "unsure")
    assert "contains_opioid" not in on_the_check_page.saved_answers(app)["medications"][1]


@pytest.mark.parametrize("position", ["0", "2", "99", "-1", "x", ""])
def test_a_row_can_only_name_an_unrecognised_entry(on_the_check_page, app, position):
    response = _post_check(on_the_check_page, "Tramadol", "no", position=position)
    assert response.status_code == 200
    assert "This page changed since you opened it" in response.get_data(as_text=True)
    names = [m["name"] for m in on_the_check_page.saved_answers(app)["medications"]]
    assert names == ["Sertraline 50 mg", UNKNOWN_NAME]


def test_the_page_must_be_answered_before_going_on(on_the_check_page):
    response = on_the_check_page.page("opioids_recent")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/questionnaire/page/medicines_check")


def test_editing_the_list_keeps_the_answer_of_an_unchanged_name(on_the_check_page, app):
    _post_check(on_the_check_page, UNKNOWN_NAME, "unsure")
    on_the_check_page.post_page("medicines_list", _list_with(UNKNOWN_NAME, "Blorptex cream"))
    medications = on_the_check_page.saved_answers(app)["medications"]
    assert medications[1]["contains_opioid"] == "unsure"
    assert "contains_opioid" not in medications[2]  # a new unrecognised name: asked again
    assert on_the_check_page.page("opioids_recent").headers["Location"].endswith("/medicines_check")


def test_renaming_in_the_list_asks_again(on_the_check_page, app):
    _post_check(on_the_check_page, UNKNOWN_NAME, "no")
    on_the_check_page.post_page("medicines_list", _list_with("Qzxwv drops, other brand"))
    assert "contains_opioid" not in on_the_check_page.saved_answers(app)["medications"][1]


def test_the_check_page_shows_the_answer_with_a_change_link(on_the_check_page):
    _post_check(on_the_check_page, UNKNOWN_NAME, "unsure")
    html = on_the_check_page.get("/questionnaire/check").get_data(as_text=True)
    row = html.split(f"Does {UNKNOWN_NAME} contain an opioid?")[1].split("</div>")[0]
    assert "I&#39;m not sure" in row
    change = "/questionnaire/page/medicines_check?return=check&amp;answer=entries-0-contains_opioid"
    assert f'href="{change}#entries-0-contains_opioid"' in row
