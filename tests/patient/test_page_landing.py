"""Issue 13, the patient's rough edges: where a page opens, and what it tells the patient.

- "Add another medicine" comes back at the new medicine's name box (a fragment: no script).
- A Change link returns to the check page at the row that was changed.
- Crisis numbers and the clinic's contact details are links to call or write.
- A patient who declines to share is told what happens to their answers, and how to
  change their mind.
- The Back link sits inside a landmark.
- The opioid page offers the last dose the medicines list already gives (test_prefill.py
  has the function's own cases).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from screening.config import DEFAULT_CRISIS_CONTACT, load_config
from screening.models import Invitation
from tests.patient.pages import TYPICAL_PAGES, typical_until

MEDS = [{"name": "Sertraline 50 mg", "how_often": "daily"}, {"name": "Tramadol", "how_often": "as_needed"}]
HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> call 999 "now"'
CLINIC = "020 7946 0000, reception@clinic.example"


def _formaction(html: str, button_name: str) -> str:
    match = re.search(rf'<button[^>]*name="{button_name}"[^>]*formaction="([^"]*)"', html)
    assert match, f"no formaction on the {button_name} button"
    return match.group(1)


def _ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


# --- "Add another medicine" -----------------------------------------------------------------


def test_add_another_medicine_comes_back_at_the_new_name_box(patient):
    patient.fill(typical_until("medicines_list"))
    first = patient.page("medicines_list").get_data(as_text=True)
    assert _formaction(first, "add_medicine") == "#medications-1-name"  # one row shown: the next is 1
    html = patient.post_page("medicines_list", {"medications": MEDS}, add_medicine="1").get_data(as_text=True)
    assert _formaction(html, "add_medicine") == "#medications-3-name"  # for the next press
    assert "medications-2-name" in _ids(html)  # the box this press's fragment named exists
    assert 'value="Sertraline 50 mg"' in html and 'value="Tramadol"' in html


def test_the_fragment_is_in_the_page_address_the_button_posts_to(patient):
    """formaction="#…" resolves against the page's own address, so a Change visit keeps
    its return=check and the save still goes back to the check page."""
    patient.fill(TYPICAL_PAGES)
    html = patient.get("/questionnaire/page/medicines_list?return=check&answer=medications").get_data(as_text=True)
    assert _formaction(html, "add_medicine").startswith("#medications-")
    assert 'action="/questionnaire/page/medicines_list?return=check&amp;answer=medications"' in html


def test_a_full_list_comes_back_at_the_list(patient):
    patient.fill(typical_until("medicines_list"))
    full = [{"name": f"Vitamin {n}", "how_often": "daily"} for n in range(40)]
    html = patient.post_page("medicines_list", {"medications": full}, add_medicine="1").get_data(as_text=True)
    assert "medications-40-name" not in _ids(html)
    assert _formaction(html, "add_medicine") == "#medications"
    assert 'id="medications"' in html


def test_remove_comes_back_at_the_list(patient):
    patient.fill(typical_until("medicines_list"))
    html = patient.post_page("medicines_list", {"medications": MEDS}, remove_medicine="0").get_data(as_text=True)
    assert _formaction(html, "remove_medicine") == "#medications"


# --- Change links ------------------------------------------------------------------------------


def test_every_check_page_row_has_a_stable_id_its_change_link_names(patient):
    patient.fill(TYPICAL_PAGES)
    html = patient.get("/questionnaire/check").get_data(as_text=True)
    rows = re.findall(r'<div class="summary-list__row" id="answer-([^"]+)">', html)
    assert len(rows) > 40 and len(rows) == len(set(rows))
    for anchor in rows:
        assert f"answer={anchor}#{anchor}" in html


def test_saving_a_change_returns_to_the_changed_row(patient, app):
    patient.fill(TYPICAL_PAGES)
    response = patient.post_page("reasons", {**TYPICAL_PAGES["reasons"], "main_goal": "Sleep through the night"},
                                 query="?return=check&answer=main_goal")
    assert response.headers["Location"] == "/questionnaire/check#answer-main_goal"
    assert 'id="answer-main_goal"' in patient.get("/questionnaire/check").get_data(as_text=True)
    assert patient.saved_answers(app)["main_goal"] == "Sleep through the night"


def test_a_change_that_opens_questions_returns_to_the_row_after_asking_them(patient):
    patient.fill(TYPICAL_PAGES)
    back = "?return=check&answer=opioid_recent"
    response = patient.post_page("opioids_recent", {"opioid_recent": "yes"}, query=back)
    assert response.headers["Location"] == f"/questionnaire/page/opioids_recent_details{back}"
    details = {"opioid_last_dose": {"day": "1", "month": "11", "year": "2025"}, "opioid_pattern": "stopped",
               "opioid_withdrawal_now": "no"}
    response = patient.post_page("opioids_recent_details", details, query=back)
    assert response.headers["Location"] == "/questionnaire/check#answer-opioid_recent"


def test_a_row_the_change_hid_returns_to_the_first_row_of_that_page(patient):
    patient.fill(TYPICAL_PAGES)
    response = patient.post_page("medicines", {"takes_medications": "no"}, query="?return=check&answer=medications")
    assert response.headers["Location"] == "/questionnaire/check#answer-takes_medications"


@pytest.mark.parametrize("answer", ['"><script>alert(1)</script>', "javascript:alert(1)", "x" * 200, "no_such_row"])
def test_an_odd_answer_argument_lands_on_the_page_first_row(patient, answer):
    patient.fill(TYPICAL_PAGES)
    response = patient.client.post(
        "/questionnaire/page/symptoms", query_string={"return": "check", "answer": answer},
        data={"csrf_token": patient.csrf_token("/questionnaire/page/symptoms"),
              "revision": patient.revision("symptoms"), **TYPICAL_PAGES["symptoms"]})
    assert response.headers["Location"] == "/questionnaire/check#answer-pain_average"


# --- Crisis numbers and the clinic's contact details ----------------------------------------------


def _with_self_harm(patient):
    patient.fill({**typical_until("mood"), "mood": {**TYPICAL_PAGES["mood"], "phq9_self_harm": "2"}})
    return patient.page("symptoms").get_data(as_text=True)


def test_crisis_numbers_are_tel_links(patient):
    html = _with_self_harm(patient)
    assert '<a class="contact-link" href="tel:0800000000">0800 000 000</a>' in html
    assert '<a class="contact-link" href="tel:999">999</a>' in html


def test_the_default_crisis_text_gives_lines_to_call_in_several_countries(patient, app):
    app.config["CRISIS_CONTACT"] = DEFAULT_CRISIS_CONTACT
    html = _with_self_harm(patient)
    for number, dialled in [("116 123", "116123"), ("988", "988"), ("13 11 14", "131114"), ("1737", "1737"),
                            ("999", "999"), ("112", "112"), ("911", "911"), ("000", "000"), ("111", "111")]:
        assert f'href="tel:{dialled}">{number}</a>' in html, number


def test_hostile_crisis_text_is_shown_as_text(patient, app):
    app.config["CRISIS_CONTACT"] = HOSTILE
    html = _with_self_harm(patient)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; call " in html
    assert '<a class="contact-link" href="tel:999">999</a> &#34;now&#34;' in html


def test_link_not_valid_page_gives_the_clinic_contact(client, app):
    app.config["CLINIC_CONTACT"] = CLINIC
    html = client.get("/i/not-a-real-token").get_data(as_text=True)
    assert "This link is not valid" in html
    assert "To ask for a new link, contact Test Clinic:" in html
    assert '<a class="contact-link" href="tel:02079460000">020 7946 0000</a>' in html
    assert '<a class="contact-link" href="mailto:reception@clinic.example">reception@clinic.example</a>' in html


def test_without_clinic_contact_the_pages_still_say_what_to_do(client, app):
    assert app.config["CLINIC_CONTACT"] == ""
    html = client.get("/i/not-a-real-token").get_data(as_text=True)
    assert "To ask for a new link, contact the clinic that sent you the link." in html
    assert "contact-link" not in html


def test_sent_and_already_sent_pages_give_the_clinic_contact(patient, app):
    app.config["CLINIC_CONTACT"] = CLINIC
    patient.fill(TYPICAL_PAGES)
    patient.submit()
    done = patient.get("/questionnaire/done").get_data(as_text=True)
    assert "Your answers have been sent" in done and 'href="tel:02079460000"' in done
    again = patient.open_link().get_data(as_text=True)  # the used link, opened again
    assert "already been sent" in again and 'href="mailto:reception@clinic.example"' in again


def test_hostile_clinic_contact_is_shown_as_text(client, app):
    app.config["CLINIC_CONTACT"] = HOSTILE
    html = client.get("/i/not-a-real-token").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_clinic_contact_is_read_from_the_environment(tmp_path):
    assert load_config(tmp_path, {})["CLINIC_CONTACT"] == ""
    assert load_config(tmp_path, {"CLINIC_CONTACT": f"  {CLINIC}\n"})["CLINIC_CONTACT"] == CLINIC


# --- Declining to share ----------------------------------------------------------------------


def test_declining_lands_on_what_happens_to_the_answers(patient, app):
    app.config["PURGE_UNSUBMITTED_DAYS"] = 45
    patient.fill(typical_until("confirm"))
    response = patient.post_page("confirm", {"consent_share": "no"})
    assert response.headers["Location"] == "/questionnaire/check#not-sharing"
    html = patient.get("/questionnaire/check").get_data(as_text=True)
    note = html.split('id="not-sharing"')[1].split("</section>")[0]
    assert "You chose not to share your answers" in note
    assert "Nothing is sent to the clinic." in note
    assert "We will delete your answers 45 days after you last changed them." in note
    with app.extensions["db"].read() as session:
        expires_at = session.scalar(select(Invitation.expires_at))
    last_day = (expires_at - timedelta(days=1)).date()
    assert f"Your link works until {last_day.day} {last_day:%B %Y}." in note
    assert 'href="/questionnaire/page/confirm?return=check&amp;answer=consent_share#consent_share"' in note
    assert "Send my answers" not in html


def test_changing_their_mind_comes_back_ready_to_send(patient):
    patient.fill({**TYPICAL_PAGES, "confirm": {"consent_share": "no"}})
    response = patient.post_page("confirm", {"consent_share": "yes"}, query="?return=check&answer=consent_share")
    assert response.headers["Location"] == "/questionnaire/check#answer-consent_share"
    html = patient.get("/questionnaire/check").get_data(as_text=True)
    assert "You chose not to share" not in html and "Send my answers" in html


def test_the_link_day_is_the_day_before_an_appointment_link_expires(patient, app, make_link):
    from tests.patient_client import PatientClient

    appointment = date.today() + timedelta(days=20)
    other = PatientClient(app.test_client(), make_link("P-APPT", appointment))
    other.open_link()
    other.fill({**TYPICAL_PAGES, "confirm": {"consent_share": "no"}})
    html = other.get("/questionnaire/check").get_data(as_text=True)
    last_day = appointment + timedelta(days=1)  # the link expires at the end of the day after it
    assert f"Your link works until {last_day.day} {last_day:%B %Y}." in html


# --- The Back link in a landmark ----------------------------------------------------------------


class _Landmarks(HTMLParser):
    """Each Back link, with the landmarks it sits in."""

    LANDMARKS = {"main", "nav", "header", "footer", "aside"}
    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.back_links: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and "back-link" in (dict(attrs).get("class") or ""):
            self.back_links.append([t for t in self.open if t in self.LANDMARKS])
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]


@pytest.mark.parametrize("path", ["/questionnaire/page/about_you", "/questionnaire/page/pregnancy",
                                  "/questionnaire/check"])
def test_the_back_link_is_inside_a_landmark(patient, path):
    patient.fill(TYPICAL_PAGES)
    parser = _Landmarks()
    parser.feed(patient.get(path).get_data(as_text=True))
    assert parser.back_links and all(parser.back_links), parser.back_links
    assert '<nav class="back-nav" aria-label="Back"><a class="back-link"' in patient.get(path).get_data(as_text=True)


# --- The opioid page offers the medicines list's last dose ------------------------------------------


def _tramadol_patient(patient, last_taken: date):
    medicines = {"medications": [
        {"name": "Vitamin D", "how_often": "daily"},
        {"name": "Tramadol 50 mg", "how_often": "as_needed",
         "last_taken": {"day": str(last_taken.day), "month": str(last_taken.month), "year": str(last_taken.year)}},
    ]}
    patient.fill({**typical_until("medicines_list"), "medicines_list": medicines,
                  "opioids_recent": {"opioid_recent": "yes"}})


def test_the_opioid_page_offers_the_last_dose_from_the_medicines_list(patient):
    taken = date.today() - timedelta(days=4)
    _tramadol_patient(patient, taken)
    html = patient.page("opioids_recent_details").get_data(as_text=True)
    assert f'name="opioid_last_dose-day" type="text" inputmode="numeric" value="{taken.day}"' in html
    assert f'value="{taken.year}"' in html
    hint = re.search(r'<p class="hint" id="opioid_last_dose-hint">([^<]*)</p>', html)
    assert hint and hint.group(1) == (f"From your medicines list: Tramadol 50 mg, last taken {taken.day} "
                                      f"{taken:%B %Y}. Change it if this is wrong. Your best guess is fine.")


def test_the_offered_date_is_saved_as_the_questions_own_answer(patient, app):
    taken = date.today() - timedelta(days=4)
    _tramadol_patient(patient, taken)
    shown = {"opioid_last_dose": {"day": str(taken.day), "month": str(taken.month), "year": str(taken.year)},
             "opioid_pattern": "as_needed", "opioid_withdrawal_now": "no"}
    patient.fill({"opioids_recent_details": shown})
    assert patient.saved_answers(app)["opioid_last_dose"] == taken.isoformat()
    html = patient.page("opioids_recent_details").get_data(as_text=True)
    assert "From your medicines list" not in html  # answered now: nothing is offered


def test_the_patient_can_change_the_offered_date(patient, app):
    _tramadol_patient(patient, date.today() - timedelta(days=4))
    other = date.today() - timedelta(days=1)
    changed = {"opioid_last_dose": {"day": str(other.day), "month": str(other.month), "year": str(other.year)},
               "opioid_pattern": "as_needed", "opioid_withdrawal_now": "no"}
    patient.fill({"opioids_recent_details": changed})
    assert patient.saved_answers(app)["opioid_last_dose"] == other.isoformat()


def test_an_offer_is_never_saved_unless_the_browser_sent_it(patient, app):
    _tramadol_patient(patient, date.today() - timedelta(days=4))
    html = patient.post_page("opioids_recent_details", {"opioid_pattern": "as_needed",
                                                         "opioid_withdrawal_now": "no"}).get_data(as_text=True)
    assert "Enter a date" in html
    assert "opioid_last_dose" not in patient.saved_answers(app)


def test_an_error_elsewhere_keeps_the_offer_and_its_note(patient):
    taken = date.today() - timedelta(days=4)
    _tramadol_patient(patient, taken)
    posted = {"opioid_last_dose": {"day": str(taken.day), "month": str(taken.month), "year": str(taken.year)}}
    html = patient.post_page("opioids_recent_details", posted).get_data(as_text=True)
    assert "Choose an answer" in html and "From your medicines list: Tramadol 50 mg" in html
    other = {"opioid_last_dose": {"day": "1", "month": "1", "year": str(date.today().year)}}
    html = patient.post_page("opioids_recent_details", other).get_data(as_text=True)
    assert "From your medicines list" not in html  # the boxes no longer hold the offered date


def test_nothing_is_offered_without_a_dated_opioid(patient):
    patient.fill({**typical_until("opioids_recent"), "opioids_recent": {"opioid_recent": "yes"}})
    html = patient.page("opioids_recent_details").get_data(as_text=True)
    assert "From your medicines list" not in html
    assert 'name="opioid_last_dose-day" type="text" inputmode="numeric" value=""' in html
