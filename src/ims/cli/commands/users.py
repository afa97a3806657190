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


@users.command()
@click.argument("username")
@click.option(
    "--ttl",
    type=click.IntRange(min=1),
    default=None,
    metavar="MINUTES",
    help="Minutes the token stays valid (default: settings.api.token_ttl_minutes, 60).",
)
@pass_state
@handle_errors
def token(state: State, username: str, ttl: int | None) -> None:
    """Print a bearer token (JWT) for USERNAME, for the HTTP API.

    Signed with the deployment's secret key (IMS_SECRET_KEY, else the key kept in
    data_dir): give it as `Authorization: Bearer <token>`.
    """
    from datetime import timedelta

    try:
        from ims.api.tokens import issue
    except ImportError as exc:
        raise click.ClickException(
            f"tokens need the API extra: pip install 'ims[api]' ({exc.name})"
        ) from None
    with state.ims() as ims:
        user = ims.users.get(username)
        if not user.active:
            raise click.ClickException(f"user '{username}' is inactive: activate it first")
        minutes = timedelta(minutes=ttl) if ttl else None
        click.echo(issue(ims.config.settings, username, now=ims.runtime.now(), ttl=minutes))


@users.group("api-key")
def api_key() -> None:
    """API keys of service accounts (stored hashed; shown once)."""


@api_key.command("create")
@click.argument("username")
@click.argument("name")
@pass_state
@handle_errors
def api_key_create(state: State, username: str, name: str) -> None:
    """Make an API key for USERNAME named NAME (what uses it); prints the key once."""
    with state.ims() as ims:
        new = ims.api_keys.create(username, name)
    click.echo(new.key)
    click.echo(
        f"key {new.info.id} ({new.info.name}) for {username}: store it now, it cannot be shown again",
        err=True,
    )


@api_key.command("list")
@click.argument("username", required=False)
@pass_state
@handle_errors
def api_key_list(state: State, username: str | None) -> None:
    """List API keys (of USERNAME, or of everyone): never the keys themselves."""
    with state.ims() as ims:
        rows = [
            {
                "id": k.id,
                "user": k.username,
                "name": k.name,
                "prefix": f"ims_{k.prefix}_...",
                "created": k.created_at.isoformat(timespec="seconds"),
                "last used": k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "never",
                "revoked": k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "",
            }
            for k in ims.api_keys.list(username)
        ]
    echo_table(rows, ["id", "user", "name", "prefix", "created", "last used", "revoked"])


@api_key.command("revoke")
@click.argument("key_id", type=int)
@pass_state
@handle_errors
def api_key_revoke(state: State, key_id: int) -> None:
    """Revoke the API key KEY_ID (see `ims users api-key list`)."""
    with state.ims() as ims:
        key = ims.api_keys.revoke(key_id)
    click.echo(f"revoked key {key.id} ({key.name}) of {key.username}")
