"""How long the rules take to evaluate one full, realistic submission.

``python -m benchmarks.evaluate`` prints JSON; ``run()`` returns the same numbers. The
target is a median under 1 ms, in process, with the medication classifier warm (its
answers are cached by name, as they are in the running app).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from screening.rules import evaluate
from screening.rules.cases import base_answers

EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "clinical" / "examples"
ITERATIONS = 2000
WARMUP = 50
TARGET_MS = 1.0


def rich_submission() -> tuple[dict[str, Any], date]:
    """A long, busy submission: many medicines and answers that make many rules look."""
    answers, as_of = base_answers()
    medicines = [
        ("Tylenol #3", "as_needed", "2026-11-28"), ("co-codamol 30/500", "stopped", "2026-11-20"),
        ("methadone", "stopped", "2026-11-10"), ("Imodium", "daily", None),
        ("Levothyroxine 100 mcg", "daily", "2026-11-30"), ("methotrexate 15mg", "weekly", None),
        ("atorvastatin 20mg", "daily", None), ("vitamin D", "daily", None),
        ("sertraline 50mg", "daily", None), ("Qzxwv drops", "occasionally", None),
    ]
    answers.update(
        takes_medications="yes",
        medications=[{"name": n, "how_often": h, "last_taken": t} for n, h, t in medicines],
        opioid_recent="yes", opioid_last_dose="2026-11-22", opioid_pattern="as_needed",
        opioid_withdrawal_now="no", opioid_treatment="past",
        opioid_treatment_last_dose="2026-11-10", depot_buprenorphine_12m="no",
        liver_conditions=["fatty_liver"], liver_test_abnormal="yes", alt_value=150, alt_uln=40,
        thyroid_conditions=["hashimotos"], thyroid_medication=["levothyroxine"],
        thyroid_dose_changed_6m="no", hyperthyroid_symptoms=["palpitations"],
        audit_c_frequency="2_3_per_week", audit_c_typical="3_4", phq2_down=2,
    )
    return answers, as_of


def submissions() -> list[tuple[str, dict[str, Any], date]]:
    cases = [("rich", *rich_submission())]
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        cases.append((path.stem, document["answers"], date.fromisoformat(document["as_of"])))
    return cases


def median_ms(answers: dict[str, Any], as_of: date, iterations: int = ITERATIONS) -> float:
    for _ in range(WARMUP):
        evaluate(answers, as_of)
    timings = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        evaluate(answers, as_of)
        timings.append(time.perf_counter_ns() - start)
    return statistics.median(timings) / 1e6


def run() -> dict[str, Any]:
    per_case = {name: round(median_ms(answers, as_of), 4) for name, answers, as_of in submissions()}
    return {
        "evaluate_ms_median": per_case["rich"],
        "evaluate_ms_median_by_submission": per_case,
        "iterations": ITERATIONS,
        "target_ms": TARGET_MS,
    }


if __name__ == "__main__":
    print(json.dumps(run()))
