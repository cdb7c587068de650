"""The import rules of docs/architecture.md, and the "one definition" rules, as tests.

Imports are read from the source (ast), not by importing: importing any submodule runs
`screening/__init__.py` (the application factory), which imports Flask by design. The
rules follow imports transitively within the package, so a pure module cannot reach
Flask through a helper either.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "screening"
FACTORY = "screening"  # screening/__init__.py: every submodule's parent, and allowed to import anything


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def direct_imports(name: str) -> frozenset[str]:
    """Every module `name` imports, absolute, including ones imported inside functions."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return frozenset(found)


@cache
def reachable(name: str) -> frozenset[str]:
    """Everything `name` imports, following the package's own modules (not the factory)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        for imported in direct_imports(todo.pop()):
            if imported in seen:
                continue
            seen.add(imported)
            if imported in MODULES and imported != FACTORY:
                todo.append(imported)
    return frozenset(seen)


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def is_view(name: str) -> bool:
    return name.endswith("_views") or name == "screening.patient.views"


FORBIDDEN = {
    "screening.rules": ("flask", "sqlalchemy", "wtforms", "flask_wtf", "screening.forms", "views"),
    "screening.medications": ("flask", "sqlalchemy", "wtforms", "flask_wtf", "screening.forms", "views"),
    "screening.models": ("views",),
    "screening.forms": ("screening.rules",),
}


def breaks(imported: str, forbidden: str) -> bool:
    if forbidden == "views":
        return is_view(imported) or imported.rpartition(".")[2] in ("views", "patient_views")
    return in_package(imported, forbidden)


@pytest.mark.parametrize(("package", "forbidden"), [
    (package, forbidden) for package, names in FORBIDDEN.items() for forbidden in names
])
def test_import_rule(package: str, forbidden: str) -> None:
    offenders = sorted(
        f"{name} reaches {imported}"
        for name in MODULES if in_package(name, package)
        for imported in reachable(name) if breaks(imported, forbidden)
    )
    assert not offenders, f"{package} must never import {forbidden}:\n" + "\n".join(offenders)


def test_the_import_rules_see_a_violation(tmp_path: Path) -> None:
    """The scanner is not blind: a relative import of Flask's request helpers is caught."""
    assert "flask" in direct_imports("screening.doctor.common")
    assert "screening.extensions" in direct_imports("screening.doctor.common")
    assert "screening.db" in reachable("screening.doctor.common")


def _sources(*, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {name: path.read_text(encoding="utf-8") for name, path in MODULES.items() if name not in skip}


def test_views_leave_queries_to_their_services() -> None:
    offenders = [name for name, text in _sources().items()
                 if is_view(name) and re.search(r"^from sqlalchemy import", text, re.M)]
    assert not offenders, f"views that build queries (move them into the package's services): {offenders}"


def test_app_services_are_read_through_the_typed_accessors() -> None:
    offenders = [name for name, text in _sources(skip=("screening.extensions",)).items()
                 if "extensions[" in text]
    assert not offenders, f"use screening.extensions' accessors instead of app.extensions[...]: {offenders}"


def test_severities_are_listed_in_one_place() -> None:
    listing = re.compile(r"""["']critical["']\s*[:,]\s*(?:\d+\s*,\s*)?["']warning["']""")
    offenders = [name for name, text in _sources(skip=("screening.rules.severity",)).items()
                 if listing.search(text)]
    assert not offenders, f"severities listed again outside screening.rules.severity: {offenders}"


def test_templates_do_not_list_severities_again() -> None:
    templates = PACKAGE.parent / "templates"
    listing = re.compile(r"""['"]critical['"]\s*:\s*['"][A-Z]""")  # a word, not an icon's colour
    offenders = [str(path.relative_to(templates)) for path in templates.rglob("*.html")
                 if listing.search(path.read_text(encoding="utf-8"))]
    assert not offenders, f"templates with their own severity words: {offenders}"
