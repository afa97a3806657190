"""``ims tasks``: work queues and task actions (claim, assign, start, complete, cancel)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state
from ims.store.models import TASK_STATUSES

if TYPE_CHECKING:
    from ims.services import TaskPage, TaskView

FORMATS = click.Choice(["table", "json"])


@click.group("tasks")
def tasks() -> None:
    """Tasks opened by workflow states, and the work queues that hold them."""


def _filters(fn: Any) -> Any:
    for option in reversed(
        [
            click.option("--state", "state_name", default=None, help="Only tasks of this state."),
            click.option(
                "--status",
                type=click.Choice(TASK_STATUSES, case_sensitive=False),
                default=None,
                help="Only this status.",
            ),
            click.option("--workflow", default=None, help="Only tasks of this workflow."),
            click.option(
                "--due-before",
                type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
                default=None,
                help="Only tasks due before this moment (UTC).",
            ),
            click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True),
            click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True),
            click.option("--format", "fmt", type=FORMATS, default="table", show_default=True),
        ]
    ):
        fn = option(fn)
    return fn


@tasks.command()
@click.option("--as", "actor", required=True, help="Whose queue (username).")
@click.option(
    "--scope",
    type=click.Choice(["all", "mine", "unassigned"]),
    default="all",
    show_default=True,
    help="mine: assigned to you; unassigned: free tasks of your roles; all: both.",
)
@_filters
@pass_state
@handle_errors
def queue(
    state: State,
    /,
    actor: str,
    scope: str,
    **options: Any,
) -> None:
    """Your work queue: your tasks and the unassigned ones of your roles, overdue first."""
    filters, fmt = _split(options)
    with state.ims() as ims:
        page = ims.tasks.queue(actor=actor, scope=scope, **filters)  # type: ignore[arg-type]
        _print(page, fmt, ims.runtime.now())


@tasks.command("list")
@click.option("--as", "actor", required=True, help="Username acting (needs tasks.supervise).")
@click.option("--assignee", default=None, help="Only tasks assigned to this user.")
@click.option("--role", default=None, help="Only tasks for this role.")
@click.option("--closed", "include_closed", is_flag=True, help="Include completed and cancelled tasks.")
@_filters
@pass_state
@handle_errors
def list_tasks(
    state: State,
    /,
    actor: str,
    assignee: str | None,
    role: str | None,
    include_closed: bool,
    **options: Any,
) -> None:
    """Every task, for a supervisor: filters, paging, overdue first."""
    filters, fmt = _split(options)
    with state.ims() as ims:
        page = ims.tasks.list(
            actor=actor, assignee=assignee, role=role, include_closed=include_closed, **filters
        )
        _print(page, fmt, ims.runtime.now())


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--as", "actor", required=True, help="Username taking the task.")
@pass_state
@handle_errors
def claim(state: State, task_id: int, actor: str) -> None:
    """Take an unassigned task of one of your roles."""
    with state.ims() as ims:
        _done(ims.tasks.claim(task_id, actor=actor), "claimed")


@tasks.command()
@click.argument("task_id", type=int)
@click.argument("assignee")
@click.option("--as", "actor", required=True, help="Username acting (needs tasks.assign).")
@pass_state
@handle_errors
def assign(state: State, task_id: int, assignee: str, actor: str) -> None:
    """Assign or reassign a task to ASSIGNEE ('-' puts it back in its roles' queue)."""
    with state.ims() as ims:
        _done(ims.tasks.assign(task_id, None if assignee == "-" else assignee, actor=actor), "assigned")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--as", "actor", required=True, help="The assignee.")
@pass_state
@handle_errors
def start(state: State, task_id: int, actor: str) -> None:
    """Mark your task IN_PROGRESS."""
    with state.ims() as ims:
        _done(ims.tasks.start(task_id, actor=actor), "started")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--as", "actor", required=True, help="The assignee (or a supervisor).")
@click.option("--comment", default=None, help="Recorded in the audit log.")
@pass_state
@handle_errors
def complete(state: State, task_id: int, actor: str, comment: str | None) -> None:
    """Mark a task COMPLETED."""
    with state.ims() as ims:
        _done(ims.tasks.complete(task_id, actor=actor, comment=comment), "completed")


@tasks.command()
@click.argument("task_id", type=int)
@click.option("--as", "actor", required=True, help="Username acting (needs tasks.cancel).")
@click.option("--reason", required=True, help="Why the task is not needed.")
@pass_state
@handle_errors
def cancel(state: State, task_id: int, actor: str, reason: str) -> None:
    """Cancel a task that is not needed."""
    with state.ims() as ims:
        _done(ims.tasks.cancel(task_id, actor=actor, reason=reason), "cancelled")


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], str]:
    fmt = options.pop("fmt")
    due = options.pop("due_before")
    status = options.pop("status")
    state_name = options.pop("state_name")
    filters = {
        **options,
        "state": state_name,
        "status": status.upper() if status else None,
        "due_before": due.replace(tzinfo=UTC) if due else None,
    }
    return filters, fmt


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment else None


def _row(t: TaskView, now: datetime) -> dict[str, Any]:
    return {
        "id": t.id,
        "application": t.application_number,
        "state": t.state,
        "title": t.title,
        "roles": ",".join(t.roles),
        "assignee": t.assignee,
        "status": t.status + (" (on hold)" if t.paused_at else ""),
        "due": _when(t.due_at),
        "overdue": "yes" if t.overdue_at(now) else "",
    }


def _print(page: TaskPage, fmt: str, now: datetime) -> None:
    if fmt == "json":
        out = {
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
            "items": [
                {
                    **_row(t, now),
                    "status": t.status,
                    "roles": list(t.roles),
                    "workflow": t.workflow,
                    "on_hold": t.paused_at is not None,
                    "overdue": t.overdue_at(now),
                    "due": t.due_at.isoformat() if t.due_at else None,
                    "created_at": t.created_at.isoformat(),
                }
                for t in page.items
            ],
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not page.items:
        click.echo(f"no tasks (total {page.total})")
        return
    rows = [_row(t, now) for t in page.items]
    echo_table(rows, list(rows[0]))
    last = page.offset + len(page.items)
    more = f"; next page: --offset {last}" if page.has_more else ""
    click.echo(f"{page.offset + 1}-{last} of {page.total}{more}")


def _done(task: TaskView, what: str) -> None:
    who = f" to {task.assignee}" if what == "assigned" and task.assignee else ""
    if what == "assigned" and not task.assignee:
        who = " back to its roles' queue"
    click.echo(f"task {task.id} ({task.application_number} {task.state}) {what}{who}: {task.status}")
