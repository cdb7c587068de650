"""Benchmark: medication classification time per name.

Classifies every name of tests/medications/names.yaml many times, in process, and
reports the median per-name time (the target is < 1 ms). The lexicon index is built
before timing; its build time is reported separately.

    python -m benchmarks.classify
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import yaml

from screening.medications import _classify, index
from screening.medications.lexicon import build_index

# classify() caches results per text; the benchmark times the work itself.
classify = _classify.__wrapped__

NAMES_FILE = Path(__file__).resolve().parent.parent / "tests" / "medications" / "names.yaml"
ITERATIONS = 50


def _per_name_ns(names: list[str], iterations: int) -> list[float]:
    """Mean time of one classification of each name, over `iterations` rounds."""
    per_name: list[float] = []
    for name in names:
        start = time.perf_counter_ns()
        for _ in range(iterations):
            classify(name)
        per_name.append((time.perf_counter_ns() - start) / iterations)
    return per_name


def run(iterations: int = ITERATIONS) -> dict[str, float | int]:
    names = [row["name"] for row in yaml.safe_load(NAMES_FILE.read_text("utf-8"))]
    start = time.perf_counter_ns()
    build_index()
    build_ms = (time.perf_counter_ns() - start) / 1e6
    index()  # the cached index that classify() uses
    _per_name_ns(names, 1)  # warm-up
    per_name = sorted(_per_name_ns(names, iterations))
    return {
        "classify_ms_median": round(statistics.median(per_name) / 1e6, 4),
        "classify_ms_p95": round(per_name[int(0.95 * (len(per_name) - 1))] / 1e6, 4),
        "classify_ms_max": round(per_name[-1] / 1e6, 4),
        "classify_ms_mean": round(statistics.fmean(per_name) / 1e6, 4),
        "index_build_ms": round(build_ms, 1),
        "names": len(names),
        "iterations": iterations,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
