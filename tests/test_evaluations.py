"""Stored evaluations read back: StoredFlag is the one reading of a stored flag."""

from __future__ import annotations

import pytest

from screening.evaluations import StoredFlag
from screening.rules.severity import NO_FLAGS_RANK, RANKED, SEVERITIES, SEVERITY_RANK, most_serious_rank

STORED = {
    "rule_id": "OPI-01", "severity": "critical", "summary": "Taking an opioid now", "rationale": "Because.",
    "source": {"label": "Naltrexone label", "url": "https://example.org/label"}, "evidence": {"opioid_recent": "yes"},
}


def test_a_stored_flag_reads_every_field() -> None:
    flag = StoredFlag.from_json(STORED)
    assert (flag.rule_id, flag.severity, flag.summary, flag.rationale) == (
        "OPI-01", "critical", "Taking an opioid now", "Because.")
    assert (flag.source_label, flag.source_url) == ("Naltrexone label", "https://example.org/label")
    assert flag.evidence == {"opioid_recent": "yes"}
    assert flag.rank == 0


def test_a_stored_flag_without_evidence_has_none() -> None:
    assert StoredFlag.from_json({k: v for k, v in STORED.items() if k != "evidence"}).evidence == {}


@pytest.mark.parametrize("severity", ["urgent", "Critical", ""])
def test_a_stored_flag_with_an_unknown_severity_is_refused(severity: str) -> None:
    with pytest.raises(ValueError, match="unknown severity"):
        StoredFlag.from_json({**STORED, "severity": severity})


def test_ranks_follow_the_one_order_of_severities() -> None:
    assert [SEVERITY_RANK[s] for s in SEVERITIES] == [0, 1, 2]
    assert RANKED[NO_FLAGS_RANK] == "none"
    assert [RANKED[SEVERITY_RANK[s]] for s in SEVERITIES] == list(SEVERITIES)


@pytest.mark.parametrize(("severities", "rank"), [
    ((), NO_FLAGS_RANK),
    (("info",), 2),
    (("info", "warning", "info"), 1),
    (("warning", "critical"), 0),
])
def test_a_set_of_flags_ranks_as_its_most_serious(severities: tuple[str, ...], rank: int) -> None:
    assert most_serious_rank(severities) == rank
