"""The medication classifier, specified by example (rules.md "Medication classes").

`names.yaml` beside this file is the table of what patients type and the class each
must get; the tests below add the safety properties that the table alone cannot show.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from screening.medications import (
    MEDICATION_CLASSES,
    OPIOID_CLASSES,
    Classification,
    classify,
    index,
    matcher,
    normalise,
)
from screening.medications.cli import classify_medication_command
from screening.medications.lexicon import build_index

TABLE = yaml.safe_load((Path(__file__).parent / "names.yaml").read_text("utf-8"))


def is_opioid(cls: str) -> bool:
    return cls in OPIOID_CLASSES


def reads_exactly(text: str) -> bool:
    """The text's class comes from its exact reading, with no spelling correction."""
    return matcher.classify_words(text, normalise.words(text), index()).cls == classify(text).cls


# --- the table -----------------------------------------------------------------------

@pytest.mark.parametrize("row", TABLE, ids=[repr(row["name"]) for row in TABLE])
def test_each_name_in_the_table_gets_its_class(row: dict[str, str]) -> None:
    result = classify(row["name"])
    assert result.cls == row["class"]
    if "matched" in row:
        assert result.matched == row["matched"]


def test_no_opioid_is_missed_and_no_non_opioid_is_called_an_opioid() -> None:
    results = [(row, classify(row["name"]).cls) for row in TABLE]
    missed = [row["name"] for row, got in results if is_opioid(row["class"]) and not is_opioid(got)]
    false_alarms = [
        row["name"] for row, got in results if not is_opioid(row["class"]) and is_opioid(got)
    ]
    assert (missed, false_alarms) == ([], [])


def test_the_table_is_large_and_covers_every_class() -> None:
    counts = Counter(row["class"] for row in TABLE)
    assert len(TABLE) >= 300
    assert set(counts) == set(MEDICATION_CLASSES)
    assert sum(counts[c] for c in OPIOID_CLASSES) >= 150
    assert counts["other"] >= 150


def test_the_class_codes_are_exactly_those_of_the_contract() -> None:
    assert MEDICATION_CLASSES == (
        "opioid/short", "opioid/long", "opioid/depot", "opioid/peripheral",
        "opioid/unregulated", "opioid_signal", "antagonist", "thyroid_hormone", "antithyroid",
        "transplant_immunosuppressant", "immunomodulator", "interaction", "other", "unknown",
    )


# --- confusables ---------------------------------------------------------------------

CONFUSABLES = [
    "dextromethorphan", "DM", "Robitussin DM", "gabapentin", "pregabalin", "ketamine",
    "clonidine", "benzonatate", "trazodone", "oxybutynin", "oxcarbazepine", "hydroxyzine",
    "hydroxychloroquine", "hydrochlorothiazide", "methotrexate", "methocarbamol", "xylazine",
    "Tylenol", "Panadol", "Nurofen", "Robitussin",
]


@pytest.mark.parametrize("name", CONFUSABLES)
def test_names_that_look_like_opioids_are_never_opioids(name: str) -> None:
    assert not is_opioid(classify(name).cls)
    assert classify(name).cls != "unknown"


def _one_edit_misspellings(word: str) -> set[str]:
    variants = set()
    for i in range(len(word)):
        variants.add(word[:i] + word[i + 1:])
        variants.add(word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:])
        variants.update(word[:i] + c + word[i + 1:] for c in "aeioyu")
    return variants - {word}


@pytest.mark.parametrize("word", [
    "trazodone", "oxybutynin", "hydroxyzine", "methotrexate", "methocarbamol",
    "oxcarbazepine", "hydroxychloroquine", "hydrochlorothiazide", "dextromethorphan",
    "gabapentin", "pregabalin", "ketamine", "clonidine", "benzonatate", "hydrocortisone",
    "methylphenidate", "metadate", "lamotrigine", "dilantin", "oxytrol",
])
def test_a_misspelt_confusable_is_never_corrected_into_an_opioid(word: str) -> None:
    for variant in _one_edit_misspellings(word):
        # A variant that is itself an opioid's name ("dolantin", Dolantin = pethidine) is
        # read, not corrected.
        if not reads_exactly(variant):
            assert not is_opioid(classify(variant).cls), variant


@pytest.mark.parametrize(("typed", "meant"), [
    ("oxycodon 5mg", "oxycodone"), ("tramadoll", "tramadol"), ("hydrocodon", "hydrocodone"),
    ("codiene", "codeine"), ("percocett", "oxycodone and acetaminophen"),
    ("trazadone", "trazodone"), ("oxybutinin", "oxybutynin"),
    ("hydroxizine", "hydroxyzine"), ("gabapentine", "gabapentin"),
])
def test_common_misspellings_are_recognised(typed: str, meant: str) -> None:
    assert classify(typed).matched == meant


@pytest.mark.parametrize("typed", [
    "tramadone",  # as close to trazodone as to tramadol
    "norko",      # short words are never fuzzy-matched
    "oxy codeone xyz",
])
def test_spelling_correction_refuses_when_it_cannot_be_sure(typed: str) -> None:
    assert classify(typed).cls == "unknown"


