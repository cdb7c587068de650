"""`flask --app screening classify-medication NAME [NAME ...]` (rules.md interface)."""

from __future__ import annotations

import json

import click

from . import classify


@click.command("classify-medication")
@click.argument("names", nargs=-1, required=True)
def classify_medication_command(names: tuple[str, ...]) -> None:
    """Print one JSON object per NAME: input, class, matched product, ingredients."""
    for name in names:
        click.echo(json.dumps(classify(name).to_json(), ensure_ascii=False))
