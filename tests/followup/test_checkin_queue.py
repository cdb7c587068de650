"""Check-ins in the doctor's queue (followup.md section 3, end): flagged ones join the
screening submissions, urgent first, then severity, then due date; "no concerns" ones are
listed below the queue and can be marked reviewed together (never a flagged one)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, text

import screening.doctor.checkin_views  # noqa: F401  (registers the pages until screening.doctor imports it)
from screening.doctor import checkin_list
from screening.doctor.queue import PAGE_SIZE, QueueFilters, load_queue
from screening.models import AuditEvent, CheckIn
from screening.rules.severity import NO_FLAGS_RANK
from tests.doctor.test_summary_header import visible_text
from tests.doctor_fixtures import statements_during
from tests.followup.checkin_rows import make_plan, send_checkin
from tests.plain_words import leaks

TODAY = date.today()
FAR = TODAY + timedelta(days=200)  # the plans' own screenings: unflagged, appointments far off
SELF_HARM = {"phq9_self_harm": 1}  # screening PSY-01 / check-in FU-01: urgent, critical
PREGNANT = {"pregnant": "yes"}  # screening PREG-01: critical
SEVERE_KIDNEY = {"kidney_disease": "severe"}  # screening REN-01: warning
OPIOID = {"ci_opioid_since": "yes"}  # check-in FU-02: critical, not urgent
SEVERE_SIDE_EFFECTS = {"ci_side_effects": ["headache"], "ci_side_effect_impact": "severe"}  # FU-08: warning
PAUSED = {"ci_taking": "paused", "ci_stop_reason": ["cost_or_supply"], "ci_dose_mg": None}  # FU-14: info
LINK = re.compile(r'<a href="/doctor/(submissions|checkins)/\d+">([^<]+)</a>')


def order(html: str) -> list[str]:
    """The queue's rows: "S:REF" for a submission, "C:REF" for a check-in."""
    queue = html.split("</table>")[0]
    return [f"{'S' if kind == 'submissions' else 'C'}:{ref}" for kind, ref in LINK.findall(queue)]


@pytest.fixture
def checkin_of(app, submit):
    """A check-in sent by a patient whose screening raised nothing; `day` after a start
    chosen so that the check-in is due on `due`."""

    def make(ref: str, changes: dict, due: date = TODAY, day: int = 14) -> int:
        plan = make_plan(app, submit(ref, None, FAR), start=due - timedelta(days=day))
        return send_checkin(app, plan, day, changes)

    return make


def test_an_urgent_check_in_comes_before_a_critical_submission(doctor, submit, checkin_of):
    submit("SCREEN-CRIT", PREGNANT, TODAY + timedelta(days=1))
    checkin_of("CI-URGENT", SELF_HARM, due=TODAY - timedelta(days=2))
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert order(html)[:2] == ["C:CI-URGENT", "S:SCREEN-CRIT"]


def test_the_queue_orders_by_urgency_then_severity_then_date(doctor, submit, checkin_of):
    submit("S-URGENT", SELF_HARM, TODAY + timedelta(days=30))
    submit("S-CRIT-LATE", PREGNANT, TODAY + timedelta(days=20))
    submit("S-WARN-SOON", SEVERE_KIDNEY, TODAY + timedelta(days=2))
    checkin_of("C-CRIT-SOON", OPIOID, due=TODAY + timedelta(days=1))
    checkin_of("C-WARN-LATE", SEVERE_SIDE_EFFECTS, due=TODAY + timedelta(days=5))
    checkin_of("C-INFO", PAUSED)
    checkin_of("C-QUIET", {})
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert order(html) == [
        "S:S-URGENT", "C:C-CRIT-SOON", "S:S-CRIT-LATE", "S:S-WARN-SOON", "C:C-WARN-LATE", "C:C-INFO",
        # the plans' screenings, without flags, last
        "S:C-CRIT-SOON", "S:C-WARN-LATE", "S:C-INFO", "S:C-QUIET",
    ]
    assert "7 submissions and 3 check-ins with flags, most urgent first." in html


def test_a_check_in_row_says_what_it_is(doctor, checkin_of):
    checkin_id = checkin_of("CI-1", OPIOID, day=21)
    html = doctor.get("/doctor/").get_data(as_text=True)
    row = re.search(rf'<tr class="queue-row queue-row--checkin">.*?/doctor/checkins/{checkin_id}".*?</tr>',
                    html, re.S).group(0)
    assert "Check-in, day 21" in row
    assert '<span class="count">1 critical</span>' in row and "An opioid since starting LDN" in row
    assert f"Check-in due {TODAY.isoformat()}" in row
    assert leaks(visible_text(html)) == []


