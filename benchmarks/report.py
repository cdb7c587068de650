"""Headline figures, target checks, profiles of missed targets, and the Markdown report."""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {
    "page_get_ratio_vs_reference": (">=", 0.8, "median patient page GET throughput vs the 20-field reference GET"),
    "page_post_ratio_vs_reference": (">=", 0.8, "median patient page POST throughput vs the reference POST"),
    "page_min_ratio": (">=", 0.8, "no page (GET or POST) below this ratio of its reference"),
    "page_ratio_median_all": (">=", 1.2, "median over every page and method of the ratio to its reference"),
    # The check-in's pages (followup.md), held to the same four targets on their own: its
    # check page (a GET, no POST) is one of its pages.
    "checkin_get_ratio_vs_reference": (">=", 0.8, "median check-in page GET throughput (check page included) vs"
                                                  " the reference GET"),
    "checkin_post_ratio_vs_reference": (">=", 0.8, "median check-in page POST throughput vs the reference POST"),
    "checkin_min_ratio": (">=", 0.8, "no check-in page (GET or POST) below this ratio of its reference"),
    "checkin_ratio_median_all": (">=", 1.2, "median over every check-in page and method of the ratio to its"
                                            " reference"),
    "evaluate_ms_median": ("<", 1.0, "rule evaluation of a full submission (ms)"),
    "classify_ms_median": ("<", 1.0, "medication classification per name (ms)"),
    "queue_ms_median.sqlite": ("<", 50.0, "doctor queue first page, 100,000 submissions, SQLite (ms)"),
    "queue_ms_median.postgresql": ("<", 50.0, "doctor queue first page, 100,000 submissions, PostgreSQL (ms)"),
    "summary_ms_median.sqlite": ("<", 30.0, "summary page, 100,000 submissions, SQLite (ms)"),
    "summary_ms_median.postgresql": ("<", 30.0, "summary page, 100,000 submissions, PostgreSQL (ms)"),
    "plan_ms_median.sqlite": ("<", 30.0, "plan page with 12 check-ins, 100,000 submissions, SQLite (ms)"),
    "plan_ms_median.postgresql": ("<", 30.0, "plan page with 12 check-ins, 100,000 submissions, PostgreSQL (ms)"),
    "rss_mb_max": ("<", 150.0, "peak RSS per gunicorn worker (MiB)"),
}
PROFILE_LINES = 25
# A journey's page figures (summarise): the prefix of its target keys, and of its other keys
# (slowest_page, page_ratios); the screening's were named before the check-in's existed.
JOURNEY_PREFIXES = {"screening": ("page_", ""), "checkin": ("checkin_", "checkin_")}
PAGE_TARGETS = ("get_ratio_vs_reference", "post_ratio_vs_reference", "min_ratio", "ratio_median_all")


def _get(results: dict[str, Any], key: str) -> Any:
    value: Any = results
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {
        "page_get_ratio_vs_reference": None, "page_post_ratio_vs_reference": None, "page_get_ratio_vs_hello": None,
        "page_min_ratio": None, "page_ratio_median_all": None, "slowest_page": None,
        "checkin_get_ratio_vs_reference": None, "checkin_post_ratio_vs_reference": None, "checkin_min_ratio": None,
        "checkin_ratio_median_all": None, "checkin_slowest_page": None,
        "evaluate_ms_median": _get(raw, "evaluate.evaluate_ms_median"),
        "classify_ms_median": _get(raw, "classify.classify_ms_median"),
        "queue_ms_median": {"sqlite": None, "postgresql": None},
        "summary_ms_median": {"sqlite": None, "postgresql": None},
        "plan_ms_median": {"sqlite": None, "postgresql": None},
        "rss_mb_max": None,
    }
    http = raw.get("http")
    if http and http.get("pages"):
        pages = http["pages"]
        results.update(_page_figures(pages, "page_", "slowest_page", "page_ratios", "page_errors"))
        hello = statistics.fmean(run["rps"] for run in http["hello_GET"])
        median_get = statistics.median(e["GET"]["rps"] for e in pages.values())
        results["page_get_ratio_vs_hello"] = round(median_get / hello, 4)
        results["hello_rps_mean"] = round(hello, 1)
        results["patients_per_hour_per_core"] = patients_per_hour_per_core(pages, raw["machine"]["cpus"] or 2)
    if http and http.get("checkin_pages"):
        results.update(_page_figures(http["checkin_pages"], "checkin_", "checkin_slowest_page", "checkin_page_ratios",
                                     "checkin_page_errors"))
    if http:
        rss = http.get("worker_peak_rss_mb", {}).get("product") or []
        results["rss_mb_max"] = max(rss) if rss else None
    doctor = raw.get("doctor") or {}
    for database in ("sqlite", "postgresql"):
        pages_by_db = _get(doctor, f"{database}.pages")
        if pages_by_db:
            for page in ("queue", "summary", "plan"):
                results[f"{page}_ms_median"][database] = _get(pages_by_db, f"{page}.median_ms")
    results["targets"] = check_targets(results)
    results["raw"] = raw
    return results