# --- brand families, combinations and release markers --------------------------------

@pytest.mark.parametrize(("plain", "variant", "variant_class"), [
    ("Tylenol", "Tylenol #3", "opioid/short"),
    ("Tylenol", "Tylenol 3", "opioid/short"),
    ("Tylenol", "Tylenol with codeine", "opioid/short"),
    ("Nurofen", "Nurofen Plus", "opioid/short"),
    ("Panadol", "Panadeine", "opioid/short"),
    ("Robitussin", "Robitussin AC", "opioid/short"),
    ("Phenergan", "Phenergan with codeine", "opioid/short"),
    ("Atasol", "Atasol-30", "opioid/short"),
    ("Solpadeine Headache", "Solpadeine Plus", "opioid/short"),
    ("Dafalgan", "Dafalgan codeine", "opioid/short"),
])
def test_a_bare_brand_is_the_plain_product_and_the_codeine_variant_is_an_opioid(
    plain: str, variant: str, variant_class: str
) -> None:
    assert classify(plain).cls == "other"
    assert classify(variant).cls == variant_class


@pytest.mark.parametrize("name", [
    "Tylenol something weird", "Tylenol 5", "Nurofen mystery", "Panadol xyz",
    "Solpadeine", "Codral", "Feminax", "T3", "T4",
])
def test_a_variant_that_cannot_be_resolved_is_unknown(name: str) -> None:
    assert classify(name).cls == "unknown"


def test_tylenol_3_has_the_contract_json_shape() -> None:
    assert classify("Tylenol #3").to_json() == {
        "input": "Tylenol #3",
        "class": "opioid/short",
        "matched": "Tylenol with Codeine No. 3",
        "ingredients": ["acetaminophen", "codeine"],
        "resembles": None,
    }


@pytest.mark.parametrize(("name", "cls"), [
    ("Suboxone", "opioid/long"), ("Zubsolv", "opioid/long"), ("Targin", "opioid/long"),
    ("Targinact", "opioid/long"), ("Talwin NX", "opioid/short"), ("Embeda", "opioid/long"),
    ("Troxyca ER", "opioid/long"), ("buprenorphine and naloxone", "opioid/long"),
])
def test_an_antagonist_inside_an_opioid_product_keeps_it_an_opioid(name: str, cls: str) -> None:
    assert classify(name).cls == cls


@pytest.mark.parametrize(("name", "cls"), [
    ("tramadol", "opioid/short"), ("tramadol ER", "opioid/long"), ("Ultram ER", "opioid/long"),
    ("tramadol 100mg SR", "opioid/long"), ("ER oxycodone", "opioid/long"),
    ("oxycodone", "opioid/short"), ("morphine", "opioid/short"), ("MS Contin", "opioid/long"),
    ("Palexia", "opioid/short"), ("Palexia SR", "opioid/long"), ("fentanyl", "opioid/long"),
    ("fentanyl lozenge", "opioid/short"), ("Tussionex", "opioid/long"),
    ("methadone", "opioid/long"), ("Butrans", "opioid/long"), ("Sublocade", "opioid/depot"),
    ("metformin ER", "other"), ("lidocaine patch", "other"), ("oxybutynin patch", "other"),
])
def test_release_markers_make_a_short_acting_opioid_long_acting(name: str, cls: str) -> None:
    assert classify(name).cls == cls


def test_loperamide_products_name_loperamide_among_their_ingredients() -> None:
    for name in ("Imodium", "imodium instants", "Imodium Multi-Symptom", "loperamide 2mg"):
        result = classify(name)
        assert result.cls == "opioid/peripheral"
        assert "loperamide" in result.ingredients
    assert "loperamide" not in classify("Lomotil").ingredients


# --- free text -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "cls"), [
    ("I take co-codamol 30/500 for my back", "opioid/short"),
    ("Tramadol 50 mg as needed for pain", "opioid/short"),
    ("sertraline 50mg every morning", "other"),
    ("metformin and tramadoll", "opioid/short"),
    ("levothyroxine and Tylenol 3", "opioid/short"),
    ("paracetamol and painkillers", "unknown"),
    ("sertraline and frobnicol", "unknown"),
])
def test_names_inside_free_text_are_found_and_the_most_important_class_wins(
    text: str, cls: str
) -> None:
    assert classify(text).cls == cls


def test_a_misspelt_opioid_after_for_is_still_found() -> None:
    assert classify("paracetamol for pain, also oxycodon").cls == "opioid/short"
    assert classify("sertraline for anxiety").cls == "other"


def test_several_products_in_one_text_list_all_their_ingredients() -> None:
    result = classify("Imodium and tramadol")
    assert result.cls == "opioid/short"
    assert result.matched == "loperamide + tramadol"
    assert result.ingredients == ("loperamide", "tramadol")


