"""Load the lexicon (the YAML files in `lexicon/`) and build the lookup indexes once.

Each file has an optional default `class` and a list of `entries`; an entry has a
canonical `name`, optional `class`, `ingredients` (default: the name), `release` (`er`
or `depot`), `aliases`, `whole_only` aliases (slang recognised only as the whole text),
`family` (the plain member of a brand family with opioid members), `resembles` (for an
ambiguous name or a family: the opioid of its opioid relatives) and, for review only,
`country`, `source` and `label`. An entry without a class takes it from its ingredients
(`ingredients.yaml`; `product_class`), so a new brand needs one line. Every alias is
normalised exactly like patient text. An alias that normalises to the same words as
another entry's alias is an error: the classifier must never have to choose silently
between two products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import normalise
from .classes import AGONIST_CLASSES, MEDICATION_CLASSES, OPIOID_CLASSES, RANK

LEXICON_DIR = Path(__file__).parent / "lexicon"
# libyaml's loader, when PyYAML was built with it, reads the lexicon ~10x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INGREDIENTS_FILE = "ingredients.yaml"
_NOT_ENTRIES = frozenset({"words.yaml", INGREDIENTS_FILE})
_ENTRY_KEYS = frozenset(
    {"name", "class", "ingredients", "aliases", "whole_only", "family", "resolved_by",
     "release", "resembles", "country", "source", "label"}
)
_RELEASES = frozenset({"er", "depot"})
FUZZY_MIN_LENGTH = 6  # shorter words are never fuzzy-matched, in text or in the lexicon


@dataclass(frozen=True)
class Entry:
    """One product or product group of the lexicon."""

    name: str
    cls: str
    ingredients: tuple[str, ...]
    family: bool = False
    # For an ambiguous name (class unknown): the products it may mean. Named beside it
    # ("liothyronine (T3)"), one of them settles the ambiguity.
    resolved_by: tuple[str, ...] = ()
    # For an ambiguous name or the plain member of a family: the opioid (ingredient) of
    # its opioid relatives, reported as `resembles` when the text stays unknown.
    resembles: str | None = None


@dataclass(frozen=True)
class Index:
    """Everything the matcher looks up, built once."""

    phrases: Mapping[str, Entry]  # normalised alias -> entry
    compact: Mapping[str, Entry]  # alias without spaces ("cocodamol") -> entry, if unique
    whole_only: Mapping[str, Entry]  # slang recognised only as the whole text
    key_words: frozenset[str]  # every word that occurs in an alias
    max_words: int  # the longest alias, in words
    vocabulary: Mapping[str, frozenset[str]]  # fuzzy targets: word -> kinds it occurs in
    by_length: Mapping[int, tuple[str, ...]]  # the same words, grouped by length
    opioid_words: Mapping[str, str]  # first words of opioid names -> their opioid ingredient
    opioid_sounds: Mapping[str, str]  # the same words folded (normalise.fold) -> opioid
    opioid_by_length: Mapping[int, tuple[str, ...]]  # opioid_words by length
    sounds_by_length: Mapping[int, tuple[str, ...]]  # opioid_sounds by length
    near_cache: dict[str, str | None] = field(default_factory=dict)  # resemble.near_miss


def load_ingredients(directory: Path = LEXICON_DIR) -> list[dict[str, Any]]:
    """The ingredient table (`ingredients.yaml`), as listed."""
    path = directory / INGREDIENTS_FILE
    if not path.exists():
        return []
    data = yaml.load(path.read_text("utf-8"), Loader=_LOADER)  # noqa: S506 (safe loader)
    return list(data["ingredients"])


def product_class(ingredients: Iterable[str], release: str | None,
                  classes: Mapping[str, str]) -> str | None:
    """The class of a product from its ingredients, or None if one is not known.

    The most important ingredient class wins (classes.PRIORITY); an extended-release
    product of a short-acting opioid is opioid/long, a buprenorphine depot opioid/depot.
    An unknown co-ingredient cannot make an opioid agonist product safer, so it is
    ignored there; anywhere else it leaves the class unknown (None).
    """
    found = [classes.get(name) for name in ingredients]
    known = [c for c in found if c is not None]
    if not known:
        return None
    best = min(known, key=RANK.__getitem__)
    if len(known) < len(found) and best not in AGONIST_CLASSES:
        return None
    if release == "er" and best == "opioid/short":
        return "opioid/long"
    if release == "depot" and best in ("opioid/short", "opioid/long"):
        return "opioid/depot"
    return best


@lru_cache(maxsize=4)
def _raw_entries(directory: Path) -> list[tuple[dict[str, Any], str | None, str]]:
    """(raw entry, the file's default class, file name) for every entry of every file."""
    raws: list[tuple[dict[str, Any], str | None, str]] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name in _NOT_ENTRIES:
            continue
        data = yaml.load(path.read_text("utf-8"), Loader=_LOADER)  # noqa: S506 (safe loader)
        raws.extend((raw, data.get("class"), path.name) for raw in data["entries"])
    return raws


def ingredient_classes(directory: Path = LEXICON_DIR) -> dict[str, str]:
    """Ingredient -> class: `ingredients.yaml`, then each generic entry of a fixed class
    (the entry named after its one ingredient: "sertraline" is `other`)."""
    classes = {str(row["name"]): str(row["class"]) for row in load_ingredients(directory)}
    for raw, default_cls, _ in _raw_entries(directory):
        name = str(raw.get("name", "")).lower()
        cls = raw.get("class", default_cls)
        if cls and cls != "unknown" and raw.get("ingredients", [name]) == [name]:
            classes.setdefault(name, cls)
    return classes


def _entry(raw: Mapping[str, Any], default_cls: str | None, source: str,
           classes: Mapping[str, str]) -> Entry:
    unknown_keys = set(raw) - _ENTRY_KEYS
    name = str(raw.get("name", ""))
    ingredients = tuple(str(i) for i in raw.get("ingredients", [name.lower()]))
    release = raw.get("release")
    cls = raw.get("class", default_cls) or product_class(ingredients, release, classes)
    if (unknown_keys or not name or cls not in MEDICATION_CLASSES
            or (release is not None and release not in _RELEASES)):
        why = "no class, and none follows from its ingredients" if cls is None else "bad keys"
        raise ValueError(f"{source}: bad entry ({why}) {dict(raw)!r}")
    return Entry(
        name=name, cls=cls, ingredients=() if cls == "unknown" else ingredients,
        family=bool(raw.get("family")), resolved_by=tuple(raw.get("resolved_by", [])),
        resembles=raw.get("resembles"),
    )


def load_entries(directory: Path = LEXICON_DIR) -> list[tuple[Entry, list[str], list[str]]]:
    """(entry, aliases, whole-only aliases) for every entry of every lexicon file.

    An ingredient's other-language names (`ingredients.yaml`) join the entry its name
    reads as ("pethidine" -> meperidine), or make a generic entry of their own.
    """
    classes = ingredient_classes(directory)
    loaded = []
    for raw, default_cls, source in _raw_entries(directory):
        entry = _entry(raw, default_cls, source, classes)
        aliases = [entry.name, *map(str, raw.get("aliases", []))]
        loaded.append((entry, aliases, [str(a) for a in raw.get("whole_only", [])]))
    by_key = {" ".join(normalise.words(a)): aliases for _, aliases, _ in loaded for a in aliases}
    for row in load_ingredients(directory):
        names = [str(a) for a in row.get("aliases", [])]
        home = by_key.get(" ".join(normalise.words(str(row["name"]))))
        if home is not None:
            home.extend(names)
        elif names or row["class"] != "other":
            generic = Entry(str(row["name"]), str(row["class"]), (str(row["name"]),))
            loaded.append((generic, [generic.name, *names], []))
    return loaded


def _add(table: dict[str, Entry], key: str, entry: Entry, conflicts: list[str]) -> None:
    if not key:
        conflicts.append(f"alias of {entry.name!r} is empty after normalising")
    elif table.setdefault(key, entry) != entry:
        conflicts.append(f"{key!r}: {table[key].name!r} and {entry.name!r}")


def kind(cls: str) -> str:
    """The coarse kind fuzzy matching must not confuse: every opioid/* class is one kind."""
    return "opioid" if cls.startswith("opioid/") else cls


def _vocabulary(phrases: Iterable[tuple[str, Entry]]) -> dict[str, frozenset[str]]:
    kinds: dict[str, set[str]] = defaultdict(set)
    for key, entry in phrases:
        # An opioid name of several words also counts squeezed ("novogesic"), so that a
        # misspelling of it is never corrected into a neighbour ("norgesic").
        squeezed = key.replace(" ", "")
        if entry.cls in OPIOID_CLASSES and " " in key and squeezed.isalpha() and len(squeezed) >= FUZZY_MIN_LENGTH:
            kinds[squeezed].add(kind(entry.cls))
        for word in key.split():
            if len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
                continue
            if not normalise.is_explained(word):
                kinds[word].add(kind(entry.cls))
    return {word: frozenset(found) for word, found in kinds.items()}


def opioid_of(entry: Entry, classes: Mapping[str, str]) -> str:
    """The opioid ingredient an opioid entry is named after in a resemblance."""
    return next((i for i in entry.ingredients if classes.get(i, "").startswith("opioid/")),
                entry.ingredients[0] if entry.ingredients else entry.name)


def _opioid_words(phrases: Iterable[tuple[str, Entry]],
                  classes: Mapping[str, str]) -> dict[str, str]:
    """The first words of opioid names ("codamol" of co-codamol, "oxynorm"), each with the
    opioid it stands for: the near-miss targets of a resemblance. Words that non-opioid
    names use too ("tylenol", "atropine") tell nothing, nor do short ones."""
    opioid: dict[str, str] = {}
    elsewhere: set[str] = set()
    for key, entry in phrases:
        for position, word in enumerate(key.split()):
            if not word.isalpha() or normalise.is_explained(word):
                continue
            if entry.cls not in OPIOID_CLASSES:
                elsewhere.add(word)
            elif len(word) >= 5 and (position == 0 or key.startswith("co ")):
                opioid.setdefault(word, opioid_of(entry, classes))
    return {word: drug for word, drug in sorted(opioid.items()) if word not in elsewhere}


def _by_length(words: Iterable[str]) -> dict[int, tuple[str, ...]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for word in sorted(words):
        grouped[len(word)].append(word)
    return {length: tuple(group) for length, group in grouped.items()}


def build_index(directory: Path = LEXICON_DIR) -> Index:
    """Build the indexes; raise ValueError on any alias claimed by two entries."""
    phrases: dict[str, Entry] = {}
    whole_only: dict[str, Entry] = {}
    conflicts: list[str] = []
    loaded = load_entries(directory)
    seen: set[str] = set()
    for entry, _, _ in loaded:
        if entry.name in seen:
            conflicts.append(f"two entries are named {entry.name!r}")
        seen.add(entry.name)
    for entry, aliases, slang in loaded:
        for alias in aliases:
            _add(phrases, " ".join(normalise.words(alias)), entry, conflicts)
        for alias in slang:
            _add(whole_only, " ".join(normalise.words(alias)), entry, conflicts)
    for key in whole_only.keys() & phrases.keys():
        conflicts.append(f"{key!r} is both a whole-only and an ordinary alias")
    for entry, _, _ in loaded:
        conflicts.extend(f"{entry.name!r} is resolved by unknown product {other!r}"
                         for other in entry.resolved_by if other not in seen)
    if conflicts:
        raise ValueError("lexicon conflicts:\n  " + "\n  ".join(sorted(conflicts)))

    # "cocodamol" for "co codamol": only where the squeezed form points to one entry.
    squeezed: dict[str, set[Entry]] = defaultdict(set)
    for key, entry in phrases.items():
        squeezed[key.replace(" ", "")].add(entry)
    compact = {k: next(iter(v)) for k, v in squeezed.items() if len(v) == 1 and k not in phrases}

    vocabulary = _vocabulary(phrases.items())
    opioid_words = _opioid_words(phrases.items(), ingredient_classes(directory))
    sounds: dict[str, str] = {}
    for word, opioid in opioid_words.items():
        sounds.setdefault(normalise.fold(word), opioid)
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in sorted(vocabulary):
        by_length[len(word)].append(word)
    return Index(
        phrases=phrases,
        compact=compact,
        whole_only=whole_only,
        key_words=frozenset(w for key in [*phrases, *whole_only] for w in key.split()),
        max_words=max(len(key.split()) for key in phrases),
        vocabulary=vocabulary,
        by_length={length: tuple(words) for length, words in by_length.items()},
        opioid_words=opioid_words,
        opioid_sounds=sounds,
        opioid_by_length=_by_length(opioid_words),
        sounds_by_length=_by_length(sounds),
    )
