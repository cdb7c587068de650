"""Build `lexicon/sourced.yaml`, the part of the lexicon taken from public drug databases.

    python -m screening.medications.build --dpd DIR --bdpm DIR --ndc DIR

Each source is a snapshot of a national product database (SOURCES: publisher, licence,
date, where to get it); the output records each file's SHA-256, so the same files give
the same table. From each product the build keeps its brand name and its ingredients
(the database's own, mapped to INN by `ingredients.yaml` and the lexicon's generic
names); the class is NOT written: the classifier derives it from the ingredients
(lexicon.product_class), so the table can be reviewed as "brand -> ingredients".

Kept: every product with an ingredient of a class the rules read (opioids, antagonists,
thyroid, immunosuppressants ...), and the first word of `other` brands ("Doliprane")
when every product of that brand is `other` and the word cannot be mistaken for an
opioid name. Skipped: generic names (the classifier reads them already), names the
curated lexicon already reads the same way (reported when it reads them differently),
products with an ingredient the lexicon does not know.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import normalise
from .classes import OPIOID_CLASSES
from .lexicon import LEXICON_DIR, build_index, ingredient_classes, load_ingredients, product_class
from .matcher import classify_words
from .resemble import near_miss

OUTPUT = LEXICON_DIR / "sourced.yaml"
SOURCES = {
    "dpd": {
        "name": "Health Canada Drug Product Database (DPD), data extract: marketed and dormant "
                "human products (drug, ingred, form, ther files)",
        "publisher": "Health Canada", "country": "CA",
        "licence": "Open Government Licence - Canada 2.0",
        "url": "https://www.canada.ca/en/health-canada/services/drugs-health-products/"
               "drug-products/drug-product-database/what-data-extract-drug-product-database.html",
        "files": ["drug.txt", "ingred.txt", "form.txt", "ther.txt",
                  "dormant/drug.txt", "dormant/ingred.txt", "dormant/form.txt"],
    },
    "bdpm": {
        "name": "Base de donnees publique des medicaments (BDPM): CIS_bdpm.txt, "
                "CIS_COMPO_bdpm.txt",
        "publisher": "ANSM (France)", "country": "FR",
        "licence": "Licence Ouverte / Open Licence (Etalab), as published on data.gouv.fr",
        "url": "https://base-donnees-publique.medicaments.gouv.fr/telechargement.php",
        "files": ["CIS_bdpm.txt", "CIS_COMPO_bdpm.txt"],
    },
    "ndc": {
        "name": "Opioid products of the FDA National Drug Code directory, as listed by the "
                "Opioid Data Lab codelists (opioid_NDCs.csv, ER_opioids_NDC.csv)",
        "publisher": "US FDA (NDC directory, public domain); list by Opioid Data Lab (MIT)",
        "country": "US",
        "licence": "FDA data: public domain (US government work); the list: MIT licence",
        "url": "https://github.com/opioiddatalab/Codelists",
        "files": ["opioid_NDCs.csv", "ER_opioids_NDC.csv"],
    },
}
# Words of pharmaceutical forms that mark extended release in the databases' form fields.
_ER_FORM = re.compile(r"extended|prolong|sustained|controlled|modified|transderm|patch|"
                      r"liberation prolongee|dispositif transdermique|retard", re.I)
_DEPOT_FORM = re.compile(r"subcutan|depot|implant", re.I)
_PAREN = re.compile(r"\([^)]*\)")
# ATC groups holding opioids (and look-alikes): every substance filed there must be known.
_OPIOID_ATC = ("N02A", "N07BC", "R05DA", "A07DA")
# Salt and state words of ingredient names, in English and French.
_SALT = frozenset([
    "hydrochloride", "hcl", "chlorhydrate", "sulfate", "sulphate", "phosphate", "citrate",
    "tartrate", "bitartrate", "bromide", "hydrobromide", "bromhydrate", "maleate", "maleat",
    "napsylate", "lactate", "acetate", "sodium", "sodique", "potassium", "calcium", "base",
    "anhydrous", "anhydre", "monohydrate", "monohydrate", "hemihydrate", "hemihydrate", "dihydrate",
    "dihydrate", "trihydrate", "sesquihydrate", "de", "d", "du", "des", "l", "la", "le", "hydrate",
    "hydrated", "pentahydrate", "mofetil", "polistirex", "resinate", "tannate", "usp", "bp", "(u)",
    "bulk"
])
_INGREDIENT_SYNONYMS = {"asa": "aspirin", "acetylsalicylic acid": "aspirin", "acide acetylsalicylique":
                        "aspirin", "acetylsalicyclic acid": "aspirin", "acetam": "acetaminophen",
                        "paracetamol": "acetaminophen", "caf": "caffeine", "caff": "caffeine",
                        "cafeine": "caffeine", "propoxyphene": "dextropropoxyphene",
                        "ibuprofene": "ibuprofen", "opium extrait sec": "opium",
                        "poudre opium": "opium", "opium poudre": "opium"}


@dataclass
class Product:
    """One product of a source: its brand name as listed, and what the build made of it."""

    brand: str
    ingredients: tuple[str, ...]  # INN, or "?" for a substance the lexicon does not know
    release: str | None
    source: str


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Ingredients:
    """Source substance names -> lexicon ingredients (INN)."""

    def __init__(self) -> None:
        self.classes = ingredient_classes()
        self.names: dict[str, str] = {name: name for name in self.classes}
        for row in load_ingredients():
            for alias in row.get("aliases", []):
                self.names[" ".join(normalise.words(str(alias)))] = str(row["name"])
        self.names.update(_INGREDIENT_SYNONYMS)
        self.listed = frozenset(str(row["name"]) for row in load_ingredients())
        self.unlisted: set[str] = set()  # DPD substances filed under an opioid ATC group

    def read(self, raw: str) -> str:
        """The INN of one substance as a database writes it, or "?"."""
        text = _PAREN.sub(" ", raw) if not raw.strip().startswith("(") else raw
        words = [w for w in normalise.plain(text).replace("'", " ").split() if w not in _SALT]
        words = [w for w in re.sub(r"[^a-z0-9 ]", " ", " ".join(words)).split() if w not in _SALT]
        for candidate in (" ".join(words), " ".join(words[:1]), " ".join(words[-1:])):
            name = self.names.get(candidate) or self.names.get(candidate.rstrip("e"))
            if name:
                return name
        return "?"


def _dpd(folder: Path, names: _Ingredients) -> Iterator[Product]:
    for sub in (folder, folder / "dormant"):
        if not (sub / "drug.txt").exists():
            continue
        def rows(name: str, sub: Path = sub) -> Iterator[list[str]]:
            with (sub / name).open(encoding="utf-8", errors="replace", newline="") as handle:
                yield from csv.reader(handle)
        forms: dict[str, list[str]] = defaultdict(list)
        for row in rows("form.txt"):
            forms[row[0]].append(row[2])
        substances: dict[str, list[str]] = defaultdict(list)
        for row in rows("ingred.txt"):
            substances[row[0]].append(row[2])
        opioid_group = {row[0] for row in rows("ther.txt") if row[1].startswith(_OPIOID_ATC)}
        for code in opioid_group:
            # A product filed there names at least one substance of ingredients.yaml
            # (its opioid, or dextromethorphan, noscapine ...); co-ingredients may be others.
            if not any(names.read(s) in names.listed for s in substances.get(code, [])):
                names.unlisted.update(substances.get(code, []))
        for row in rows("drug.txt"):
            if row[2] != "Human" or not substances.get(row[0]):
                continue
            form = " ".join(forms.get(row[0], []))
            release = "er" if _ER_FORM.search(form) else None
            yield Product(row[4], tuple(names.read(s) for s in substances[row[0]]), release, "dpd")


def _bdpm(folder: Path, names: _Ingredients) -> Iterator[Product]:
    substances: dict[str, list[str]] = defaultdict(list)
    for line in (folder / "CIS_COMPO_bdpm.txt").read_text("utf-8-sig").splitlines():
        cells = line.split("\t")
        # Nature "SA" is the active substance, "FT" the same expressed otherwise.
        if len(cells) > 6 and cells[6].strip() == "SA":
            substances[cells[0]].append(cells[3])
    for line in (folder / "CIS_bdpm.txt").read_text("utf-8-sig").splitlines():
        cells = line.split("\t")
        if len(cells) < 3 or not substances.get(cells[0]):
            continue
        brand = cells[1].split(",")[0]
        release = "er" if _ER_FORM.search(cells[2]) or re.search(r"\bL\.?P\.?\b", brand) else None
        yield Product(brand, tuple(names.read(s) for s in substances[cells[0]]), release, "bdpm")


def _ndc(folder: Path, names: _Ingredients) -> Iterator[Product]:
    with (folder / "ER_opioids_NDC.csv").open(encoding="latin-1") as handle:
        extended = {row["DRUG_NAME"].lower() for row in csv.DictReader(handle)}
    with (folder / "opioid_NDCs.csv").open(encoding="latin-1") as handle:
        for row in csv.DictReader(handle):
            parts = [names.read(p) for p in row["generic_name"].split(";")]
            opioids = [names.read(row[k]) for k in ("opioid_ingredient1", "opioid_ingredient2")
                       if row[k] not in ("", "NA")]
            # Co-ingredients the lexicon does not know cannot lower an opioid's class.
            ingredients = tuple(dict.fromkeys([*opioids, *(p for p in parts if p != "?")]))
            name = row["drug_name"]
            release = "er" if name in extended or _ER_FORM.search(name) else None
            yield Product(name, ingredients, release, "ndc")


def _key(brand: str, fillers: frozenset[str]) -> list[str]:
    """A brand's words as the classifier reads them, without forms, numbers, companies."""
    return [w for w in normalise.words(brand)
            if w == normalise.MARKER or not (normalise.is_explained(w) or normalise.is_number(w)
                                             or w in fillers or len(w) == 1)]


