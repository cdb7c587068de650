"""HTTP throughput and latency of every questionnaire page, GET and POST, over gunicorn.

The product runs as ``screening:create_app()`` under gunicorn (2 sync workers, loopback,
a free port) on a fresh, migrated SQLite database in a temporary folder, with rate
limits off (``RATELIMIT_ENABLED=false``: the load comes from one address).

Each load connection is its own patient: an invitation opened through ``/i/<token>``
(so the session cookie is the real one), with answers that show every page (see
``patient_data``). Before any load, one extra patient fills every page in process
through the Flask test client and each page must answer 302, which proves each answer
set is a valid save. GET measures the page as shown; POST sends that page's answers with
the CSRF token and the current revision, and each one is a real validated save
(the revision goes up by one each time).

The two reference apps (reference_apps.py) run beside it under the same gunicorn
settings, and each page's windows alternate with its reference's (see measure_http).
``python -m benchmarks.http_pages`` runs this part alone (BENCH_PAGES=a,b for a subset).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from .http_load import CONNECTIONS, PROCESSES, LoadPool, LoadResult, Server, merge, request, session_cookie
from .patient_data import every_page_answers, form_fields
from .reference_apps import form_get_scenarios, form_post_scenarios, hello_scenarios, reference_servers

SECRET = "benchmark-secret-key-0123456789abcdef-0123456789"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
REVISION_INPUT = re.compile(r'name="revision" value="(\d+)"')


def server_env(workdir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{workdir / 'pages.sqlite3'}",
        "SECRET_KEY": SECRET,
        "RATELIMIT_ENABLED": "false",
        "INSTANCE_PATH": str(workdir / "instance"),
        "SCREENING_ENV": "development",
    }


def prepare_database(workdir: Path, patients: int) -> tuple[list[str], dict[str, Any]]:
    """Migrate the database, check every page's answers in process, and make `patients` links.

    Returns the links' tokens and the full contract-format answers they start with.
    """
    from screening import create_app
    from screening.invitations import create_invitation
    from screening.migrations import upgrade
    from screening.models import QuestionnaireResponse
    from screening.patient.responses import CHECK_PAGE

    env = server_env(workdir)
    upgrade(env["DATABASE_URL"])
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": env["DATABASE_URL"], "RATELIMIT_ENABLED": False})
    database = app.extensions["db"]
    with database.write() as session:
        _invitation, token = create_invitation(session, "BENCH-CHECK", None)
    client = app.test_client()
    assert client.get(f"/i/{token}").status_code == 302
    for page_id, answers in every_page_answers().items():
        html = client.get(f"/questionnaire/page/{page_id}").get_data(as_text=True)
        csrf, revision = CSRF_INPUT.search(html), REVISION_INPUT.search(html)
        assert csrf and revision, f"page {page_id} is not shown to the benchmark patient"
        data = MultiDict([("csrf_token", csrf.group(1)), ("revision", revision.group(1)), *form_fields(answers)])
        response = client.post(f"/questionnaire/page/{page_id}", data=data)
        if response.status_code != 302:
            raise RuntimeError(f"benchmark answers for page {page_id} are not a valid save ({response.status_code})")
    with database.read() as session:
        full = dict(session.query(QuestionnaireResponse).one().answers)
    tokens = []
    with database.write() as session:
        for number in range(patients):
            invitation, token = create_invitation(session, f"BENCH-{number:03d}", None)
            session.add(QuestionnaireResponse(
                invitation_id=invitation.id, questionnaire_version=app.extensions["questionnaire"].version,
                answers=dict(full), current_page=CHECK_PAGE,
            ))
            tokens.append(token)
    database.dispose()
    return tokens, full


def profile_page(workdir: Path, page_id: str, method: str, repeat: int = 200) -> tuple[Callable[[], None], int]:
    """One page's GET or POST in process (Flask test client), ready to be profiled `repeat` times."""
    from screening import create_app

    workdir.mkdir(parents=True, exist_ok=True)
    tokens, _full = prepare_database(workdir, 1)
    env = server_env(workdir)
    app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": env["DATABASE_URL"], "RATELIMIT_ENABLED": False})
    client = app.test_client()
    assert client.get(f"/i/{tokens[0]}").status_code == 302
    path = f"/questionnaire/page/{page_id}"
    html = client.get(path).get_data(as_text=True)
    csrf, revision = CSRF_INPUT.search(html), REVISION_INPUT.search(html)
    assert csrf and revision
    state = {"revision": int(revision.group(1))}
    fields = form_fields(every_page_answers()[page_id])

    def get() -> None:
        assert client.get(path).status_code == 200

    def post() -> None:
        data = MultiDict([("csrf_token", csrf.group(1)), ("revision", str(state["revision"])), *fields])
        assert client.post(path, data=data).status_code == 302
        state["revision"] += 1

    call = get if method == "GET" else post
    for _ in range(20):
        call()
    return call, repeat