@pytest.mark.parametrize(("query", "expected"), [
    ("severity=critical", ["C:C-CRIT"]),
    ("severity=info", ["C:C-INFO"]),
    ("severity=none", ["S:C-CRIT", "S:C-INFO"]),  # check-ins without flags are not in the queue
    ("q=c-cr", ["C:C-CRIT", "S:C-CRIT"]),  # the screening's patient reference, from its start
    ("review=reviewed", []),
    (f"from={(TODAY + timedelta(days=3)).isoformat()}", ["C:C-INFO"]),  # by the check-in's due date
])
def test_filters_apply_to_check_ins(doctor, checkin_of, query, expected):
    checkin_of("C-CRIT", OPIOID)
    checkin_of("C-INFO", PAUSED, due=TODAY + timedelta(days=4))
    html = doctor.get(f"/doctor/?{query}").get_data(as_text=True)
    got = order(html)
    if "from=" in query:  # the screenings' appointments are far off: in range too
        got = [row for row in got if row.startswith("C:")]
    assert got == expected


def test_a_reviewed_check_in_stays_in_the_queue_as_reviewed(doctor, checkin_of):
    checkin_id = checkin_of("C-CRIT", OPIOID)
    token = re.search(r'name="csrf_token" value="([^"]+)"', doctor.get(f"/doctor/checkins/{checkin_id}")
                      .get_data(as_text=True)).group(1)
    doctor.client.post(f"/doctor/checkins/{checkin_id}/review", data={"csrf_token": token, "version": "0"})
    assert order(doctor.get("/doctor/?review=reviewed").get_data(as_text=True)) == ["C:C-CRIT"]
    assert "C:C-CRIT" not in order(doctor.get("/doctor/?review=new").get_data(as_text=True))


def test_pages_merge_submissions_and_check_ins(app, doctor, submit, checkin_of):
    for number in range(PAGE_SIZE + 1):
        submit(f"P-{number:03d}", SEVERE_KIDNEY, TODAY + timedelta(days=number + 1))
    checkin_of("C-A", OPIOID, due=TODAY)  # critical: first
    checkin_of("C-B", SEVERE_SIDE_EFFECTS, due=TODAY + timedelta(days=PAGE_SIZE + 5))  # warning, after P-...
    first = order(doctor.get("/doctor/").get_data(as_text=True))
    second = order(doctor.get("/doctor/?page=2").get_data(as_text=True))
    assert first[0] == "C:C-A" and len(first) == PAGE_SIZE
    assert second[:2] == ["S:P-024", "S:P-025"] and second[2] == "C:C-B"
    merged = first + second
    assert len(merged) == len(set(merged)) == PAGE_SIZE + 1 + 2 + 2  # every row once (and the plans' screenings)
    with app.extensions["db"].read() as session:
        assert load_queue(session, QueueFilters(page=2)).total == PAGE_SIZE + 1 + 2 + 2


def test_the_query_count_does_not_grow_with_check_ins(app, doctor, checkin_of):
    def count_queries(n_checkins: int) -> int:
        for number in range(n_checkins):
            checkin_of(f"N{n_checkins}-{number}", OPIOID if number % 2 else {})
        return len(statements_during(app, lambda: doctor.client.get("/doctor/")))

    assert count_queries(2) == count_queries(10)


@pytest.mark.sqlite_only
def test_the_check_in_lists_read_the_queue_index(app, doctor, checkin_of):
    checkin_of("C-1", OPIOID)
    checkin_of("C-2", {})
    engine = app.extensions["db"].engine
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_rest):  # type: ignore[no-untyped-def]
        if "FROM checkin" in statement and statement.lstrip().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        doctor.client.get("/doctor/?review=new")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    lists = [(statement, parameters) for statement, parameters in seen if "review_status" in statement]
    assert len(lists) == 4  # the flagged rows, their count, the "no concerns" count and list
    assert len(seen) == 5  # and the flags of the flagged rows on the page, by ID
    seek = re.compile(r"SEARCH checkin USING (COVERING )?INDEX ix_checkin_queue "
                      r"\(submitted=\? AND review_status=\? AND urgent=\? AND severity_rank=\?")
    with engine.connect() as connection:
        for statement, parameters in seen:
            plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            searches = [step for step in plan if step.startswith("SEARCH checkin") or step.startswith("SCAN checkin")]
            if (statement, parameters) in lists:
                assert searches and all(seek.match(step) for step in searches), plan
            else:
                assert any("USING INTEGER PRIMARY KEY" in step for step in plan), plan


