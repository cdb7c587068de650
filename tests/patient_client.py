"""A test double of a patient's browser: opens the link, fills pages, keeps CSRF tokens.

It posts exactly what a browser would post for the page's fields, so tests exercise the
real forms, CSRF protection and redirects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
REVISION_INPUT = re.compile(r'name="revision" value="(\d+)"')


def form_fields(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Contract-style page answers → the form fields a browser would send."""
    data: dict[str, Any] = {}
    for qid, value in answers.items():
        if isinstance(value, dict) and set(value) == {"day", "month", "year"}:
            for part, text in value.items():
                data[f"{qid}-{part}"] = str(text)
        elif qid == "medications":
            for index, entry in enumerate(value):
                data[f"medications-{index}-name"] = entry.get("name", "")
                if entry.get("how_often"):
                    data[f"medications-{index}-how_often"] = entry["how_often"]
                for part, text in (entry.get("last_taken") or {}).items():
                    data[f"medications-{index}-last_taken-{part}"] = str(text)
        else:
            data[qid] = value
    return data


def date_parts(iso: str) -> dict[str, str]:
    year, month, day = iso.split("-")
    return {"day": str(int(day)), "month": str(int(month)), "year": year}


class PatientClient:
    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token
        self._csrf: str | None = None

    def open_link(self) -> TestResponse:
        self._csrf = None  # opening a link starts a new session, with a new CSRF secret
        return self.client.get(f"/i/{self.token}")

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def page(self, page_id: str) -> TestResponse:
        return self.client.get(f"/questionnaire/page/{page_id}")

    def csrf_token(self, path: str) -> str:
        """The session's CSRF token, read from a page the way a browser would get it."""
        if self._csrf is None:
            html = self.client.get(path, follow_redirects=True).get_data(as_text=True)
            match = CSRF_INPUT.search(html)
            assert match, f"no CSRF token on {path}"
            self._csrf = match.group(1)
        return self._csrf

    def revision(self, page_id: str) -> str:
        """The revision the page was shown at, as a browser holding the page would post it."""
        html = self.client.get(f"/questionnaire/page/{page_id}", follow_redirects=True).get_data(as_text=True)
        match = REVISION_INPUT.search(html)
        return match.group(1) if match else "0"

    def post_page(self, page_id: str, answers: Mapping[str, Any], query: str = "", **extra: Any) -> TestResponse:
        path = f"/questionnaire/page/{page_id}{query}"
        data = {
            "csrf_token": self.csrf_token(f"/questionnaire/page/{page_id}"),
            "revision": self.revision(page_id),
            **form_fields(answers),
            **extra,
        }
        return self.client.post(path, data=data)

    def submit(self) -> TestResponse:
        token = self.csrf_token("/questionnaire/check")
        return self.client.post("/questionnaire/submit", data={"csrf_token": token})

    def fill(self, pages: Mapping[str, Mapping[str, Any]]) -> None:
        """Answer pages in order; each must be accepted (a redirect)."""
        for page_id, answers in pages.items():
            response = self.post_page(page_id, answers)
            assert response.status_code == 302, (page_id, _errors(response))

    def saved_answers(self, app: Any) -> dict[str, Any]:
        from screening.models import QuestionnaireResponse

        with app.extensions["db"].read() as session:
            response = session.query(QuestionnaireResponse).one()
            return dict(response.answers)


def _errors(response: TestResponse) -> list[str]:
    return re.findall(r'class="error-message"[^>]*>.*?</span>\s*([^<]+)', response.get_data(as_text=True))
