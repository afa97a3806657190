"""``ims notifications``: deliver the outbox once, list messages, requeue dead ones."""

from __future__ import annotations

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state
from ims.services import SYSTEM

STATUSES = ("PENDING", "FAILED", "SENT", "DEAD")


@click.group("notifications")
def notifications() -> None:
    """Outbox messages of the channels besides the in-app inbox (e-mail, ...)."""


@notifications.command()
@click.option(
    "--batch", type=click.IntRange(min=1), default=None, help="Messages to claim (default: delivery.batch)."
)
@pass_state
@handle_errors
def deliver(state: State, batch: int | None) -> None:
    """Deliver the messages due now, once (what `ims worker` does in a loop)."""
    with state.ims() as ims:
        report = ims.outbox.deliver(batch)
    click.echo(f"sent {report.sent}, failed {report.failed}, dead {report.dead}")


@notifications.command("list")
@click.option(
    "--status", type=click.Choice(STATUSES, case_sensitive=False), default=None, help="Only this status."
)
@click.option("--channel", default=None, help="Only this channel.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@pass_state
@handle_errors
def list_messages(state: State, status: str | None, channel: str | None, limit: int) -> None:
    """Outbox messages, newest first, with attempts and the last error."""
    with state.ims() as ims:
        items = ims.outbox.list(status=status, channel=channel, limit=limit)
    rows = [
        {
            "id": i.id,
            "channel": i.channel,
            "template": i.template,
            "recipient": i.recipient or "-",
            "address": i.address,
            "status": i.status,
            "attempts": i.attempts,
            "next attempt": i.next_attempt_at.isoformat(timespec="seconds") if i.next_attempt_at else None,
            "last error": i.last_error,
        }
        for i in items
    ]
    if not rows:
        click.echo("no messages")
        return
    echo_table(rows, list(rows[0]))


@notifications.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Requeue every DEAD message.")
@click.option("--as", "actor", default=None, help="Username recorded in the audit log (default: system).")
@pass_state
@handle_errors
def retry(state: State, ids: tuple[int, ...], everything: bool, actor: str | None) -> None:
    """Requeue DEAD messages ID... (or --all): PENDING, attempts reset, due now."""
    if bool(ids) == everything:
        raise click.UsageError("give message IDs or --all (not both)")
    with state.ims() as ims:
        requeued = ims.outbox.retry(None if everything else list(ids), actor=actor or SYSTEM)
    missing = sorted(set(ids) - set(requeued))
    click.echo(f"requeued {len(requeued)}" + (f": {', '.join(map(str, requeued))}" if requeued else ""))
    if missing:
        click.echo(f"not dead (left as they are): {', '.join(map(str, missing))}")
