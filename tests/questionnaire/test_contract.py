"""The definition matches questionnaire.md: every ID and code listed there exists, with its type."""

from __future__ import annotations

import re

import pytest

from screening.questionnaire import QUESTIONNAIRE
from tests.contract import contract_file

TYPE_NAMES = {
    "date": "date", "date (may be in the future)": "date", "yes_no": "yes_no",
    "yes_no_unsure": "yes_no_unsure", "single": "single", "multi": "multi",
    "medication_list": "medication_list",
}


def _contract_rows() -> list[tuple[str, str, list[str]]]:
    """(question id, type, option codes) for every question row in questionnaire.md."""
    text = contract_file("questionnaire.md").read_text(encoding="utf-8")
    text = text.split("## Sections and questions", 1)[1]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        ids = re.findall(r"`([a-z0-9_]+)`", cells[0])
        kind = cells[1]
        if kind.startswith("single:"):  # the mood table's one two-column choice question
            kind, cells[2:] = "single", [cells[1].split("(")[0]]
        codes = re.findall(r"`([a-z0-9_]+)`", cells[2]) if kind in ("single", "multi") and len(cells) > 2 else []
        if kind.startswith("text"):
            kind = "text"
        elif kind.startswith("number"):
            kind = "number"
        else:
            kind = TYPE_NAMES.get(kind, kind)
        if kind not in set(TYPE_NAMES.values()) | {"text", "number"}:
            continue  # the two-column mood table: its items are checked separately
        rows.extend((qid, kind, codes) for qid in ids)
    return rows


def _mood_and_symptom_ids() -> list[tuple[str, str]]:
    text = contract_file("questionnaire.md").read_text(encoding="utf-8")
    mood = re.findall(r"^\| `((?:phq|gad)\d_[a-z_]+)` \|", text, flags=re.M)
    symptoms_block = text.split("### 9. `symptoms`")[1].split("### 10.")[0]
    scales = re.findall(r"`([a-z_]+)`", symptoms_block.split(";")[0])
    return [(qid, "scale_0_3") for qid in mood] + [
        (qid, "scale_0_10") for qid in scales if qid != "symptoms" and qid != "scale_0_10"
    ]


CONTRACT_ROWS = _contract_rows()


def test_the_contract_was_read():
    assert len(CONTRACT_ROWS) > 50
    assert len(_mood_and_symptom_ids()) == 11 + 7


@pytest.mark.parametrize(("qid", "kind", "codes"), CONTRACT_ROWS, ids=[r[0] for r in CONTRACT_ROWS])
def test_question_exists_with_its_type_and_codes(qid, kind, codes):
    question = QUESTIONNAIRE.questions[qid]
    assert question.type == kind
    assert list(question.codes) == codes or not codes


@pytest.mark.parametrize(("qid", "kind"), _mood_and_symptom_ids())
def test_mood_and_symptom_items_exist(qid, kind):
    assert QUESTIONNAIRE.questions[qid].type == kind


@pytest.mark.parametrize(
    ("qid", "kind"),
    [("hot_flushes_per_day", "number"), ("post_exertional_malaise", "yes_no"), ("consent_share", "yes_no")],
)
def test_extra_symptom_and_confirm_questions(qid, kind):
    assert QUESTIONNAIRE.questions[qid].type == kind


def test_sections_are_the_ten_of_the_contract():
    text = contract_file("questionnaire.md").read_text(encoding="utf-8")
    contract_sections = re.findall(r"^### \d+\. `([a-z_]+)`", text, flags=re.M)
    assert [s.id for s in QUESTIONNAIRE.sections] == contract_sections


def test_no_question_outside_the_contract():
    listed = {row[0] for row in CONTRACT_ROWS} | {qid for qid, _ in _mood_and_symptom_ids()}
    listed |= {"hot_flushes_per_day", "post_exertional_malaise", "consent_share"}
    assert set(QUESTIONNAIRE.questions) == listed


@pytest.mark.parametrize(
    ("qid", "scores"),
    [
        ("audit_c_frequency", [0, 1, 2, 3, 4]),
        ("audit_c_typical", [0, 1, 2, 3, 4]),
        ("audit_c_six_plus", [0, 1, 2, 3, 4]),
    ],
)
def test_audit_c_scores(qid, scores):
    question = QUESTIONNAIRE.questions[qid]
    assert [question.score_for(code) for code in question.codes] == scores