def open_links(port: int, tokens: list[str]) -> list[str]:
    """Each token's patient session cookie, got the way a browser gets it."""
    cookies = []
    for token in tokens:
        status, headers, _body = request(port, "GET", f"/i/{token}")
        cookie = session_cookie(headers, None)
        if status != 302 or not cookie:
            raise RuntimeError(f"opening a benchmark link answered {status}")
        cookies.append(cookie)
    return cookies


def measure_http(
    workdir: Path, seconds: float, rounds: int = 3, warmup: float = 0.2, log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every page's GET and POST under load, each alternated with the reference it is compared with.

    All three servers run for the whole measurement (an idle sync worker costs no CPU).
    For each page and method, `rounds` pairs of windows alternate reference and page
    (each window `seconds / rounds` long after a short warm-up), so a page and its
    reference are measured within a second of each other and drift on this shared
    machine cancels out of the ratio. The bare "hello" route is measured at the start,
    the middle and the end. Peak RSS of every worker is read after the run.
    """
    connections = PROCESSES * CONNECTIONS
    window = seconds / rounds
    tokens, _full = prepare_database(workdir, connections)
    pages = every_page_answers()
    only = [p for p in os.environ.get("BENCH_PAGES", "").split(",") if p]
    if only:
        pages = {k: v for k, v in pages.items() if k in only}
    hello_server, form_server = reference_servers(workdir)
    product = Server("screening:create_app()", server_env(workdir), workdir / "gunicorn-pages.log", "/")
    results: dict[str, Any] = {
        "pages": {}, "hello_GET": [], "connections": connections, "seconds_per_page_and_method": seconds,
        "rounds": rounds, "window_s": round(window, 3), "warmup_s": warmup,
    }

    with LoadPool() as pool, hello_server as hello, form_server as form, product as app:
        cookies = open_links(app.port, tokens)

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
        for number, (page_id, answers) in enumerate(pages.items()):
            path = f"/questionnaire/page/{page_id}"
            fields = form_fields(answers)
            ref_get, get = alternate(
                (form, form_get_scenarios(connections)),
                (app, [{"kind": "get", "path": path, "cookie": c} for c in cookies]))
            ref_post, post = alternate(
                (form, form_post_scenarios(connections)),
                (app, [{"kind": "page_post", "path": path, "cookie": c, "fields": fields} for c in cookies]))
            entry = {"GET": get.summary(), "reference_GET": ref_get.summary(),
                     "POST": post.summary(), "reference_POST": ref_post.summary()}
            entry["GET_ratio"] = round(get.requests / max(1, ref_get.requests), 3)
            entry["POST_ratio"] = round(post.requests / max(1, ref_post.requests), 3)
            results["pages"][page_id] = entry
            errors = get.errors + post.errors + ref_get.errors + ref_post.errors
            log(f"  {page_id:24s} GET {get.throughput:6.1f} req/s (ref {ref_get.throughput:6.1f},"
                f" x{entry['GET_ratio']:.2f}) p50 {entry['GET']['p50_ms']:5.1f} ms | POST {post.throughput:6.1f} req/s"
                f" (ref {ref_post.throughput:6.1f}, x{entry['POST_ratio']:.2f}) p50 {entry['POST']['p50_ms']:5.1f} ms"
                + (f"  ERRORS {errors}" if errors else ""))
            if number == len(pages) // 2:
                measure_hello()
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
