"""``ims plugins``: what is loaded, from where, implementing which hooks."""

from __future__ import annotations

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state


@click.command()
@pass_state
@handle_errors
def plugins(state: State) -> None:
    """List loaded plugins."""
    from ims.facade import load_everything
    from ims.hooks.manager import describe_plugins

    _, pm, _ = load_everything(state.config_path)
    rows = [
        {"name": p.name, "source": p.source, "hooks": ", ".join(p.hooks)}
        for p in describe_plugins(pm)
    ]
    echo_table(rows, ["name", "source", "hooks"])
