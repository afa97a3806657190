"""``ims app``: look at applications and act on them from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state


def _ref(value: str) -> int | str:
    """An application's id (digits) or number, as the HTTP API reads them."""
    from ims.services.applications import application_ref

    return application_ref(value)


def _json_arg(value: str) -> dict[str, Any]:
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object")
    return data


@click.group()
def app() -> None:
    """Applications: list, show, create, act."""


@app.command("list")
@click.option("--workflow", default=None)
@click.option("--state", "state_name", default=None)
@click.option("--limit", default=50, show_default=True)
@pass_state
@handle_errors
def list_apps(state: State, workflow: str | None, state_name: str | None, limit: int) -> None:
    """List applications."""
    with state.ims() as ims:
        rows = [
            {
                "number": a.number,
                "workflow": a.workflow,
                "state": a.state,
                "version": a.version,
                "assignee": a.assignee,
                "updated": a.updated_at.strftime("%Y-%m-%d %H:%M"),
            }
            for a in ims.applications.list(workflow=workflow, state=state_name, limit=limit)
        ]
    echo_table(rows, ["number", "workflow", "state", "version", "assignee", "updated"])


@app.command()
@click.argument("workflow")
@click.option("--as", "actor", required=True, help="Username acting.")
@click.option("--data", default="{}", help="Application data as JSON, or @file.json.")
@pass_state
@handle_errors
def create(state: State, workflow: str, actor: str, data: str) -> None:
    """Create an application in WORKFLOW."""
    with state.ims() as ims:
        created = ims.applications.create(workflow, _json_arg(data), actor=actor)
    click.echo(f"{created.number} created in {created.state}")


@app.command()
@click.argument("ref")
@pass_state
@handle_errors
def show(state: State, ref: str) -> None:
    """Show an application (by number or id) as JSON."""
    with state.ims() as ims:
        a = ims.applications.get(_ref(ref))
        steps = {s.name: s.status for s in ims.steps.list(a.id)}
    out = {
        "number": a.number,
        "workflow": a.workflow,
        "state": a.state,
        "previous_state": a.previous_state,
        "version": a.version,
        "assignee": a.assignee,
        "priority": a.priority,
        "steps": steps,
        "data": a.data,
    }
    click.echo(json.dumps(out, indent=2, ensure_ascii=False))


@app.command()
@click.argument("ref")
@click.option("--as", "actor", required=True, help="Username acting.")
@pass_state
@handle_errors
def actions(state: State, ref: str, actor: str) -> None:
    """The actions ACTOR has on an application, and why blocked ones are blocked."""
    with state.ims() as ims:
        options = ims.workflow.available_actions(_ref(ref), actor=actor)
    for o in options:
        mark = "yes" if o.allowed else "no "
        click.echo(f"[{mark}] {o.action} -> {o.to_state}")
        for reason in o.reasons:
            click.echo(f"        - {reason}")


@app.command("do")
@click.argument("ref")
@click.argument("action")
@click.option("--as", "actor", required=True, help="Username acting.")
@click.option("--reason", default=None)
@click.option("--comment", default=None)
@click.option(
    "--version",
    "expected_version",
    type=int,
    default=None,
    help="Refuse if the application changed since.",
)
@pass_state
@handle_errors
def do(
    state: State,
    ref: str,
    action: str,
    actor: str,
    reason: str | None,
    comment: str | None,
    expected_version: int | None,
) -> None:
    """Perform ACTION on an application."""
    with state.ims() as ims:
        result = ims.workflow.transition(
            _ref(ref),
            action,
            actor=actor,
            reason=reason,
            comment=comment,
            expected_version=expected_version,
        )
    app_ = result.application
    click.echo(f"{app_.number}: {result.from_state} -> {result.to_state} (version {app_.version})")


@app.command()
@click.argument("ref")
@pass_state
@handle_errors
def history(state: State, ref: str) -> None:
    """The history of an application."""
    with state.ims() as ims:
        rows = [
            {
                "at": e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "actor": e.actor,
                "reason": e.reason,
            }
            for e in ims.workflow.history(_ref(ref))
        ]
    echo_table(rows, ["at", "action", "from", "to", "actor", "reason"])


@app.command()
@click.argument("ref")
@click.argument("step")
@click.option("--as", "actor", required=True)
@click.option("--data", default="{}", help="Step data as JSON, or @file.json.")
@pass_state
@handle_errors
def step(state: State, ref: str, step: str, actor: str, data: str) -> None:
    """Record and complete STEP with its data."""
    with state.ims() as ims:
        view = ims.steps.record(_ref(ref), step, _json_arg(data), actor=actor)
    click.echo(f"step {view.name}: {view.status}")