def build(folders: dict[str, Path]) -> dict[str, object]:
    """The sourced table from the source folders (see SOURCES)."""
    names = _Ingredients()
    readers = {"dpd": _dpd, "bdpm": _bdpm, "ndc": _ndc}
    products = [p for source, folder in sorted(folders.items())
                for p in readers[source](folder, names)]
    if names.unlisted:
        raise SystemExit("ingredients.yaml lacks substances that the DPD files under an "
                         f"opioid ATC group: {sorted(names.unlisted)}")
    # The curated lexicon alone: what it reads already is not repeated.
    with tempfile.TemporaryDirectory() as tmp:
        for path in LEXICON_DIR.glob("*.yaml"):
            if path != OUTPUT:
                shutil.copy(path, tmp)
        curated = build_index(Path(tmp))
    generic = frozenset(w for name in names.names for w in name.split())
    fillers = _COMPANY_WORDS
    by_key: dict[str, list[tuple[Product, str]]] = defaultdict(list)
    for product in products:
        if "?" in product.ingredients:
            continue
        cls = product_class(product.ingredients, product.release, names.classes)
        words = _key(product.brand, fillers)
        if cls is None or not words or words[0] in generic:
            continue
        by_key[" ".join(words)].append((product, cls))
    entries, disagreements = _entries(by_key, curated, names.classes)
    return {"sources": _source_records(folders), "entries": entries,
            "disagreements": disagreements}


