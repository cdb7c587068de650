"""The citations the rules point to, loaded once from sources.yaml (key -> label + link)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

SOURCES_PATH = Path(__file__).with_name("sources.yaml")


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    url: str | None  # None only for the service's own policy, which has no page


def load_sources(path: Path = SOURCES_PATH) -> Mapping[str, Source]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = {}
    for key, entry in raw.items():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("label"), str):
            raise ValueError(f"{path.name}: source {key!r} needs a label")
        sources[str(key)] = Source(str(key), entry["label"], entry.get("url"))
    return sources


SOURCES: Mapping[str, Source] = load_sources()
