"""``ims audit verify``."""

from __future__ import annotations

import click

from ims.cli._common import State, handle_errors, pass_state
from ims.cli.exit_codes import ExitCode


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command()
@pass_state
@handle_errors
def verify(state: State) -> None:
    """Check every hash chain; name the first broken row of each broken chain."""
    with state.ims() as ims:
        report = ims.audit.verify()
    if report.broken:
        for link in report.broken:
            click.echo(f"BROKEN {link.chain} seq {link.seq} (row id {link.id}): {link.problem}")
        click.echo(f"{len(report.broken)} broken chain(s) of {report.chains}; {report.rows} rows checked")
        raise SystemExit(int(ExitCode.AUDIT_BROKEN))
    click.echo(f"ok: {report.chains} chains, {report.rows} rows, every hash matches")