def _history(app, plan_id: int, count: int, first_day: int, severity_rank: int) -> None:
    """`count` check-ins of one plan, sent long ago and reviewed (a clinic's past), written at once."""
    start = date(2000, 1, 1) + timedelta(days=first_day)
    with app.extensions["db"].write() as session:
        session.execute(insert(CheckIn), [
            {"plan_id": plan_id, "due_date": start + timedelta(days=day), "token_hash": f"{first_day + day:064x}",
             "opens_on": start + timedelta(days=day), "expires_at": datetime(2000, 1, 1, tzinfo=UTC),
             "answers": {}, "submitted": True, "evaluation": {"flags": [], "days_on": day},
             "urgent": False, "severity_rank": severity_rank, "review_status": "reviewed"}
            for day in range(count)])


def _list_steps(app, call, *, counts: bool = False) -> int:  # type: ignore[no-untyped-def]
    """SQLite virtual-machine steps (in tens) spent in the statements that list check-ins
    while `call` runs: the rows a statement reads and sorts, counted by the database itself.
    Counts are left out unless asked for (the queue's, unsearched, read every index entry of
    what they count, by design)."""
    engine = app.extensions["db"].engine
    steps = {"now": "", "total": 0}

    def tick() -> int:
        if steps["now"]:
            steps["total"] += 1
        return 0

    def record(conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
        listing = "FROM checkin" in statement and (counts or "count(" not in statement)
        steps["now"] = statement if listing else ""  # a statement's rows are read before the next runs
        conn.connection.driver_connection.set_progress_handler(tick, 10)

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return int(steps["total"])


@pytest.mark.sqlite_only
def test_reading_the_check_in_lists_does_not_grow_with_the_check_ins_reviewed_before(app, doctor, submit,
                                                                                     checkin_of):
    checkin_of("C-NEW", OPIOID)
    checkin_of("C-QUIET", {})
    past = make_plan(app, submit("PAST", None, FAR))  # the clinic's reviewed past, on one plan

    def cost() -> int:
        lists = _list_steps(app, lambda: [doctor.get(f"/doctor/{query}") for query in ("", "?review=new")])
        return lists + _list_steps(app, lambda: doctor.get("/doctor/?q=C-N"), counts=True)  # a search: all of it

    _history(app, past, 100, 0, 0)
    _history(app, past, 100, 1000, NO_FLAGS_RANK)
    before = cost()
    _history(app, past, 2000, 2000, 0)  # twenty times as many reviewed, flagged and not
    _history(app, past, 2000, 5000, NO_FLAGS_RANK)
    after = cost()
    assert order(doctor.get("/doctor/?review=new").get_data(as_text=True))[0] == "C:C-NEW"
    assert 0 < after <= before * 1.1, (before, after)


# --- "no concerns" -------------------------------------------------------------------------

def test_no_concerns_are_listed_below_the_queue_with_checkboxes(doctor, checkin_of):
    quiet = checkin_of("C-QUIET", {}, day=7)
    flagged = checkin_of("C-FLAG", OPIOID)
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert html.index("</table>") < html.index('id="no-concerns"')
    section = html.split('id="no-concerns"')[1]
    assert f'<input type="checkbox" id="checkin-{quiet}" name="checkin" value="{quiet}">' in section
    assert f'<label for="checkin-{quiet}">C-QUIET: check-in, day 7, due' in section
    assert f'value="{flagged}"' not in section
    assert "Mark selected as reviewed</button>" in section and "<script" not in section
    assert "C:C-QUIET" not in order(html)


def _quiet_listed(html: str) -> list[str]:
    """The patient references in the "no concerns" list, in order."""
    return re.findall(r'<label for="checkin-\d+">([^:]+):', html.split('id="no-concerns"')[1])


@pytest.fixture
def five_quiet(monkeypatch, checkin_of) -> list[str]:
    """Five check-ins without flags, due on five days, listed two to a page."""
    monkeypatch.setattr(checkin_list, "NO_CONCERNS_SHOWN", 2)
    refs = [f"C-Q{number}" for number in range(5)]
    for number, ref in enumerate(refs):
        checkin_of(ref, {}, due=TODAY - timedelta(days=10 - number))
    return refs


@pytest.mark.parametrize(("query", "shown", "heading"), [
    ("", [0, 1], "5 waiting; 1 to 2 shown"),
    ("?quiet_page=2", [2, 3], "5 waiting; 3 to 4 shown"),
    ("?quiet_page=3", [4], "5 waiting; 5 to 5 shown"),
    ("?quiet_page=99", [4], "5 waiting; 5 to 5 shown"),  # past the end: the last page
    ("?quiet_page=-1", [0, 1], "5 waiting; 1 to 2 shown"),
    ("?quiet_page=x", [0, 1], "5 waiting; 1 to 2 shown"),
])
def test_the_no_concerns_list_is_paged_oldest_due_first(doctor, five_quiet, query, shown, heading):
    html = doctor.get(f"/doctor/{query}").get_data(as_text=True)
    assert _quiet_listed(html) == [five_quiet[number] for number in shown]
    assert f"Check-ins with no concerns ({heading})" in html


def test_the_no_concerns_pages_link_to_each_other_keeping_the_queue_s_filters(doctor, five_quiet):
    html = doctor.get("/doctor/?quiet_page=2&review=new&page=1&junk=1").get_data(as_text=True)
    pages = html.split('aria-label="Pages of check-ins with no concerns"')[1].split("</nav>")[0]
    links = {words: url.replace("&amp;", "&") for url, words in re.findall(r'<a href="([^"]+)">([^<]+)</a>', pages)}
    assert links == {"Previous check-ins with no concerns": "/doctor/?review=new&page=1&quiet_page=1#no-concerns",
                     "Next check-ins with no concerns": "/doctor/?review=new&page=1&quiet_page=3#no-concerns"}


def test_one_page_of_no_concerns_has_no_page_links(doctor, checkin_of):
    checkin_of("C-Q", {})
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert "Check-ins with no concerns (1 waiting)" in html and "Pages of check-ins with no concerns" not in html


def _bulk(doctor, ids: list[int]):  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf_token" value="([^"]+)"', doctor.get("/doctor/").get_data(as_text=True)).group(1)
    return doctor.client.post("/doctor/checkins/review", data={"csrf_token": token, "checkin": [str(i) for i in ids]})


def test_bulk_review_marks_only_check_ins_without_flags(app, doctor, checkin_of):
    quiet = [checkin_of(f"C-Q{n}", {}, day=7 * (n + 1)) for n in range(3)]
    flagged = checkin_of("C-FLAG", OPIOID)
    done = _bulk(doctor, [*quiet[:2], flagged])
    assert done.status_code == 302 and done.headers["Location"] == "/doctor/#no-concerns"
    html = doctor.get("/doctor/").get_data(as_text=True)
    assert "Marked 2 check-ins as reviewed." in html
    assert "Not marked: 1 check-in with flags. Open each one to review it." in html
    with app.extensions["db"].read() as session:
        statuses = {row.id: row.review_status for row in session.execute(select(CheckIn.id, CheckIn.review_status))}
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.reviewed")).all()
    assert statuses == {quiet[0]: "reviewed", quiet[1]: "reviewed", quiet[2]: "new", flagged: "new"}
    assert sorted(event.details["checkin_id"] for event in events) == quiet[:2]
    assert all(event.details["in_bulk"] is True and event.target.startswith("response:") for event in events)
    section = html.split('id="no-concerns"')[1]
    assert f'value="{quiet[2]}"' in section and f'value="{quiet[0]}"' not in section


def test_bulk_review_twice_says_they_were_already_reviewed(doctor, checkin_of):
    quiet = checkin_of("C-Q", {})
    _bulk(doctor, [quiet])
    _bulk(doctor, [quiet])
    assert "Not marked: 1 check-in already reviewed or not sent." in doctor.get("/doctor/").get_data(as_text=True)


def test_bulk_review_with_nothing_selected_says_so(doctor):
    _bulk(doctor, [])
    assert "Select at least one check-in to mark as reviewed." in doctor.get("/doctor/").get_data(as_text=True)


def test_bulk_review_needs_the_csrf_token(app, doctor, checkin_of):
    quiet = checkin_of("C-Q", {})
    refused = doctor.client.post("/doctor/checkins/review", data={"checkin": [str(quiet)]})
    assert refused.status_code == 400
    with app.extensions["db"].read() as session:
        assert session.get(CheckIn, quiet).review_status == "new"


def test_bulk_review_ignores_what_is_not_an_id(app, doctor, checkin_of):
    quiet = checkin_of("C-Q", {})
    token = re.search(r'name="csrf_token" value="([^"]+)"', doctor.get("/doctor/").get_data(as_text=True)).group(1)
    doctor.client.post("/doctor/checkins/review",
                       data={"csrf_token": token, "checkin": [str(quiet), "1 OR 1=1", "-3", "x"]})
    with app.extensions["db"].read() as session:
        assert session.get(CheckIn, quiet).review_status == "reviewed"
        assert session.execute(text("SELECT count(*) FROM checkin WHERE review_status = 'reviewed'")).scalar() == 1
