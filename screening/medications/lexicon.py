"""Load the lexicon (the YAML files in `lexicon/`) and build the lookup indexes once.

Each file has a default `class` and a list of `entries`; an entry has a canonical
`name`, optional `class`, `ingredients` (default: the name), `aliases`, `whole_only`
aliases (slang recognised only as the whole text) and `family` (the plain member of a
brand family with opioid members). Every alias is normalised exactly like patient text.
An alias that normalises to the same words as another entry's alias is an error: the
classifier must never have to choose silently between two products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import normalise
from .classes import MEDICATION_CLASSES

LEXICON_DIR = Path(__file__).parent / "lexicon"
# libyaml's loader, when PyYAML was built with it, reads the lexicon ~10x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENTRY_KEYS = frozenset(
    {"name", "class", "ingredients", "aliases", "whole_only", "family", "resolved_by"}
)
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


def _entry(raw: Mapping[str, Any], default_cls: str, source: str) -> Entry:
    unknown_keys = set(raw) - _ENTRY_KEYS
    cls = raw.get("class", default_cls)
    if unknown_keys or "name" not in raw or cls not in MEDICATION_CLASSES:
        raise ValueError(f"{source}: bad entry {dict(raw)!r}")
    name = str(raw["name"])
    ingredients = () if cls == "unknown" else tuple(raw.get("ingredients", [name.lower()]))
    return Entry(
        name=name, cls=cls, ingredients=ingredients, family=bool(raw.get("family")),
        resolved_by=tuple(raw.get("resolved_by", [])),
    )


def load_entries(directory: Path = LEXICON_DIR) -> list[tuple[Entry, list[str], list[str]]]:
    """(entry, aliases, whole-only aliases) for every entry of every lexicon file."""
    loaded = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "words.yaml":
            continue
        data = yaml.load(path.read_text("utf-8"), Loader=_LOADER)  # noqa: S506 (safe loader)
        for raw in data["entries"]:
            entry = _entry(raw, data["class"], path.name)
            aliases = [entry.name, *map(str, raw.get("aliases", []))]
            loaded.append((entry, aliases, [str(a) for a in raw.get("whole_only", [])]))
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
        for word in key.split():
            if len(word) < FUZZY_MIN_LENGTH or not word.isalpha():
                continue
            if not normalise.is_explained(word):
                kinds[word].add(kind(entry.cls))
    return {word: frozenset(found) for word, found in kinds.items()}


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
    )