# Laboratories and generic-company prefixes ("APO-", "TEVA", "BIOGARAN") name no product.
_COMPANY_WORDS = frozenset([
    "apo", "pms", "teva", "sandoz", "mylan", "ratio", "novo", "jamp", "mint", "auro", "riva", "act",
    "ag", "mar", "nat", "pro", "sanis", "sivem", "taro", "accord", "actavis", "aurobindo", "zydus",
    "lupin", "cipla", "arrow", "biogaran", "eg", "cristers", "evolugen", "zentiva", "krka", "almus",
    "ranbaxy", "viatris", "medac", "aguettant", "renaudin", "lavoisier", "panpharma", "piramal",
    "hospira", "braun", "b", "cooper", "biphar", "gerda", "phr", "lab", "labo", "generiques",
    "pharma", "sante", "france", "odan", "pdp", "dom", "sdz", "pharmascience", "mylan", "gen",
    "pharmel", "bgr", "ivax"
])


def _entries(by_key: dict[str, list[tuple[Product, str]]], curated: object,
             classes: dict[str, str]) -> tuple[list[dict[str, object]], list[str]]:
    from .lexicon import Index  # noqa: PLC0415 (typing only)

    assert isinstance(curated, Index)
    entries: list[dict[str, object]] = []
    named: set[str] = set()
    disagreements: list[str] = []
    heads: dict[str, dict[str, str]] = defaultdict(dict)  # brand word -> class -> an opioid
    for key, found in sorted(by_key.items()):
        heads[key.split()[0]].setdefault(_one_class(c for _, c in found), next(
            (i for p, _ in found for i in p.ingredients if classes.get(i, "").startswith("opioid/")),
            ""))
    for key, found in sorted(by_key.items()):
        cls = _one_class(c for _, c in found)
        reading = classify_words(key, key.split(), curated).cls
        if reading != "unknown":
            if reading != cls:
                disagreements.append(f"{key!r}: data {cls}, curated lexicon {reading}")
            continue
        first = found[0][0]
        ingredients = list(dict.fromkeys(i for p, _ in found for i in p.ingredients))
        name = re.split(r"\s\d", first.brand)[0].strip().title()
        if " ".join(normalise.words(name)) in curated.phrases:
            continue  # the curated lexicon has this brand under another reading
        entry: dict[str, object] = {"name": name if name not in named else f"{name} ({key})",
                                    "ingredients": ingredients}
        if all(p.release == "er" for p, _ in found) and cls != product_class(
                ingredients, None, classes):
            entry["release"] = "er"
        entry["aliases"] = [key]
        entry["source"] = sorted({p.source for p, _ in found})
        found_classes = heads.get(key, {})
        family = any(c in OPIOID_CLASSES for c in found_classes) and cls not in OPIOID_CLASSES
        if cls == "other" and not family and (len(key.split()) > 1
                                              or not _plain_brand(key, curated)):
            continue
        named.add(str(entry["name"]))
        entries.append(entry)
    _mark_families(entries, heads)
    _add_brand_words(entries, heads, curated, classes)
    return entries, sorted(disagreements)


