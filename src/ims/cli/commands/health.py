"""``ims health``: the checks of ``/health/ready`` from the command line."""

from __future__ import annotations

import json
import sys

import click

from ims.cli._common import State, handle_errors, pass_state
from ims.cli.exit_codes import ExitCode


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_state
@handle_errors
def health(state: State, fmt: str) -> None:
    """Check the database, migrations, plugins, outbox backlog and worker heartbeat.

    Exits 0 when ready (warnings included), 9 when a check failed.
    """
    with state.ims() as ims:
        report = ims.health.check()
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        for check in report.checks:
            click.echo(f"{check.status:<4}  {check.name:<10} {check.message}")
        click.echo(f"{'ready' if report.ready else 'NOT READY'} ({report.status})")
    if not report.ready:
        sys.exit(int(ExitCode.NOT_READY))
