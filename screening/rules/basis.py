"""The basis of a rule: where its trigger and thresholds come from (docs/clinical/sources.md,
"The basis of each rule"). Listed once, like the severities.

The doctor must be told, beside each flag, when a rule is the service's own convention or
expert opinion rather than the medicine's label: `BASIS_LABELS` says it in words. Each
rule declares its basis with its other metadata (``Registry.rule(..., basis=...)``);
``RULES_BY_ID[rule_id].basis`` reads it back from a flag's rule ID.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Basis = Literal["label", "label, extended by convention", "convention", "expert opinion"]

# In the order of sources.md's basis table, the label first.
BASES: tuple[Basis, ...] = ("label", "label, extended by convention", "convention", "expert opinion")

# What the doctor reads beside the flag (sources.md: "Basis: service convention — not
# from the label").
BASIS_LABELS: Mapping[str, str] = {
    "label": "Basis: the medicine's label",
    "label, extended by convention": "Basis: the label, extended by service convention",
    "convention": "Basis: service convention — not from the label",
    "expert opinion": "Basis: expert opinion — not from the label",
}
