"""HTTP throughput and latency of every patient page, GET and POST, over gunicorn.

Two journeys, measured the same way: the screening's questionnaire pages, and a
check-in's pages (followup.md: `/c/<token>`, `/checkin/page/<id>`) with the check-in's
check page (GET alone: it has no form to post but the one-off submit).

The product runs as ``screening:create_app()`` under gunicorn (2 sync workers, loopback,
a free port) on a fresh, migrated SQLite database in a temporary folder, with rate
limits off (``RATELIMIT_ENABLED=false``: the load comes from one address).

Each load connection is its own patient: an invitation opened through ``/i/<token>``, or
a check-in opened through ``/c/<token>`` (so the session cookie is the real one), with
answers that show every page (see ``patient_data``). A check-in's patient has a
submitted, reviewed screening (the benchmark's own answers), an active plan started 7
days ago and a check-in due today. Before any load, one extra patient of each journey
fills every page in process through the Flask test client and each page must answer
302 (and the check page 200), which proves each answer set is a valid save. GET
measures the page as shown; POST sends that page's answers with the CSRF token and the
current revision, and each one is a real validated save (the revision goes up by one
each time).

The two reference apps (reference_apps.py) run beside it under the same gunicorn
settings, and each page's windows alternate with its reference's (see measure_http).
``python -m benchmarks.http_pages`` runs this part alone (BENCH_PAGES=a,b for a subset of
either journey's pages; ``check`` is the check-in's check page).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from .http_load import (
    CONNECTIONS,
    CSRF_INPUT,
    PROCESSES,
    REVISION_INPUT,
    LoadPool,
    LoadResult,
    Server,
    merge,
    request,
    session_cookie,
)
from .patient_data import every_checkin_page_answers, every_page_answers, form_fields
from .reference_apps import form_get_scenarios, form_post_scenarios, hello_scenarios, reference_servers

SECRET = "benchmark-secret-key-0123456789abcdef-0123456789"
CHECKIN_DAY = 7  # a check-in patient is on day 7 of the default plan (its first check-in)
CHECK_ROW = "check"  # the check-in's check page, measured by GET alone


@dataclass(frozen=True)
class Journey:
    """One patient journey under load: where its links and pages are, and its answers."""

    name: str
    results_key: str  # where measure_http puts its pages' figures
    link: str  # a link's path; {} is the token
    page: str  # a page's path; {} is its ID
    check: str  # the check page
    answers: Callable[[], dict[str, dict[str, Any]]]
    measure_check: bool  # the check page is a row of its own (GET only)


SCREENING = Journey("screening", "pages", "/i/{}", "/questionnaire/page/{}", "/questionnaire/check",
                    every_page_answers, measure_check=False)
CHECKIN = Journey("checkin", "checkin_pages", "/c/{}", "/checkin/page/{}", "/checkin/check",
                  every_checkin_page_answers, measure_check=True)
JOURNEYS = (SCREENING, CHECKIN)


@dataclass(frozen=True)
class Prepared:
    """The links of each journey's load patients, and the answers they start with."""

    tokens: dict[str, list[str]]  # journey name -> tokens
    answers: dict[str, dict[str, Any]]  # journey name -> full contract-format answers


def server_env(workdir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{workdir / 'pages.sqlite3'}",
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": "false",
        "INSTANCE_PATH": str(workdir / "instance"),
        "SCREENING_ENV": "development",
    }


def _app(workdir: Path) -> Any:
    from screening import create_app

    return create_app({"SECRET_KEY": SECRET, "DATABASE_URL": server_env(workdir)["DATABASE_URL"],
                       "RATELIMIT_ENABLED": False})


def _fill_in_process(client: Any, journey: Journey, token: str) -> None:
    """Open the link and post every page's answers through the test client: each must save (302)."""
    opened = client.get(journey.link.format(token))
    assert opened.status_code == 302, f"{journey.name} link answered {opened.status_code}"
    for page_id, answers in journey.answers().items():
        path = journey.page.format(page_id)
        html = client.get(path).get_data(as_text=True)
        csrf, revision = CSRF_INPUT.search(html), REVISION_INPUT.search(html)
        assert csrf and revision, f"{journey.name} page {page_id} is not shown to the benchmark patient"
        data = MultiDict([("csrf_token", csrf.group(1)), ("revision", revision.group(1)), *form_fields(answers)])
        response = client.post(path, data=data)
        if response.status_code != 302:
            raise RuntimeError(f"benchmark answers for {journey.name} page {page_id} are not a valid save"
                               f" ({response.status_code})")
    check = client.get(journey.check)
    if check.status_code != 200:
        raise RuntimeError(f"the {journey.name} check page answered {check.status_code} after every page")


