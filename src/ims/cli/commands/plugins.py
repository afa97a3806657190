"""``ims plugins``: what is loaded, from where, implementing which hooks."""

from __future__ import annotations

import json

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_state
@handle_errors
def plugins(state: State, fmt: str) -> None:
    """List loaded plugins: name, source, hooks."""
    from ims.facade import load_everything
    from ims.hooks.manager import describe_plugins

    _, pm, _ = load_everything(state.config_path)
    found = describe_plugins(pm)
    if fmt == "json":
        out = [{"name": p.name, "source": p.source, "hooks": list(p.hooks)} for p in found]
        click.echo(json.dumps(out, indent=2))
        return
    rows = [{"name": p.name, "source": p.source, "hooks": ", ".join(p.hooks)} for p in found]
    echo_table(rows, ["name", "source", "hooks"])
