"""``ims reference``: list and sync reference data."""

from __future__ import annotations

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state


@click.group()
def reference() -> None:
    """Reference data (coded values)."""


@reference.command("list")
@click.argument("category", required=False)
@click.option("--language", default=None)
@pass_state
@handle_errors
def list_values(state: State, category: str | None, language: str | None) -> None:
    """List categories, or the values of CATEGORY."""
    with state.ims() as ims:
        if category is None:
            for name in ims.reference.categories():
                click.echo(name)
            return
        rows = [
            {"code": i.code, "label": i.label, "order": i.order}
            for i in ims.reference.values(category, language=language)
        ]
    echo_table(rows, ["code", "label", "order"])


@reference.command()
@pass_state
@handle_errors
def sync(state: State) -> None:
    """Mirror roles and reference values from the YAML into the database."""
    with state.ims() as ims:
        counts = ims.reference.sync()
    click.echo(f"reference data: {counts}")