def _checkin_for(session: Any, patient_ref: str, screening_answers: dict[str, Any]) -> tuple[Any, str]:
    """A submitted, reviewed screening, an active default plan started CHECKIN_DAY days ago,
    and its check-in due today (UTC, as the app counts): the check-in and its link token."""
    from screening.followup.checkins import create_checkin
    from screening.models import PlanChange, TreatmentPlan
    from screening.patient.submission import create_submitted
    from screening.questionnaire import QUESTIONNAIRE
    from screening.rules.plan import Plan

    today = datetime.now(UTC).date()
    response = create_submitted(session, patient_ref, screening_answers, appointment=None,
                                questionnaire_version=QUESTIONNAIRE.version)
    response.review_status = "reviewed"
    terms = Plan(start_date=today - timedelta(days=CHECKIN_DAY)).to_json()
    plan = TreatmentPlan(response_id=response.id, terms=terms, status="active", version=1)
    session.add(plan)
    session.flush()
    session.add(PlanChange(plan_id=plan.id, action="started", terms=terms))
    checkin, token = create_checkin(session, plan, today, None)
    return checkin, token


def prepare_database(workdir: Path, patients: int) -> Prepared:
    """Migrate the database, check every page's answers of both journeys in process, and
    make `patients` links of each journey, their answers complete (every page reachable)."""
    from screening.invitations import create_invitation
    from screening.migrations import upgrade
    from screening.models import CheckIn, QuestionnaireResponse
    from screening.patient.responses import CHECK_PAGE

    upgrade(server_env(workdir)["DATABASE_URL"])
    app = _app(workdir)
    database = app.extensions["db"]
    with database.write() as session:
        _invitation, token = create_invitation(session, "BENCH-CHECK", None)
    _fill_in_process(app.test_client(), SCREENING, token)
    with database.read() as session:
        full = dict(session.query(QuestionnaireResponse).one().answers)
    with database.write() as session:
        check_in, token = _checkin_for(session, "BENCH-CI-CHECK", full)
        check_in_id = check_in.id
    _fill_in_process(app.test_client(), CHECKIN, token)
    with database.read() as session:
        full_checkin = dict(session.get_one(CheckIn, check_in_id).answers)
    tokens: dict[str, list[str]] = {SCREENING.name: [], CHECKIN.name: []}
    with database.write() as session:
        for number in range(patients):
            invitation, token = create_invitation(session, f"BENCH-{number:03d}", None)
            session.add(QuestionnaireResponse(
                invitation_id=invitation.id, questionnaire_version=app.extensions["questionnaire"].version,
                answers=dict(full), current_page=CHECK_PAGE,
            ))
            tokens[SCREENING.name].append(token)
            check_in, token = _checkin_for(session, f"BENCH-CI-{number:03d}", full)
            check_in.answers, check_in.current_page = dict(full_checkin), CHECK_PAGE
            tokens[CHECKIN.name].append(token)
    database.dispose()
    return Prepared(tokens, {SCREENING.name: full, CHECKIN.name: full_checkin})


def _journey(name: str) -> Journey:
    return next(journey for journey in JOURNEYS if journey.name == name)


def profile_page(
    workdir: Path, page_id: str, method: str, repeat: int = 200, journey: str = SCREENING.name,
) -> tuple[Callable[[], None], int]:
    """One page's GET or POST in process (Flask test client), ready to be profiled `repeat`
    times; `journey` "checkin" for a check-in page (`check`: its check page, GET only)."""
    workdir.mkdir(parents=True, exist_ok=True)
    which = _journey(journey)
    prepared = prepare_database(workdir, 1)
    client = _app(workdir).test_client()
    assert client.get(which.link.format(prepared.tokens[which.name][0])).status_code == 302
    path = which.check if page_id == CHECK_ROW and which.measure_check else which.page.format(page_id)
    html = client.get(path).get_data(as_text=True)
    csrf, revision = CSRF_INPUT.search(html), REVISION_INPUT.search(html)

    def get() -> None:
        assert client.get(path).status_code == 200

    call = get
    if method == "POST":
        assert csrf and revision
        state = {"revision": int(revision.group(1))}
        fields = form_fields(which.answers()[page_id])

        def post() -> None:
            data = MultiDict([("csrf_token", csrf.group(1)), ("revision", str(state["revision"])), *fields])
            assert client.post(path, data=data).status_code == 302
            state["revision"] += 1

        call = post
    for _ in range(20):
        call()
    return call, repeat


def open_links(port: int, tokens: list[str], link: str = SCREENING.link) -> list[str]:
    """Each token's patient session cookie, got the way a browser gets it."""
    cookies = []
    for token in tokens:
        status, headers, _body = request(port, "GET", link.format(token))
        cookie = session_cookie(headers, None)
        if status != 302 or not cookie:
            raise RuntimeError(f"opening a benchmark link answered {status}")
        cookies.append(cookie)
    return cookies


def selected_pages(journey: Journey) -> dict[str, dict[str, Any] | None]:
    """The journey's rows to measure: page ID -> its answers (None: the check page, GET
    only), narrowed by BENCH_PAGES (a comma-separated list of page IDs of either journey)."""
    rows: dict[str, dict[str, Any] | None] = dict(journey.answers())
    if journey.measure_check:
        rows[CHECK_ROW] = None
    only = [p for p in os.environ.get("BENCH_PAGES", "").split(",") if p]
    return {k: v for k, v in rows.items() if k in only} if only else rows


