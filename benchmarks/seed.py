"""Seed a database with many realistic submitted questionnaires, fast.

`create_submitted()` (the path the app and the demo use) evaluates and stores one
submission at a time: right for a handful, far too slow for 100,000. Here every distinct
answer set is evaluated once by the real rules engine, exactly as `store_evaluation` and
`project_into_queue` do at submit, and the results are replicated with different patient
references, appointment dates, submission times and review states through bulk inserts
(SQLAlchemy's batched executemany), in chunks.

The answer sets are the rules' own test cases (every rule fires in some of them: about
200 varied, validated submissions), the clinical examples, and one busy submission with
10 medicines and 15 flags (benchmarks/evaluate.py's `rich_submission`).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text

from screening.models import Base, Invitation, QuestionnaireResponse, StoredEvaluation
from screening.patient.responses import CHECK_PAGE
from screening.questionnaire import QUESTIONNAIRE
from screening.rules import evaluate
from screening.rules.severity import NO_FLAGS_RANK, SEVERITY_RANK

CHUNK = 5_000
SEED = 20261126


@dataclass(frozen=True)
class Variant:
    """One distinct submission, evaluated once."""

    name: str
    answers: dict[str, Any]
    as_of: date
    result: dict[str, Any]  # rules.Evaluation.to_json()
    counts: dict[str, int]

    @property
    def severity_rank(self) -> int:
        return min((SEVERITY_RANK[flag["severity"]] for flag in self.result["flags"]), default=NO_FLAGS_RANK)


def variants() -> list[Variant]:
    from screening.rules.cases import base_answers, load_cases
    from screening.rules.ruleset import RULE_MODULES

    from .evaluate import submissions

    sets: list[tuple[str, dict[str, Any], date]] = [("base", *base_answers())]
    sets += [(name, answers, as_of) for name, answers, as_of in submissions()]
    sets += [(case.name, dict(case.answers), case.as_of) for case in load_cases(RULE_MODULES)]
    out = []
    for name, answers, as_of in sets:
        result = evaluate(answers, as_of).to_json()
        counts = {severity: 0 for severity in ("critical", "warning", "info")}
        for flag in result["flags"]:
            counts[flag["severity"]] += 1
        out.append(Variant(name, answers, as_of, result, counts))
    return out


def busiest(pool: list[Variant]) -> Variant:
    return max(pool, key=lambda v: (len(v.result["flags"]), len(v.answers.get("medications", ()))))


def _rows(count: int, pool: list[Variant], start_id: int) -> Iterator[tuple[dict[str, Any], ...]]:
    rng = random.Random(SEED)
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    version = QUESTIONNAIRE.version
    for offset in range(count):
        row_id = start_id + offset
        variant = pool[offset % len(pool)] if offset < len(pool) else rng.choice(pool)
        appointment = None if rng.random() < 0.05 else today + timedelta(days=rng.randint(-30, 120))
        submitted_at = now - timedelta(minutes=rng.randint(5, 60 * 24 * 60))
        reviewed = rng.random() < 0.3
        expires = datetime.combine((appointment or today) + timedelta(days=2), time.min, tzinfo=UTC)
        result, counts = variant.result, variant.counts
        earliest = date.fromisoformat(result["earliest_start"]) if result["earliest_start"] else None
        ref = f"BENCH-{row_id:06d}"
        invitation = {
            "id": row_id, "token_hash": hashlib.sha256(f"bench-{row_id}".encode()).hexdigest(),
            "patient_ref": ref, "appointment_date": appointment, "expires_at": expires, "status": "active",
            "created_at": submitted_at - timedelta(days=1), "created_by_id": None,
        }
        response = {
            "id": row_id, "invitation_id": row_id, "questionnaire_version": version, "answers": variant.answers,
            "current_page": CHECK_PAGE, "started_at": submitted_at - timedelta(minutes=20),
            "updated_at": submitted_at, "submitted_at": submitted_at, "submitted": True, "revision": 20,
            "patient_ref": ref, "appointment_date": appointment, "urgent": result["urgent"],
            "severity_rank": variant.severity_rank, "critical_count": counts["critical"],
            "warning_count": counts["warning"], "info_count": counts["info"], "earliest_start": earliest,
            "opioid_block": result["opioid_block"], "review_status": "reviewed" if reviewed else "new",
            "review_note": "Seen." if reviewed else None, "reviewed_by_id": None,
            "reviewed_at": submitted_at + timedelta(hours=2) if reviewed else None, "review_version": int(reviewed),
        }
        evaluation = {
            "id": row_id, "response_id": row_id, "kind": "submission", "ruleset_version": result["ruleset_version"],
            "as_of": variant.as_of, "urgent": result["urgent"], "opioid_block": result["opioid_block"],
            "earliest_start": earliest, "critical_count": counts["critical"], "warning_count": counts["warning"],
            "info_count": counts["info"], "flags": result["flags"], "created_at": submitted_at,
        }
        yield invitation, response, evaluation


def seed(url: str, count: int, pool: list[Variant] | None = None) -> dict[str, Any]:
    """Adds `count` submitted questionnaires to the migrated database at `url`.

    Returns the IDs of the first response of the busiest variant and of a typical one.
    """
    pool = pool or variants()
    engine: Engine = create_engine(url)
    tables = (Invitation.__table__, QuestionnaireResponse.__table__, StoredEvaluation.__table__)
    with engine.begin() as connection:
        start_id = (connection.scalar(select(func.max(Invitation.id))) or 0) + 1
    batches: tuple[list[dict[str, Any]], ...] = ([], [], [])
    heavy, heavy_id = busiest(pool), None
    typical = next((v for v in pool if len(v.result["flags"]) == 2), pool[0])
    typical_id = None
    for rows in _rows(count, pool, start_id):
        for batch, row in zip(batches, rows, strict=True):
            batch.append(row)
        if heavy_id is None and rows[1]["answers"] is heavy.answers:
            heavy_id = rows[1]["id"]
        if typical_id is None and rows[1]["answers"] is typical.answers:
            typical_id = rows[1]["id"]
        if len(batches[0]) >= CHUNK:
            _flush(engine, tables, batches)
    _flush(engine, tables, batches)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Explicit IDs were inserted: move the sequences past them.
            for table in tables:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"))
    if engine.dialect.name == "postgresql":
        # What autovacuum soon does after a bulk load (statistics, visibility map). SQLite
        # gets no ANALYZE: a real deployment's file has none either, so the plans measured
        # are the ones it gets.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return {"busiest_response_id": heavy_id, "busiest_variant": heavy.name,
            "busiest_flags": len(heavy.result["flags"]), "typical_response_id": typical_id,
            "typical_variant": typical.name,
            "variants": len(pool), "first_id": start_id}


def _flush(engine: Engine, tables: tuple[Any, ...], batches: tuple[list[dict[str, Any]], ...]) -> None:
    if not batches[0]:
        return
    with engine.begin() as connection:
        for table, batch in zip(tables, batches, strict=True):
            connection.execute(table.insert(), batch)
    for batch in batches:
        batch.clear()


def describe(pool: list[Variant]) -> dict[str, Any]:
    flags = [len(v.result["flags"]) for v in pool]
    return {
        "variants": len(pool),
        "urgent_share": round(sum(v.result["urgent"] for v in pool) / len(pool), 3),
        "flags_per_submission_max": max(flags),
        "flags_per_submission_mean": round(sum(flags) / len(flags), 2),
        "answers_json_bytes_mean": round(sum(len(json.dumps(v.answers)) for v in pool) / len(pool)),
    }


__all__ = ["Base", "Variant", "busiest", "describe", "seed", "variants"]
