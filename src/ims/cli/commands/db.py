"""``ims db upgrade|current|check``: the database schema, through Alembic."""

from __future__ import annotations

import click

from ims.cli._common import State, handle_errors, pass_state


def _engine(state: State):  # type: ignore[no-untyped-def]
    from ims.facade import load_everything
    from ims.store.db import make_engine

    cfg, _, _ = load_everything(state.config_path)
    return make_engine(state.database_url or cfg.settings.database_url), cfg


@click.group()
def db() -> None:
    """Database schema migrations."""


@db.command()
@click.option("--revision", default="head", show_default=True)
@pass_state
@handle_errors
def upgrade(state: State, revision: str) -> None:
    """Apply migrations (creates the tables on a new database) and sync roles and reference data."""
    from ims.facade import IMS
    from ims.store import migrate

    engine, _ = _engine(state)
    before = migrate.current(engine)
    migrate.upgrade(engine, revision)
    after = migrate.current(engine)
    engine.dispose()
    with IMS.from_config(state.config_path, database_url=state.database_url, auto_upgrade=False) as ims:
        counts = ims.reference.sync()
    click.echo(f"database at revision {after} (was {before or 'empty'}); reference data: {counts}")


@db.command()
@pass_state
@handle_errors
def current(state: State) -> None:
    """Show the database's revision and whether it is the newest."""
    from ims.store import migrate

    engine, _ = _engine(state)
    rev = migrate.current(engine)
    click.echo(f"{rev or 'empty'} ({'up to date' if rev == migrate.head() else 'head is ' + migrate.head()})")


@db.command("check")
@pass_state
@handle_errors
def check_models(state: State) -> None:
    """Fail when the models and the migrations disagree (for CI)."""
    from ims.store import migrate

    engine, _ = _engine(state)
    migrate.check(engine)
    click.echo("models and migrations agree")
