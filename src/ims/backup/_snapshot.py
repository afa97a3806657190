"""A consistent read snapshot of the database, and the facts read from it.

PostgreSQL: one ``REPEATABLE READ, READ ONLY`` transaction, so every table is read
as of the same moment while writers carry on.  SQLite: one deferred read
transaction on its own connection; in WAL mode it sees the database as of its first
read until it ends, and it takes no write lock (the ims engine's ``BEGIN IMMEDIATE``
would stop every writer for the length of the backup).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from ims.store.migrate import VERSION_TABLE

__all__ = ["audit_head", "read_snapshot", "schema_revision", "snapshot_helpers"]

_HELPERS = "ims.snapshot_helpers"


@contextmanager
def read_snapshot(engine: Engine, *, helpers: int = 1) -> Iterator[Connection]:
    """A connection inside a consistent read-only snapshot, rolled back at the end.

    On PostgreSQL, ``helpers`` more connections import the same snapshot
    (``pg_export_snapshot``, as ``pg_dump -j`` does), so that big tables can be read in
    parallel; :func:`snapshot_helpers` gives them to whoever holds the connection.
    """
    if engine.dialect.name == "postgresql":
        with ExitStack() as stack:
            conn = stack.enter_context(engine.connect()).execution_options(isolation_level="REPEATABLE READ")
            tx = stack.enter_context(conn.begin())
            conn.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            extra: list[Connection] = []
            for _ in range(helpers):
                helper = stack.enter_context(engine.connect()).execution_options(
                    isolation_level="REPEATABLE READ"
                )
                helper_tx = stack.enter_context(helper.begin())
                stack.callback(helper_tx.rollback)
                helper.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
                helper.execute(text("SET TRANSACTION READ ONLY"))
                extra.append(helper)
            conn.info[_HELPERS] = extra
            try:
                yield conn
            finally:
                conn.info.pop(_HELPERS, None)
            tx.rollback()
        return
    reader = _sqlite_reader(engine)
    try:
        with reader.connect() as conn, conn.begin() as tx:
            conn.execute(text("SELECT count(*) FROM sqlite_master"))  # the snapshot starts here
            yield conn
            tx.rollback()
    finally:
        reader.dispose()


def snapshot_helpers(conn: Connection) -> list[Connection]:
    """The connections sharing ``conn``'s snapshot (from :func:`read_snapshot`), if any."""
    return list(conn.info.get(_HELPERS, ()))


def _sqlite_reader(engine: Engine) -> Engine:
    reader = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 30})

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout=30000")
        finally:
            cursor.close()

    @event.listens_for(reader, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN DEFERRED")

    return reader


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision recorded in the database, ``None`` if it was never migrated."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    row = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def audit_head(conn: Connection) -> tuple[str, int]:
    """SHA-256 over ``chain seq hash`` of the last row of every audit chain, and the number of chains.

    Chains are taken in bytewise order, so the value is the same on SQLite and PostgreSQL.
    """
    collate = ' COLLATE "C"' if conn.dialect.name == "postgresql" else ""
    query = text(
        "SELECT a.chain, a.seq, a.hash FROM audit_log a JOIN "
        "(SELECT chain, max(seq) AS last FROM audit_log GROUP BY chain) h "
        f"ON a.chain = h.chain AND a.seq = h.last ORDER BY a.chain{collate}"
    )
    digest = hashlib.sha256()
    chains = 0
    result = conn.execution_options(stream_results=True, yield_per=5000).execute(query)
    for chain, seq, hash_ in result:
        digest.update(f"{chain} {seq} {hash_}\n".encode())
        chains += 1
    return digest.hexdigest(), chains