def _page_figures(pages: dict[str, Any], prefix: str, slowest: str, ratios: str, errors: str) -> dict[str, Any]:
    """One journey's headline figures from its rows: median GET and POST ratios, the lowest,
    the median over every page and method. A row without a POST (the check-in's check page)
    counts among the GETs only."""
    get_ratios = {page: entry["GET_ratio"] for page, entry in pages.items()}
    post_ratios = {page: entry["POST_ratio"] for page, entry in pages.items() if "POST_ratio" in entry}
    worst = min(
        [(ratio, page, "GET") for page, ratio in get_ratios.items()]
        + [(ratio, page, "POST") for page, ratio in post_ratios.items()]
    )
    return {
        f"{prefix}get_ratio_vs_reference": round(statistics.median(get_ratios.values()), 3),
        f"{prefix}post_ratio_vs_reference": round(statistics.median(post_ratios.values()), 3) if post_ratios else None,
        f"{prefix}ratio_median_all": round(statistics.median([*get_ratios.values(), *post_ratios.values()]), 3),
        f"{prefix}min_ratio": worst[0],
        slowest: {"page": worst[1], "method": worst[2], "ratio": worst[0]},
        ratios: {page: {"GET": get_ratios[page], "POST": post_ratios.get(page)} for page in pages},
        errors: sum(entry[method]["errors"] for entry in pages.values()
                    for method in ("GET", "POST", "reference_GET", "reference_POST") if method in entry),
    }


EXTRA_REQUESTS = 5  # opening the link, the start page, the check page, submit, the done page


def patients_per_hour_per_core(pages: dict[str, Any], cpus: int) -> dict[str, Any]:
    """What the page figures imply for whole questionnaires per hour on one core.

    With all `cpus` cores busy (server and load generator), one request costs cpus / rps
    core-seconds. A patient sends one GET and one POST for every page, plus a few other
    requests (costed like a median GET). The load generator's own share is counted as
    server time, so the estimate is on the low side.
    """
    get_costs = sorted(cpus / entry["GET"]["rps"] for entry in pages.values() if entry["GET"]["rps"])
    post_costs = [cpus / entry["POST"]["rps"] for entry in pages.values() if entry["POST"]["rps"]]
    if not get_costs or not post_costs:
        return {"value": None}
    seconds = sum(get_costs) + sum(post_costs) + EXTRA_REQUESTS * statistics.median(get_costs)
    return {
        "value": int(3600 / seconds),
        "core_seconds_per_patient": round(seconds, 3),
        "pages": len(pages),
        "basis": f"one GET and one POST of each of {len(pages)} pages plus {EXTRA_REQUESTS} other requests;"
                 " load generator included, so a low estimate",
    }


def check_targets(results: dict[str, Any]) -> dict[str, Any]:
    checks = {}
    for key, (op, limit, what) in TARGETS.items():
        value = _get(results, key)
        if value is None:
            checks[key] = {"target": f"{op} {limit}", "value": None, "met": None, "what": what}
            continue
        met = value >= limit if op == ">=" else value < limit
        checks[key] = {"target": f"{op} {limit}", "value": value, "met": met, "what": what}
    return checks


