"""``ims users``: manage users and their roles (as the system operator)."""

from __future__ import annotations

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state


@click.group()
def users() -> None:
    """Users and role grants."""


@users.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, help="Grant this role (repeatable).")
@click.option("--name", "display_name", default=None)
@click.option("--email", default=None)
@pass_state
@handle_errors
def add(
    state: State, username: str, roles: tuple[str, ...], display_name: str | None, email: str | None
) -> None:
    """Create a user."""
    with state.ims() as ims:
        user = ims.users.create(username, display_name=display_name, email=email, roles=roles)
    click.echo(f"created {user.username} ({', '.join(user.roles) or 'no roles'})")


@users.command()
@click.argument("username")
@click.argument("role")
@pass_state
@handle_errors
def grant(state: State, username: str, role: str) -> None:
    """Grant ROLE to USERNAME."""
    with state.ims() as ims:
        user = ims.users.grant(username, role)
    click.echo(f"{user.username}: {', '.join(user.roles)}")


@users.command()
@click.argument("username")
@click.argument("role")
@pass_state
@handle_errors
def revoke(state: State, username: str, role: str) -> None:
    """Revoke ROLE from USERNAME."""
    with state.ims() as ims:
        user = ims.users.revoke(username, role)
    click.echo(f"{user.username}: {', '.join(user.roles) or 'no roles'}")


@users.command()
@click.argument("username")
@pass_state
@handle_errors
def deactivate(state: State, username: str) -> None:
    """Deactivate USERNAME (they can no longer act; history keeps their name)."""
    with state.ims() as ims:
        ims.users.deactivate(username)
    click.echo(f"deactivated {username}")


@users.command("list")
@pass_state
@handle_errors
def list_users(state: State) -> None:
    """List users with their roles."""
    with state.ims() as ims:
        rows = [
            {
                "username": u.username,
                "name": u.display_name,
                "active": u.active,
                "roles": ", ".join(u.roles),
            }
            for u in ims.users.list()
        ]
    echo_table(rows, ["username", "name", "active", "roles"])
