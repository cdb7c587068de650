"""The medication classes of rules.md and the result of classifying one name.

The class codes are the clinical contract: the rules engine compares entries against
exactly these strings.
"""

from __future__ import annotations

from dataclasses import dataclass

MEDICATION_CLASSES: tuple[str, ...] = (
    "opioid/short",
    "opioid/long",
    "opioid/depot",
    "opioid/peripheral",
    "opioid/unregulated",
    "opioid_signal",
    "antagonist",
    "thyroid_hormone",
    "antithyroid",
    "transplant_immunosuppressant",
    "immunomodulator",
    "interaction",
    "other",
    "unknown",
)

# Each class as a doctor reads it (the codes stay in the JSON and FHIR downloads).
CLASS_WORDS: dict[str, str] = {
    "opioid/short": "short-acting opioid",
    "opioid/long": "long-acting opioid",
    "opioid/depot": "long-acting opioid injection or implant",
    "opioid/peripheral": "gut-acting opioid",
    "opioid/unregulated": "unregulated opioid-like product",
    "opioid_signal": "sign of opioid use",
    "antagonist": "opioid blocker",
    "thyroid_hormone": "thyroid hormone",
    "antithyroid": "medicine that slows the thyroid",
    "transplant_immunosuppressant": "transplant anti-rejection medicine",
    "immunomodulator": "immune-modifying medicine",
    "interaction": "medicine that interacts with naltrexone",
    "other": "no known LDN concern",
    "unknown": "not recognised",
}
assert set(CLASS_WORDS) == set(MEDICATION_CLASSES), "every class needs its words"

UNKNOWN = "unknown"  # what the classifier cannot place: never a guess
OPIOID_CLASSES: tuple[str, ...] = tuple(c for c in MEDICATION_CLASSES if c.startswith("opioid/"))

# Full agonists: when text names one of these, nothing else in the text can make the
# entry safer, so leftover words do not turn it into `unknown`.
AGONIST_CLASSES: frozenset[str] = frozenset(
    {"opioid/depot", "opioid/long", "opioid/short", "opioid/unregulated"}
)

# When one text names several products ("paracetamol and codeine"), the entry takes the
# class that matters most for LDN. An ambiguous name (class `unknown`, e.g. "Codral")
# might hide a short-acting opioid, so it outranks everything that is not an agonist.
PRIORITY: tuple[str, ...] = (
    "opioid/depot",
    "opioid/long",
    "opioid/short",
    "opioid/unregulated",
    "unknown",
    "opioid/peripheral",
    "antagonist",
    "opioid_signal",
    "transplant_immunosuppressant",
    "immunomodulator",
    "interaction",
    "thyroid_hormone",
    "antithyroid",
    "other",
)
RANK: dict[str, int] = {cls: rank for rank, cls in enumerate(PRIORITY)}


@dataclass(frozen=True)
class Classification:
    """What the classifier made of one patient-typed name."""

    input: str
    cls: str
    matched: str | None = None
    ingredients: tuple[str, ...] = ()
    # For an `unknown` entry: the opioid its text resembles (rules.md "Reading what
    # patients type"), else None. Never changes the class; MED-02 reads it.
    resembles: str | None = None

    def to_json(self) -> dict[str, object]:
        """The JSON shape of rules.md's `classify-medication` command."""
        return {
            "input": self.input,
            "class": self.cls,
            "matched": self.matched,
            "ingredients": list(self.ingredients),
            "resembles": self.resembles,
        }