def _profile(call: Callable[[], Any], repeat: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    text = buffer.getvalue()
    for prefix in sorted({str(ROOT) + "/", *(p + "/" for p in sys.path if "site-packages" in p)}, key=len,
                         reverse=True):
        text = text.replace(prefix, "")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join([*lines, "", "Own time by package (tottime share):", *_by_package(stats)])


def _by_package(stats: pstats.Stats) -> list[str]:
    """Where the time is spent, summed by library (or by module of this project)."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if "site-packages/" in filename:
            key = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif str(ROOT) in filename:
            key = filename.replace(str(ROOT) + "/", "")
        elif filename.startswith("~") or filename.startswith("<"):
            key = "C built-ins (sqlite3, json, hashing...)"
        else:
            key = "python stdlib"
        totals[key] = totals.get(key, 0.0) + own
    grand = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:12]
    return [f"  {share / grand:6.1%}  {name}" for name, share in ranked]


def profiles_for_misses(
    results: dict[str, Any], raw: dict[str, Any], workdir: Path, log: Callable[[str], None],
) -> dict[str, str]:
    """A cProfile of the slow path of each missed target (top entries by cumulative time)."""
    profiles: dict[str, str] = {}
    missed = {key for key, check in results["targets"].items() if check["met"] is False}
    if not missed:
        return profiles
    workdir.mkdir(parents=True, exist_ok=True)
    log(f"Profiling the slow path of the missed targets: {', '.join(sorted(missed))}")
    for journey, (keys, prefix) in JOURNEY_PREFIXES.items():
        if not missed & {keys + target for target in PAGE_TARGETS}:
            continue
        from .http_pages import profile_page

        slowest = results[f"{prefix}slowest_page"]
        methods = {slowest["method"]}
        # The median over every page and method falls between the slowest GETs and the fastest
        # POSTs (GETs are mostly faster than the reference, POSTs near it): the slowest GET shows it.
        if missed & {f"{keys}get_ratio_vs_reference", f"{keys}ratio_median_all"}:
            methods.add("GET")
        if f"{keys}post_ratio_vs_reference" in missed:
            methods.add("POST")
        ratios = results[f"{prefix}page_ratios"]
        for method in sorted(methods):
            page = min((p for p in ratios if ratios[p][method] is not None), key=lambda p, m=method: ratios[p][m])
            call, repeat = profile_page(workdir / f"{journey}-page-{method}", page, method, journey=journey)
            profiles[f"{journey} page {page} {method} (in process, {repeat} requests)"] = _profile(call, repeat)
    if "evaluate_ms_median" in missed:
        from screening.rules import evaluate

        from .evaluate import rich_submission

        answers, as_of = rich_submission()
        profiles["evaluate (busy submission, 300 evaluations)"] = _profile(lambda: evaluate(answers, as_of), 300)
    if "classify_ms_median" in missed:
        import yaml

        from screening.medications import classify

        names = [row["name"] for row in yaml.safe_load(
            (ROOT / "tests" / "medications" / "names.yaml").read_text("utf-8"))]
        profiles["classify (every test name, 3 rounds)"] = _profile(lambda: [classify(n) for n in names], 3)
    for database in ("sqlite", "postgresql"):
        for page in ("queue", "summary", "plan"):
            text = _get(raw, f"doctor.{database}.profiles.{page}")
            if text:
                profiles[f"{page} page on {database} (in process)"] = text
    if "rss_mb_max" in missed:
        profiles["rss"] = "Peak RSS per worker: " + repr(_get(raw, "http.worker_peak_rss_mb"))
    return profiles


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(results: dict[str, Any]) -> str:
    raw = results["raw"]
    machine = raw["machine"]
    out: list[str] = [
        "# LDN screening: benchmark report",
        "",
        f"Run {raw['started_at']} on commit `{raw['commit']}`"
        + (" with uncommitted changes" if raw.get("uncommitted_changes") else "")
        + f"; {machine['cpus']} CPUs, Python {machine['python']}; load average {machine['load_average_at_start']}"
        f" at the start and {machine.get('load_average_at_end')} at the end; {raw['duration_s']} s in all.",
        "Reproduce with `make bench` (or `.venv/bin/python -m benchmarks`).",
        "",
        "## Targets",
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
    ]
    for key, check in results["targets"].items():
        met = {True: "yes", False: "**NO**", None: "not measured"}[check["met"]]
        out.append(f"| {check['what']} (`{key}`) | {_fmt(check['value'], 3)} | {check['target']} | {met} |")
    missed = [key for key, check in results["targets"].items() if check["met"] is False]
    unmeasured = [key for key, check in results["targets"].items() if check["met"] is None]
    out.append("")
    if missed:
        out.append(f"**Missed: {', '.join(missed)}.** Profiles of the slow paths are at the end of this report.")
    else:
        out.append("All measured targets are met.")
    if unmeasured:
        out.append(f"Not measured in this run: {', '.join(unmeasured)}"
                   + _skip_reason(raw) + ".")
    out += ["", "## Headline", ""]
    slowest = results.get("slowest_page") or {}
    out += [
        f"- Patient page GET throughput: median **{_fmt(results['page_get_ratio_vs_reference'])}×** the 20-field"
        f" Flask-WTF reference page, and **{_fmt(results['page_get_ratio_vs_hello'], 3)}×** a bare Flask"
        " \"hello\" route.",
        f"- Patient page POST (validate + save) throughput: median **{_fmt(results['page_post_ratio_vs_reference'])}×**"
        " the reference POST (validate + insert one row); over every page and method, median"
        f" **{_fmt(results['page_ratio_median_all'])}×**.",
        f"- Slowest page: **{slowest.get('page')} {slowest.get('method')}** at {_fmt(slowest.get('ratio'))}× its"
        " reference." if slowest else "- Slowest page: n/a",
    ]
    checkin_slowest = results.get("checkin_slowest_page") or {}
    if checkin_slowest:
        out.append(
            f"- Check-in pages (held to the same targets on their own): GET median"
            f" **{_fmt(results['checkin_get_ratio_vs_reference'])}×** the reference (check page included), POST median"
            f" **{_fmt(results['checkin_post_ratio_vs_reference'])}×**, over every check-in page and method"
            f" **{_fmt(results['checkin_ratio_median_all'])}×**; slowest **{checkin_slowest['page']}"
            f" {checkin_slowest['method']}** at {_fmt(checkin_slowest['ratio'])}×.")
    out += [
        f"- Rule evaluation {_fmt(results['evaluate_ms_median'], 3)} ms; classification"
        f" {_fmt(results['classify_ms_median'], 3)} ms per name.",
        f"- Queue first page {_fmt(results['queue_ms_median']['sqlite'])} ms (SQLite),"
        f" {_fmt(results['queue_ms_median']['postgresql'])} ms (PostgreSQL); summary"
        f" {_fmt(results['summary_ms_median']['sqlite'])} ms (SQLite),"
        f" {_fmt(results['summary_ms_median']['postgresql'])} ms (PostgreSQL); plan page with 12 check-ins"
        f" {_fmt(results['plan_ms_median']['sqlite'])} ms (SQLite), {_fmt(results['plan_ms_median']['postgresql'])} ms"
        f" (PostgreSQL), with {_get(raw, 'doctor.submissions') or 0:,} submissions.",
        f"- Peak RSS per worker {_fmt(results['rss_mb_max'], 1)} MiB.",
    ]
    capacity = results.get("patients_per_hour_per_core") or {}
    if capacity.get("value"):
        out.append(f"- Capacity implied: about **{capacity['value']:,} complete questionnaires per hour per core**"
                   f" ({capacity['core_seconds_per_patient']} core-seconds each: {capacity['basis']}).")
    http = raw.get("http")
    if http:
        out += _http_section(results, http)
    doctor = raw.get("doctor")
    if doctor:
        out += _doctor_section(doctor)
    out += _rules_section(raw)
    if results.get("profiles"):
        out += ["", "## Profiles of the missed targets", "",
                "cProfile, top entries by cumulative time (paths shortened).", ""]
        for title, text in results["profiles"].items():
            out += [f"### {title}", "", "```", text, "```", ""]
    return "\n".join(out).rstrip() + "\n"


def _skip_reason(raw: dict[str, Any]) -> str:
    skipped = _get(raw, "doctor.postgresql.skipped")
    return f" ({skipped})" if skipped else ""


def _http_section(results: dict[str, Any], http: dict[str, Any]) -> list[str]:
    out = [
        "", "## Patient pages over HTTP", "",
        f"gunicorn 27, 2 sync workers, 127.0.0.1; load from {http['connections']} keep-cookie connections"
        f" (Python http.client, 2 processes) on the same 2 cores. For each page and method,"
        f" {http['rounds']} windows of {http['window_s']} s (after {http['warmup_s']} s of warm-up each) alternate"
        " with the same number of windows on the reference, so each ratio compares figures taken seconds apart."
        " Sync workers close each connection, so every request opens one (alike for all apps). POST = that page's"
        " valid answers with CSRF token and current revision: a real validated save, 302.",
        "",
        f"Bare Flask \"hello\": {', '.join(_fmt(run['rps'], 0) for run in http['hello_GET'])} req/s"
        " (start, middle, end).",
    ]
    titles = {"pages": "Screening", "checkin_pages": "Check-in (day 7 of a plan; `check` is its check page, GET only)"}
    for key, title in titles.items():
        if http.get(key):
            out += ["", f"**{title}**", ""] + _page_table(http[key])
    rss = http.get("worker_peak_rss_mb", {})
    out += [
        "", f"Peak RSS (VmHWM) per worker after the run, MiB: product {rss.get('product')},"
        f" reference form {rss.get('reference_form')}, hello {rss.get('reference_hello')}.",
    ]
    return out


def _page_table(pages: dict[str, Any]) -> list[str]:
    out = [
        "| page | GET req/s | ref GET | GET ratio | GET p50 / p99 ms | POST req/s | ref POST | POST ratio |"
        " POST p50 / p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, entry in pages.items():
        methods = [m for m in ("GET", "POST", "reference_GET", "reference_POST") if m in entry]
        errors = sum(entry[m]["errors"] for m in methods)
        cells = []
        for method in ("GET", "POST"):
            if method not in entry:
                cells.append("— | — | — | —")
                continue
            mine, ref = entry[method], entry[f"reference_{method}"]
            cells.append(f"{_fmt(mine['rps'], 1)} | {_fmt(ref['rps'], 1)} | {_fmt(entry[f'{method}_ratio'])}"
                         f" | {_fmt(mine['p50_ms'], 1)} / {_fmt(mine['p99_ms'], 1)}")
        out.append(f"| {page} | {cells[0]} | {cells[1]} | {errors} |")
    return out


def _doctor_section(doctor: dict[str, Any]) -> list[str]:
    variants = doctor.get("variants", {})
    out = [
        "", f"## Doctor pages with {doctor['submissions']:,} submissions", "",
        f"{doctor['submissions']:,} submissions seeded in bulk from {variants.get('variants')} distinct answer sets,"
        " each evaluated once by the rules engine (the rules' test cases, the clinical examples, and a busy"
        f" submission with {variants.get('flags_per_submission_max')} flags). Server time in process (Flask test"
        " client, signed-in doctor, audit write included), median of the per-batch medians, 4 interleaved batches."
        " \"summary\" is the busiest submission; \"queue_query_only\" is the two queue queries alone."
        " LDN plans and check-ins are seeded beside them (benchmarks/seed_followup.py): \"plan\" is the page of a"
        " plan with 12 check-ins sent (its trend charts, every check-in and the audit write), \"checkin\" one"
        " flagged check-in of it, and the queue's pages read the flagged check-ins and the \"no concerns\" list.",
        "",
    ]
    for database in ("sqlite", "postgresql"):
        data = doctor.get(database) or {}
        if "skipped" in data:
            out += [f"**{database}**: skipped: {data['skipped']}", ""]
            continue
        if not data:
            continue
        seeded = data["seed"]
        followup = (f"; {seeded['plans']:,} plans, {seeded['checkins_sent']:,} check-ins sent, of which"
                    f" {seeded['checkins_flagged']:,} flagged ({seeded['checkins_flagged_new']:,} new: in the queue)"
                    " and"
                    f" {seeded['checkins_urgent']:,} urgent" if "plans" in seeded else "")
        out += [f"**{database}** (seeded in {seeded['seconds']} s{followup})", "",
                "| page | median ms | p90 ms | min ms |", "|---|---|---|---|"]
        for name, figures in data["pages"].items():
            out.append(f"| {name} | {_fmt(figures['median_ms'])} | {_fmt(figures['p90_ms'])} |"
                       f" {_fmt(figures['min_ms'])} |")
        out.append("")
    return out


def _rules_section(raw: dict[str, Any]) -> list[str]:
    out = ["", "## Rules engine and classifier (in process)", ""]
    evaluate = raw.get("evaluate") or {}
    classify = raw.get("classify") or {}
    if "error" in evaluate:
        out.append(f"- evaluate: {evaluate['error']}")
    elif evaluate:
        cases = ", ".join(f"{k} {v} ms" for k, v in evaluate.get("evaluate_ms_median_by_submission", {}).items())
        out.append(f"- evaluate: median {evaluate.get('evaluate_ms_median')} ms for the busy submission"
                   f" ({evaluate.get('iterations')} iterations); by submission: {cases}.")
    if "error" in classify:
        out.append(f"- classify: {classify['error']}")
    elif classify:
        out.append(f"- classify: median {classify.get('classify_ms_median')} ms per name, p95"
                   f" {classify.get('classify_ms_p95')} ms, max {classify.get('classify_ms_max')} ms over"
                   f" {classify.get('names')} names; lexicon index built in {classify.get('index_build_ms')} ms.")
    return out
