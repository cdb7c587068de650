"""The in-repository contract (docs/clinical/) is a verbatim copy of ../shared/clinical/."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.contract import CHECKSUMS, CLINICAL, OWN_FILES, SHARED_CLINICAL


def _files(root: Path, *, own: frozenset[str] = frozenset()) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).as_posix() not in own
    }


def differences(original: Path, copy: Path) -> list[str]:
    """Each file that is missing from the copy, extra in it, or different, with its path."""
    theirs, ours = _files(original), _files(copy, own=OWN_FILES)
    problems = [f"missing from docs/clinical: {name}" for name in sorted(theirs.keys() - ours.keys())]
    problems += [f"not in shared/clinical: {name}" for name in sorted(ours.keys() - theirs.keys())]
    problems += [f"differs: {name}" for name in sorted(theirs.keys() & ours.keys()) if theirs[name] != ours[name]]
    return problems


def test_the_repository_carries_the_contract() -> None:
    for name in ("questionnaire.md", "rules.md", "sources.md", "followup.md", "evidence.md"):
        assert (CLINICAL / name).is_file(), name
    assert sorted((CLINICAL / "examples").glob("*.json")), "the worked examples are missing"


def checksums(root: Path, *, own: frozenset[str] = frozenset()) -> dict[str, str]:
    """Each contract file's SHA-256, by its path in the folder."""
    return {name: hashlib.sha256(content).hexdigest() for name, content in _files(root, own=own).items()}


def recorded_checksums() -> dict[str, str]:
    """docs/clinical/SHA256SUMS, a `sha256sum` listing ("<hash>  <path>" a line)."""
    lines = (CLINICAL / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line)}


def test_the_copy_is_the_contract_it_recorded() -> None:
    # Runs in every clone: an edit to the copy without re-copying the contract fails here.
    assert checksums(CLINICAL, own=OWN_FILES) == recorded_checksums(), f"docs/clinical/ differs from its {CHECKSUMS}"


def test_the_copy_is_identical_to_the_shared_contract_where_it_is_beside_the_checkout() -> None:
    # On the team's machines (../shared beside the checkout) the copy must also be current;
    # elsewhere the recorded checksums above are the contract this clone was tested against.
    problems = differences(SHARED_CLINICAL, CLINICAL) if SHARED_CLINICAL.is_dir() else []
    assert not problems, "docs/clinical/ drifted from ../shared/clinical/ (copy it whole):\n" + "\n".join(problems)


def test_a_drifted_copy_is_named_file_by_file(tmp_path: Path) -> None:
    original, copy = tmp_path / "shared", tmp_path / "copy"
    for root in (original, copy):
        (root / "examples").mkdir(parents=True)
        (root / "rules.md").write_text("same")
    (original / "examples" / "a.json").write_text("{}")
    (original / "questionnaire.md").write_text("old")
    (copy / "questionnaire.md").write_text("new")
    (copy / "extra.md").write_text("x")
    (copy / "README.md").write_text("the copy's own")
    assert differences(original, copy) == [
        "missing from docs/clinical: examples/a.json",
        "not in shared/clinical: extra.md",
        "differs: questionnaire.md",
    ]