def _add_brand_words(entries: list[dict[str, object]], heads: dict[str, dict[str, str]],
                     curated: object, classes: dict[str, str]) -> None:
    """"Skenan 30" names Skenan L.P.: a brand word that is no product of its own joins the
    entry of its products, when they all have one class (IR and ER lines: the IR one)."""
    from .lexicon import Index  # noqa: PLC0415 (typing only)

    assert isinstance(curated, Index)
    keys = {str(a) for e in entries for a in e["aliases"]}  # type: ignore[attr-defined]
    for head, found in sorted(heads.items()):
        if head in keys or len(head) < 5 or head in curated.phrases or len(found) != 1:
            continue
        cls = next(iter(found))
        for entry in entries:
            aliases = entry["aliases"]
            assert isinstance(aliases, list)
            if str(aliases[0]).startswith(head + " ") and product_class(
                    entry["ingredients"], entry.get("release"), classes) == cls:  # type: ignore[arg-type]
                aliases.append(head)
                break


def _one_class(classes: Iterable[str]) -> str:
    """A key sold as IR and ER products without a marker is short (rules.md)."""
    found = set(classes)
    if found == {"opioid/short", "opioid/long"}:
        return "opioid/short"
    return min(found, key=lambda c: (c not in OPIOID_CLASSES, c))


def _plain_brand(word: str, curated: object) -> bool:
    """An `other` brand word is kept only if it cannot pass for an opioid name."""
    from .lexicon import Index  # noqa: PLC0415 (typing only)

    assert isinstance(curated, Index)
    return (len(word) >= 5 and word.isalpha() and near_miss(word, curated) is None
            and normalise.opioid_stem(word) is None)


def _mark_families(entries: list[dict[str, object]], heads: dict[str, dict[str, str]]) -> None:
    """The plain member of a brand with opioid and non-opioid products ("Dafalgan" beside
    "Dafalgan Codeine") is a family: an unresolved variant of it is unknown, and resembles
    the opioid of its relatives."""
    for entry in entries:
        aliases = entry["aliases"]
        assert isinstance(aliases, list)
        key = str(aliases[0])
        found = heads.get(key, {})
        opioids = [found[c] for c in sorted(found) if c in OPIOID_CLASSES]
        if " " not in key and opioids and any(c not in OPIOID_CLASSES for c in found):
            entry["family"] = True
            entry["resembles"] = opioids[0]


def _source_records(folders: dict[str, Path]) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for source, folder in sorted(folders.items()):
        meta = SOURCES[source]
        files = {name: _sha256(folder / name) for name in meta["files"]
                 if (folder / name).exists()}
        dates = sorted({(folder / name).stat().st_mtime for name in files})
        records.append({"id": source, **{k: v for k, v in meta.items() if k != "files"},
                        "files_sha256": files, "snapshot": _date(dates[-1]) if dates else None})
    return records


def _date(timestamp: float) -> str:
    from datetime import UTC, datetime  # noqa: PLC0415

    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


def write(table: dict[str, object], path: Path = OUTPUT) -> None:
    """Write the table as YAML, one entry a line, so a diff shows what changed."""
    lines = ["# Built by `python -m screening.medications.build` from the sources below: do not",
             "# edit by hand (docs/medications.md \"Sources\"). Each entry is a brand with the",
             "# ingredients its database lists; the classifier derives the class from them.",
             "sources:"]
    for record in table["sources"]:  # type: ignore[attr-defined]
        lines.append("  - " + yaml.safe_dump(record, default_flow_style=True, width=10_000,
                                               sort_keys=False).strip())
    lines.append("entries:")
    for entry in table["entries"]:  # type: ignore[attr-defined]
        lines.append("  - " + yaml.safe_dump(entry, default_flow_style=True, width=10_000,
                                               sort_keys=False, allow_unicode=True).strip())
    path.write_text("\n".join(lines) + "\n", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for source in SOURCES:
        parser.add_argument(f"--{source}", type=Path, help=SOURCES[source]["name"])  # type: ignore[arg-type]
    args = parser.parse_args(argv)
    folders = {s: getattr(args, s) for s in SOURCES if getattr(args, s) is not None}
    if not folders:
        parser.error("name at least one source folder")
    table = build(folders)
    write(table)
    entries = table["entries"]
    assert isinstance(entries, list)
    print(f"{len(entries)} entries written to {OUTPUT}")
    for line in table["disagreements"]:  # type: ignore[attr-defined]
        print("disagrees:", line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