@pytest.mark.parametrize("name", ["", "   ", "???", "asdfghjkl", "12345", "10mg", "tablets"])
def test_gibberish_and_empty_text_are_unknown_with_no_match(name: str) -> None:
    assert classify(name).to_json() == {
        "input": name, "class": "unknown", "matched": None, "ingredients": [], "resembles": None
    }


def test_a_classification_is_immutable() -> None:
    result = classify("tramadol")
    assert isinstance(result, Classification)
    with pytest.raises(AttributeError):
        result.cls = "other"  # type: ignore[misc]


# --- the lexicon and the command -----------------------------------------------------

def test_an_alias_claimed_by_two_products_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "class: other\nentries:\n"
        "  - {name: trazodone, aliases: [Desyrel]}\n"
        "  - {name: tramadol, class: opioid/short, aliases: [DESYREL]}\n",
        "utf-8",
    )
    with pytest.raises(ValueError, match="desyrel"):
        build_index(tmp_path)


def test_two_entries_with_the_same_name_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "class: other\nentries:\n  - {name: zinc}\n  - {name: zinc, aliases: [zinc oxide]}\n",
        "utf-8",
    )
    with pytest.raises(ValueError, match="two entries are named 'zinc'"):
        build_index(tmp_path)


def test_an_entry_with_an_unknown_class_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "class: opiate\nentries:\n  - {name: codeine}\n", "utf-8"
    )
    with pytest.raises(ValueError, match="bad entry"):
        build_index(tmp_path)


def test_the_classify_medication_command_prints_one_json_object_per_name() -> None:
    outcome = CliRunner().invoke(classify_medication_command, ["Tylenol #3", "trazodone"])
    assert outcome.exit_code == 0
    lines = [json.loads(line) for line in outcome.output.splitlines()]
    assert [line["class"] for line in lines] == ["opioid/short", "other"]
    assert lines[0]["matched"] == "Tylenol with Codeine No. 3"
    assert [line["resembles"] for line in lines] == [None, None]


# --- the contract's examples of reading what patients type (rules.md) -----------------

def test_a_near_miss_has_the_contract_json_shape() -> None:
    assert classify("tramdol 50").to_json() == {
        "input": "tramdol 50", "class": "unknown", "matched": None, "ingredients": [],
        "resembles": "tramadol",
    }


@pytest.mark.parametrize(("typed", "opioid"), [
    ("tramdol", "tramadol"), ("kodeine", "codeine"), ("saboxone", "buprenorphine"),
    ("buprenorphne", "buprenorphine"), ("codeinol forte", "codeine"), ("morfinex", "morphine"),
    ("oxynormix", "oxycodone"), ("Solpadeine", "codeine"), ("Tylenol 5", "codeine"),
    ("Dafalgan something", "codeine"), ("hidromorfonum", "hydromorphone"),
])
def test_an_unknown_entry_reports_the_opioid_it_resembles(typed: str, opioid: str) -> None:
    result = classify(typed)
    assert (result.cls, result.resembles) == ("unknown", opioid)


@pytest.mark.parametrize("typed", ["tramadol", "sertraline", "frobnicol", "Tylenol", ""])
def test_a_recognised_or_unrelated_entry_resembles_nothing(typed: str) -> None:
    assert classify(typed).resembles is None


@pytest.mark.parametrize("typed", [
    "Oxy\u00adcodone 10mg", "Oxy\u200bcodone 10mg", "Oxy\u200dcodone", "Oxy\u2060codone",
    "\ufeffOxycodone", "\u202eOxycodone\u202c", "Oxycodone\u200e", "\u041exycodone",
    "Ox\u0443codone", "\u039f\u03a7\u03a5CODONE", "\uff2f\uff58\uff59codone",
])
def test_hidden_characters_and_look_alike_letters_never_hide_an_opioid(typed: str) -> None:
    result = classify(typed)
    assert (result.cls, result.matched, result.input) == ("opioid/short", "oxycodone", typed)


@pytest.mark.parametrize(("typed", "cls"), [
    ("monthly bupe shot", "opioid/depot"), ("buprenorphine injection", "opioid/depot"),
    ("Buvidal weekly", "opioid/depot"), ("Subutex 8mg", "opioid/long"),
    ("Tramal long 100", "opioid/long"), ("Skenan LP 30", "opioid/long"),
    ("Valoron N retard", "opioid/long"), ("Tramal uno", "opioid/long"),
    ("Dolcontin Depot 30 mg", "opioid/long"), ("Dolantin", "opioid/short"),
    ("Dilantin", "other"), ("gas station heroin", "opioid/unregulated"),
    ("oxybutynin chloride 5mg", "other"), ("hydroxyzine pam 25", "other"),
    ("Migraleve", "opioid/short"), ("Migraleve Yellow", "opioid/short"),
    ("Migraleve Pink", "opioid/short"), ("Levothyrox 75", "thyroid_hormone"),
    ("Thyrozol 10 mg", "antithyroid"), ("Doliprane 1000", "other"),
])
def test_the_reviewers_examples_are_read_as_their_labels_say(typed: str, cls: str) -> None:
    assert classify(typed).cls == cls
