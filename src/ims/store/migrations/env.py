"""Alembic environment for the ims tables (run through :mod:`ims.store.migrate`).

The connection comes from ``config.attributes["connection"]`` when the caller gives
one (the normal case), else from ``config.attributes["engine"]``, else an engine is
made from ``sqlalchemy.url`` with :func:`ims.store.db.make_engine`, so SQLite gets the
same pragmas as at runtime.
Only tables in ims's metadata are compared, so ims can share a database with the
host application's own tables.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import JSON
from sqlalchemy.engine import Connection, Engine

from ims.store import models  # noqa: F401  (fills Base.metadata)
from ims.store.base import Base, UTCDateTime
from ims.store.db import make_engine
from ims.store.migrate import VERSION_TABLE

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Compare only ims's tables: leave the host application's tables alone."""
    if type_ == "table":
        return name in target_metadata.tables
    return True


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render ims's column types as plain SQLAlchemy types, so revisions don't import ims."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, JSON) and "postgresql" in obj._variant_mapping:
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
        include_name=include_name,
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    given: Engine | None = config.attributes.get("engine")
    url = config.get_main_option("sqlalchemy.url")
    if given is None and not url:
        raise RuntimeError("no connection, engine or sqlalchemy.url for the ims migrations")
    engine = given if given is not None else make_engine(url or "")
    try:
        with engine.connect() as conn:
            run_migrations(conn)
            conn.commit()
    finally:
        if given is None:
            engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