def measure_http(
    workdir: Path, seconds: float, rounds: int = 3, warmup: float = 0.2, log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every page's GET and POST of both journeys under load, each alternated with the
    reference it is compared with.

    All three servers run for the whole measurement (an idle sync worker costs no CPU).
    For each page and method, `rounds` pairs of windows alternate reference and page
    (each window `seconds / rounds` long after a short warm-up), so a page and its
    reference are measured within a second of each other and drift on this shared
    machine cancels out of the ratio. The bare "hello" route is measured at the start,
    the middle and the end. Peak RSS of every worker is read after the run. The
    screening's pages go in `pages`, the check-in's in `checkin_pages` (its check page
    as the row `check`, with a GET and no POST).
    """
    connections = PROCESSES * CONNECTIONS
    window = seconds / rounds
    prepared = prepare_database(workdir, connections)
    rows = {journey.name: selected_pages(journey) for journey in JOURNEYS}
    middle = sum(len(pages) for pages in rows.values()) // 2
    hello_server, form_server = reference_servers(workdir)
    product = Server("screening:create_app()", server_env(workdir), workdir / "gunicorn-pages.log", "/")
    results: dict[str, Any] = {
        **{journey.results_key: {} for journey in JOURNEYS}, "hello_GET": [], "connections": connections,
        "seconds_per_page_and_method": seconds, "rounds": rounds, "window_s": round(window, 3), "warmup_s": warmup,
    }

    with LoadPool() as pool, hello_server as hello, form_server as form, product as app:
        cookies = {journey.name: open_links(app.port, prepared.tokens[journey.name], journey.link)
                   for journey in JOURNEYS}

        def alternate(reference: tuple[Server, list[dict[str, Any]]],
                      page: tuple[Server, list[dict[str, Any]]]) -> tuple[LoadResult, LoadResult]:
            try:
                pairs = [
                    (pool.window(reference[0].port, reference[1], window, warmup),
                     pool.window(page[0].port, page[1], window, warmup))
                    for _ in range(rounds)
                ]
            except RuntimeError as error:
                states = "; ".join(server.health() for server in (hello, form, app))
                raise RuntimeError(f"{error} ({states})") from error
            return merge([p[0] for p in pairs]), merge([p[1] for p in pairs])

        def measure_hello() -> None:
            runs = [pool.window(hello.port, hello_scenarios(connections), window, warmup) for _ in range(rounds)]
            results["hello_GET"].append(merge(runs).summary())
            log(f"  hello                    GET {results['hello_GET'][-1]['rps']:7.1f} req/s")

        measure_hello()
        number = 0
        for journey in JOURNEYS:
            if rows[journey.name]:
                log(f"  {journey.name} pages")
            for page_id, answers in rows[journey.name].items():
                path = journey.check if answers is None else journey.page.format(page_id)
                mine = cookies[journey.name]
                ref_get, get = alternate(
                    (form, form_get_scenarios(connections)),
                    (app, [{"kind": "get", "path": path, "cookie": c} for c in mine]))
                entry: dict[str, Any] = {"GET": get.summary(), "reference_GET": ref_get.summary(),
                                         "GET_ratio": round(get.requests / max(1, ref_get.requests), 3)}
                errors = get.errors + ref_get.errors
                line = (f"  {page_id:24s} GET {get.throughput:6.1f} req/s (ref {ref_get.throughput:6.1f},"
                        f" x{entry['GET_ratio']:.2f}) p50 {entry['GET']['p50_ms']:5.1f} ms")
                if answers is not None:
                    fields = form_fields(answers)
                    ref_post, post = alternate(
                        (form, form_post_scenarios(connections)),
                        (app, [{"kind": "page_post", "path": path, "cookie": c, "fields": fields} for c in mine]))
                    entry.update({"POST": post.summary(), "reference_POST": ref_post.summary(),
                                  "POST_ratio": round(post.requests / max(1, ref_post.requests), 3)})
                    errors += post.errors + ref_post.errors
                    line += (f" | POST {post.throughput:6.1f} req/s (ref {ref_post.throughput:6.1f},"
                             f" x{entry['POST_ratio']:.2f}) p50 {entry['POST']['p50_ms']:5.1f} ms")
                results[journey.results_key][page_id] = entry
                log(line + (f"  ERRORS {errors}" if errors else ""))
                if number == middle:
                    measure_hello()
                number += 1
        measure_hello()
        results["worker_peak_rss_mb"] = {
            "product": app.worker_peak_rss_mb(),
            "reference_form": form.worker_peak_rss_mb(),
            "reference_hello": hello.worker_peak_rss_mb(),
        }
    return results


def main() -> None:
    import json

    seconds = float(os.environ.get("BENCH_SECONDS", "2.4"))
    with tempfile.TemporaryDirectory(prefix="ldn-bench-") as folder:
        print(json.dumps(measure_http(Path(folder), seconds)["worker_peak_rss_mb"]))


if __name__ == "__main__":
    main()
