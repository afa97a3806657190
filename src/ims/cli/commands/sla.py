"""``ims sla``: run the SLA sweep once; list the notices sent."""

from __future__ import annotations

import json

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state
from ims.services.sla import DEFAULT_BATCH


@click.group("sla")
def sla() -> None:
    """Service levels: warnings, breaches and escalations of open tasks."""


@sla.command()
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Tasks claimed per transaction.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List every notice sent and who got it.")
@pass_state
@handle_errors
def sweep(state: State, batch: int, fmt: str, verbose: bool) -> None:
    """Send the warnings, breaches and escalations due now, each once (what `ims worker` runs)."""
    with state.ims() as ims:
        result = ims.sla.sweep(batch_size=batch)
    if fmt == "json":
        out = result.as_dict()
        if verbose:
            out["notices"] = [
                {"application": n, "kind": k, "level": lv, "recipients": list(r)}
                for n, k, lv, r in result.notices
            ]
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(
        f"examined {result.examined} tasks: {result.warnings} warnings, {result.breaches} breaches, "
        f"{result.escalations} escalations; {result.marked_overdue} marked overdue; "
        f"{result.notifications} notifications in {result.seconds * 1000:.0f} ms"
    )
    if verbose:
        for number, kind, level, recipients in result.notices:
            label = f"{kind} {level}" if kind == "ESCALATION" else kind
            click.echo(f"  {number}: {label} -> {', '.join(recipients) or 'nobody'}")


@sla.command("notices")
@click.option("--application", "number", default=None, help="Only this application (number or id).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@pass_state
@handle_errors
def notices(state: State, number: str | None, limit: int) -> None:
    """The SLA notices sent, newest last."""
    with state.ims() as ims:
        app_id = None
        if number is not None:
            app_id = ims.applications.get(int(number) if number.isdigit() else number).id
        rows = ims.sla.notices(application_id=app_id)[-limit:]
    if not rows:
        click.echo("no notices")
        return
    table = [
        {
            "task": r["task_id"],
            "application": r["application_id"],
            "kind": r["kind"],
            "level": r["level"],
            "due": r["due_at"].isoformat(timespec="minutes"),
            "sent": r["fired_at"].isoformat(timespec="minutes"),
            "recipients": ", ".join(r["recipients"]),
        }
        for r in rows
    ]
    echo_table(table, list(table[0]))
