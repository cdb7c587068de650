"""Issue 12, finding 8 (forms): MAX_FORM_PARTS holds for urlencoded forms, not only multipart.

Werkzeug applies `max_form_parts` to multipart bodies only, so an ordinary form could carry
thousands of fields inside the 256 KiB body limit (780 in the report). Beyond the limit the
answer is a 413, before CSRF or any view reads the form, and nothing is saved.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.patient.pages import TYPICAL_PAGES
from tests.patient_client import form_fields

URLENCODED = "application/x-www-form-urlencoded"


def _about_you(patient, parts: int) -> bytes:  # type: ignore[no-untyped-def]
    """The about_you page as a browser posts it, padded with unknown fields to `parts` parts."""
    fields = {"csrf_token": patient.csrf_token("/questionnaire/page/about_you"),
              "revision": patient.revision("about_you"), **form_fields(TYPICAL_PAGES["about_you"])}
    fields.update({f"x{n}": "1" for n in range(parts - len(fields))})
    return urlencode(fields, doseq=True).encode()


def test_the_limit_is_the_configured_one(app):
    assert app.config["MAX_FORM_PARTS"] == 400


def test_a_urlencoded_form_beyond_max_form_parts_is_refused(patient, app):
    body = _about_you(patient, 780)
    assert body.count(b"&") + 1 == 780
    assert len(body) < app.config["MAX_CONTENT_LENGTH"]  # only the part count is wrong
    response = patient.client.post("/questionnaire/page/about_you", data=body, content_type=URLENCODED)
    assert response.status_code == 413
    assert "too much to send at once" in response.get_data(as_text=True)
    assert patient.saved_answers(app) == {}


def test_a_urlencoded_form_within_max_form_parts_is_read(patient, app):
    body = _about_you(patient, 400)
    assert body.count(b"&") + 1 == 400
    response = patient.client.post("/questionnaire/page/about_you", data=body, content_type=URLENCODED)
    assert response.status_code == 302
    assert patient.saved_answers(app)["sex_at_birth"] == "female"


def test_the_count_comes_before_the_csrf_check(client):
    body = "&".join(f"f{n}=1" for n in range(1000)).encode()
    assert client.post("/doctor/login", data=body, content_type=URLENCODED).status_code == 413
    assert client.post("/questionnaire/page/about_you", data=body, content_type=URLENCODED).status_code == 413


@pytest.mark.parametrize("limit", [10, 50])
def test_the_setting_is_honoured(app, client, limit):
    app.config["MAX_FORM_PARTS"] = limit
    fits = "&".join(f"f{n}=1" for n in range(limit)).encode()
    too_many = "&".join(f"f{n}=1" for n in range(limit + 1)).encode()
    assert client.post("/doctor/login", data=fits, content_type=URLENCODED).status_code != 413
    assert client.post("/doctor/login", data=too_many, content_type=URLENCODED).status_code == 413
    multipart = {f"f{n}": "1" for n in range(limit + 1)}
    assert client.post("/doctor/login", data=multipart, content_type="multipart/form-data").status_code == 413


def test_empty_and_charset_qualified_bodies(client):
    assert client.post("/doctor/login", data=b"", content_type=URLENCODED).status_code != 413
    flood = "&".join(f"f{n}=1" for n in range(1000)).encode()
    assert client.post("/doctor/login", data=flood,
                       content_type=URLENCODED + "; charset=utf-8").status_code == 413
