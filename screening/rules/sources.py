"""The citations the rules point to, loaded once from sources.yaml.

sources.yaml is docs/clinical/sources.md's citation list (key -> citation, link and kind;
tests/rules/test_sources.py compares them one by one). A rule lists keys in its
`sources`; its flag shows the first. ``SOURCES[key].kind`` says what kind of document a
source is ("label", "peer-reviewed", "regulator / peer-reviewed" …), for the doctor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

SOURCES_PATH = Path(__file__).with_name("sources.yaml")

# The kinds sources.md's "kind" column uses; a source of two kinds joins them with " / ".
# "service policy" is the service's own rule (DATA-01), which cites no publication.
SOURCE_KINDS = (
    "label", "regulator", "registry", "bookshelf", "peer-reviewed", "government",
    "expert opinion", "service policy",
)
KIND_SEPARATOR = " / "


@dataclass(frozen=True)
class Source:
    key: str
    label: str  # the citation, as sources.md words it
    url: str | None  # None only for the service's own policy, which has no page
    kind: str  # sources.md's "kind": "label", "peer-reviewed", "regulator / peer-reviewed" …
    supports: str = ""  # what the source supports (sources.md "what it supports")
    note: str | None = None  # how to find the document behind the link ("search REVIA")

    @property
    def kinds(self) -> tuple[str, ...]:
        """Each kind on its own: ("regulator", "peer-reviewed")."""
        return tuple(self.kind.split(KIND_SEPARATOR))


def load_sources(path: Path = SOURCES_PATH) -> Mapping[str, Source]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = {}
    for key, entry in raw.items():
        where = f"{path.name}: source {key!r}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("label"), str):
            raise ValueError(f"{where} needs a label")
        kind = entry.get("kind")
        if not isinstance(kind, str) or not set(kind.split(KIND_SEPARATOR)) <= set(SOURCE_KINDS):
            raise ValueError(f"{where} needs a kind made of {SOURCE_KINDS}, not {kind!r}")
        url, note, supports = entry.get("url"), entry.get("note"), entry.get("supports", "")
        if not (url is None or isinstance(url, str)) or not (note is None or isinstance(note, str)):
            raise ValueError(f"{where}: url and note are text")
        if not isinstance(supports, str):
            raise ValueError(f"{where}: supports is text")
        sources[str(key)] = Source(str(key), entry["label"], url, kind, supports, note)
    return sources


SOURCES: Mapping[str, Source] = load_sources()
