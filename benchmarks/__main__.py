"""`python -m benchmarks` (what `make bench` runs): every benchmark, one report.

1. Rule evaluation of full submissions and medication classification per name, in
   process (benchmarks/evaluate.py and benchmarks/classify.py).
2. Every questionnaire page and every check-in page (and the check-in's check page), GET
   and POST, over HTTP (gunicorn, 2 sync workers, loopback), alternated with the two
   reference apps (benchmarks/http_pages.py, reference_apps.py).
3. Doctor queue, summary and LDN plan page (12 check-ins) with 100,000 submissions, 1,000
   plans and about 3,000 check-ins sent, on SQLite and PostgreSQL
   (benchmarks/doctor_pages.py, seed.py, seed_followup.py).
4. Peak RSS of each gunicorn worker after the HTTP run.

Writes benchmarks/results/latest.json and benchmarks/results/latest.md (git-ignored),
and prints the report. Targets that are missed are named in the report with a profile
of the slow path. The exit status is 0 when the run completed, whatever the figures.

Settings (environment): BENCH_SECONDS (measured seconds per page and method, default
2.4, in 3 alternating windows), BENCH_SUBMISSIONS (default 100000), BENCH_PAGES (a
comma-separated subset of the pages of either journey; `check` is the check-in's check
page), BENCH_POSTGRES_URL, BENCH_SKIP (comma-separated:
rules, http, doctor).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import report

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def log(message: str) -> None:
    print(message, flush=True)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10,
                              check=False).stdout.strip()
    except OSError:
        return ""


def _load() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def main() -> int:
    skip = {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()}
    seconds = float(os.environ.get("BENCH_SECONDS", "2.4"))
    started = time.monotonic()
    raw: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": _load(),
        },
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }
    log(f"LDN screening benchmarks: {raw['machine']['cpus']} CPUs, load {raw['machine']['load_average_at_start']},"
        f" commit {raw['commit']}{' (with uncommitted changes)' if raw['uncommitted_changes'] else ''}")

    if "rules" not in skip:
        log("Rules: evaluation of full submissions and classification per name (in process)")
        raw["evaluate"] = _run_module("evaluate")
        raw["classify"] = _run_module("classify")
        for key in ("evaluate", "classify"):
            value = raw[key].get(f"{key}_ms_median")
            log(f"  {key} median {value} ms" if value is not None else f"  {key}: {raw[key].get('error')}")

    with tempfile.TemporaryDirectory(prefix="ldn-bench-") as folder:
        workdir = Path(folder)
        if "http" not in skip:
            from .http_pages import measure_http

            log(f"HTTP: every page, GET and POST, alternated with the reference apps ({seconds} s each)")
            (workdir / "http").mkdir()
            raw["http"] = measure_http(workdir / "http", seconds, log=log)
        if "doctor" not in skip:
            from .doctor_pages import measure

            log("Doctor pages with 100,000 submissions, plans and check-ins (in process)")
            (workdir / "doctor").mkdir()
            raw["doctor"] = measure(workdir / "doctor", log=log)

        raw["machine"]["load_average_at_end"] = _load()
        raw["duration_s"] = round(time.monotonic() - started, 1)
        results = report.summarise(raw)
        results["profiles"] = report.profiles_for_misses(results, raw, workdir / "profiles", log)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    markdown = report.markdown(results)
    (RESULTS / "latest.md").write_text(markdown, encoding="utf-8")
    log("")
    log(markdown)
    log(f"Written: {RESULTS / 'latest.md'} and {RESULTS / 'latest.json'} ({results['raw']['duration_s']} s)")
    return 0


def _run_module(name: str) -> dict[str, Any]:
    """benchmarks/<name>.py's run(), or the reason it could not run."""
    try:
        module = __import__(f"benchmarks.{name}", fromlist=["run"])
        return dict(module.run())
    except Exception as error:  # noqa: BLE001 - a missing or broken benchmark is reported, not fatal
        return {"error": f"benchmarks/{name}.py could not run: {error!r}"}


if __name__ == "__main__":
    sys.exit(main())
