"""Doctor queue (first page), summary page and LDN plan page with 100,000 submissions, on
SQLite and PostgreSQL.

Each database is migrated with the real Alembic migrations and seeded in bulk (see
seed.py), then given LDN plans and check-ins (seed_followup.py: 1,000 plans, about 3,000
check-ins sent, so the queue's check-in part and its "no concerns" list are read as a
clinic would have them, and one plan with 12 check-ins sent, the plan page timed). Then
a doctor signs in through the real login form and the pages are requested in process
with the Flask test client: the time is the server's (routing, session and login
checks, queries, view-model, template, the audit write the summary and plan pages do), without
a network or a load generator. The figure is the median over ITERATIONS requests after a
warm-up, with the 90th percentile beside it.

PostgreSQL: ``BENCH_POSTGRES_URL`` if set; otherwise a ``screening_bench`` database on the
local cluster, owned by the ``screening`` role (password ``screening``), as .ci/run sets
up. When run as root on a machine with a stopped Debian cluster, the cluster is started
for the benchmark (and stopped again afterwards), and the role is created if missing.
When PostgreSQL cannot be had, the reason is printed and reported.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "100000"))
ITERATIONS = int(os.environ.get("BENCH_DOCTOR_ITERATIONS", "60"))
WARMUP = 5
PASSWORD = "benchmark doctor password 0123"
EMAIL = "bench.doctor@clinic.example"
PG_ROLE = "screening"
PG_DATABASE = "screening_bench"
TARGETS_MS = {"queue": 50.0, "summary": 30.0, "plan": 30.0}
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _timed(call: Callable[[], Any], iterations: int) -> dict[str, Any]:
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(iterations):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(samples[int(0.9 * (len(samples) - 1))], 2),
        "min_ms": round(samples[0], 2),
        "iterations": iterations,
    }


def measure_database(
    url: str, pool: Any, log: Callable[[str], None] = print, seeded: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Migrate, seed SUBMISSIONS submissions with plans and check-ins, and time the queue,
    summary and plan pages.

    `seeded`: the seed() and seed_followup() results of a database seeded before (skips
    migrating and seeding).
    """
    from screening import create_app
    from screening.auth import hash_password
    from screening.doctor.queue import QueueFilters, load_queue
    from screening.migrations import upgrade
    from screening.models import Doctor

    from .seed import seed
    from .seed_followup import seed_followup

    began = time.perf_counter()
    if seeded is None:
        upgrade(url)
        info = seed(url, SUBMISSIONS, pool)
        info.update(seed_followup(url, SUBMISSIONS))
    else:
        info = seeded
    seeded_s = round(time.perf_counter() - began, 1)
    log(f"    seeded {SUBMISSIONS:,} submissions, {info['plans']:,} plans and {info['checkins_sent']:,} check-ins sent"
        f" ({info['checkins_flagged']:,} flagged, {info['checkins_flagged_new']:,} of them new) in {seeded_s} s")
    app = create_app({
        "SECRET_KEY": "benchmark-secret-key-0123456789abcdef-0123456789", "DATABASE_URL": url,
        "RATELIMIT_ENABLED": False,
        "REQUIRE_MFA": False,  # the benchmark doctor signs in with a password alone: it times pages, not sign-in
    })
    database = app.extensions["db"]
    try:
        with database.write() as session:
            session.query(Doctor).filter(Doctor.email == EMAIL).delete()
            session.add(Doctor(email=EMAIL, password_hash=hash_password(PASSWORD), active=True, session_version=0))
        client = app.test_client()
        html = client.get("/doctor/login").get_data(as_text=True)
        token = CSRF_INPUT.search(html)
        assert token, "no CSRF token on the login page"
        login = client.post("/doctor/login", data={"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD})
        assert login.status_code == 302, f"benchmark doctor could not sign in ({login.status_code})"

        def get(path: str) -> Callable[[], None]:
            def call() -> None:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            return call

        busiest, typical = info["busiest_response_id"], info["typical_response_id"]
        # Interleaved in short batches, so drift on a shared machine hits every figure alike.
        names = {
            "queue": get("/doctor/"),
            "summary": get(f"/doctor/submissions/{busiest}"),
            "summary_typical": get(f"/doctor/submissions/{typical}"),
            "queue_filtered_critical_new": get("/doctor/?severity=critical&review=new"),
            "queue_search": get("/doctor/?q=BENCH-0999"),
            "queue_page_100": get("/doctor/?page=100"),
            "plan": get(f"/doctor/plans/{info['plan_id']}"),
            "checkin": get(f"/doctor/checkins/{info['flagged_checkin_id']}"),
        }
        batches: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        rounds = 4
        for _ in range(rounds):
            for name, call in names.items():
                batches[name].append(_timed(call, max(1, ITERATIONS // rounds)))
        pages = {name: _merge(runs) for name, runs in batches.items()}

        def queue_query() -> None:
            with database.read() as session:
                load_queue(session, QueueFilters())

        pages["queue_query_only"] = _timed(queue_query, ITERATIONS)
        profiles = {}
        for name, limit in TARGETS_MS.items():
            if pages[name]["median_ms"] >= limit:
                from .report import _profile

                profiles[name] = _profile(names[name], 20)
        return {"seed": {**info, "seconds": seeded_s, "submissions": SUBMISSIONS}, "pages": pages,
                "profiles": profiles}
    finally:
        database.dispose()


def _merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of the batch medians (each batch already a median)."""
    return {
        "median_ms": round(statistics.median(r["median_ms"] for r in runs), 2),
        "p90_ms": round(max(r["p90_ms"] for r in runs), 2),
        "min_ms": round(min(r["min_ms"] for r in runs), 2),
        "iterations": sum(r["iterations"] for r in runs),
    }


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'doctor.sqlite3'}"


def _as_postgres(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["su", "postgres", "-c", command], capture_output=True, text=True, timeout=60, check=False)


class PostgresDatabase:
    """A fresh benchmark database on PostgreSQL, or the reason there is none (`reason`)."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.reason: str | None = None
        self.started_cluster: str | None = None
        self.admin_url: str | None = None

    def __enter__(self) -> PostgresDatabase:
        try:
            self._prepare()
        except Exception as error:  # noqa: BLE001 - any failure means "skip PostgreSQL, say why"
            self.reason = f"PostgreSQL not available: {error}"
            self.url = None
        return self

    def _prepare(self) -> None:
        given = os.environ.get("BENCH_POSTGRES_URL")
        if given:
            self.url = given
            engine = create_engine(given)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            return
        port = self._local_cluster()
        base = f"postgresql+psycopg://{PG_ROLE}:{PG_ROLE}@127.0.0.1:{port}"
        self.admin_url = f"{base}/postgres"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
            connection.execute(text(f"CREATE DATABASE {PG_DATABASE} OWNER {PG_ROLE}"))
        engine.dispose()
        self.url = f"{base}/{PG_DATABASE}"

    def _local_cluster(self) -> str:
        if not shutil.which("pg_lsclusters"):
            raise RuntimeError("no local cluster (pg_lsclusters not found); set BENCH_POSTGRES_URL")
        lines = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                               timeout=30, check=True).stdout.split("\n")
        fields = next((line.split() for line in lines if line.strip()), None)
        if not fields:
            raise RuntimeError("no PostgreSQL cluster is set up on this machine")
        version, name, port, status = fields[0], fields[1], fields[2], fields[3]
        if status != "online":
            if os.geteuid() != 0:
                raise RuntimeError(f"cluster {version}/{name} is {status} and starting it needs root")
            subprocess.run(["pg_ctlcluster", version, name, "start"], capture_output=True, text=True,
                           timeout=60, check=True)
            self.started_cluster = f"{version} {name}"
        if os.geteuid() == 0:
            found = _as_postgres(f"psql -p {port} -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='{PG_ROLE}'\"")
            if found.stdout.strip() != "1":
                _as_postgres(f"psql -p {port} -qc \"CREATE ROLE {PG_ROLE} LOGIN CREATEDB PASSWORD '{PG_ROLE}'\"")
        return port

    def __exit__(self, *_exc: Any) -> None:
        if self.admin_url and self.url:
            try:
                engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
                with engine.connect() as connection:
                    connection.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
                engine.dispose()
            except Exception:  # noqa: BLE001,S110 - cleanup only
                pass
        if self.started_cluster:
            subprocess.run(["pg_ctlcluster", *self.started_cluster.split(), "stop"], capture_output=True,
                           timeout=60, check=False)


def measure(workdir: Path, log: Callable[[str], None] = print) -> dict[str, Any]:
    from .seed import describe, variants

    pool = variants()
    results: dict[str, Any] = {"submissions": SUBMISSIONS, "variants": describe(pool), "iterations": ITERATIONS}
    log("  SQLite")
    results["sqlite"] = measure_database(sqlite_url(workdir), pool, log)
    _log_pages(results["sqlite"], log)
    with PostgresDatabase() as postgres:
        if postgres.url is None:
            log(f"  PostgreSQL skipped: {postgres.reason}")
            results["postgresql"] = {"skipped": postgres.reason}
        else:
            log("  PostgreSQL" + (f" (cluster {postgres.started_cluster} started for the benchmark)"
                                  if postgres.started_cluster else ""))
            results["postgresql"] = measure_database(postgres.url, pool, log)
            _log_pages(results["postgresql"], log)
    return results


def _log_pages(result: dict[str, Any], log: Callable[[str], None]) -> None:
    for name, figures in result["pages"].items():
        log(f"    {name:28s} median {figures['median_ms']:7.2f} ms  p90 {figures['p90_ms']:7.2f} ms")


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ldn-bench-doctor-") as folder:
        print(json.dumps(measure(Path(folder)), indent=1))
