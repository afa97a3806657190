"""Engines, sessions and the conversion of SQLAlchemy errors into ims errors.

SQLite (the default) is configured for several processes sharing one file: WAL,
foreign keys on, a 30 s busy timeout, ``synchronous=NORMAL``, and every transaction
opened with ``BEGIN IMMEDIATE``.  The last one matters: the ``sqlite3`` driver would
otherwise start a transaction with a read lock and upgrade it at the first write, and
two such transactions deadlock (``database is locked`` at once, whatever the timeout).
Taking the write lock up front serialises writers cleanly; readers are serialised too,
which is the price of correctness on a single file.

PostgreSQL URLs (``postgresql://`` or ``postgres://``) are rewritten to use psycopg 3.

The caller owns the transaction::

    Session = make_sessionmaker(engine)
    with wrap_errors(), Session.begin() as session:
        ...                                   # commit (or rollback) happens here

``wrap_errors`` must be the outer context so errors raised at commit are converted too.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from ims.errors import Conflict, StoreError

__all__ = [
    "DatabaseKind",
    "core",
    "database_kind",
    "make_engine",
    "make_sessionmaker",
    "wrap_errors",
]

DatabaseKind = Literal["sqlite", "postgresql"]

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
)
#: PostgreSQL SQLSTATEs meaning "a concurrent transaction won; retry".
_PG_RETRYABLE = {"40001": "serialization failure", "40P01": "deadlock detected"}
_PG_UNIQUE_VIOLATION = "23505"
#: RETURNING arrived in SQLite 3.35 (``ON CONFLICT`` in 3.24, row values in 3.15).
_SQLITE_MIN = (3, 35, 0)


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured as the module docstring says.

    For a SQLite file the parent folder is created.  ``sqlite://`` and
    ``sqlite:///:memory:`` give one in-memory database shared by every session
    (``StaticPool``), which is only useful for tests.

    Raises:
        StoreError: not a URL, neither SQLite nor PostgreSQL, or SQLite older than 3.35.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    raise StoreError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:///path/to/ims.db or postgresql://user@host/dbname"
    )


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    if sqlite3.sqlite_version_info < _SQLITE_MIN:
        raise StoreError(
            f"SQLite {sqlite3.sqlite_version} is too old: ims needs 3.35 or newer "
            "(UPDATE ... RETURNING); use a Python built with a newer SQLite, or PostgreSQL"
        )
    database = url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in database
    kwargs: dict[str, Any] = {"echo": echo}
    if memory:
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        if not database.startswith("file:"):
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder {folder} for the SQLite database: {exc.strerror}"
                ) from exc
        kwargs["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        # Stop the sqlite3 driver from issuing BEGIN itself (and COMMIT before DDL);
        # the "begin" listener below emits BEGIN IMMEDIATE instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for pragma in _SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def core(session: Session) -> Connection:
    """The session's connection, for executing prebuilt Core statements in its transaction.

    The hot paths (a transition) run module-level Core statements on the connection:
    that skips the ORM's per-statement work, about half the cost of a small query.
    Pending ORM changes are flushed first, as ``session.execute`` would autoflush, so
    the statement sees them and foreign keys are satisfied.
    """
    if session.autoflush:
        session.flush()
    return session.connection()


def database_kind(engine: Engine) -> DatabaseKind:
    """``'sqlite'`` or ``'postgresql'``."""
    name = engine.dialect.name
    if name == "sqlite":
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise StoreError(f"unsupported database dialect {name!r}")


@contextmanager
def wrap_errors(action: str = "database operation") -> Iterator[None]:
    """Convert SQLAlchemy errors raised inside the block into ims errors.

    * ``StaleDataError`` (the optimistic version check failed) -> ``Conflict``;
    * a unique violation on one of the ims constraints -> ``Conflict`` naming it;
    * a PostgreSQL serialization failure or deadlock -> ``Conflict``;
    * any other ``SQLAlchemyError`` -> ``StoreError``.

    The original error is always the ``__cause__``.

    Args:
        action: what was being done, for the message (``"recording step 'visit'"``).
    """
    try:
        yield
    except StaleDataError as exc:
        raise Conflict(
            f"{action} failed: the record was changed or deleted by someone else since it "
            f"was read ({exc}); reload it and try again"
        ) from exc
    except SQLAlchemyError as exc:
        conflict = _conflict_message(exc)
        if conflict is not None:
            raise Conflict(f"{action} failed: {conflict}") from exc
        raise StoreError(f"{action} failed: {_describe(exc)}") from exc


def _describe(exc: SQLAlchemyError) -> str:
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        return f"{type(exc.orig).__name__}: {first_line}"
    return f"{type(exc).__name__}: {exc}"


def _conflict_message(exc: SQLAlchemyError) -> str | None:
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_RETRYABLE:
        return f"{_PG_RETRYABLE[sqlstate]} with a concurrent transaction; try again"
    if not isinstance(exc, IntegrityError):
        return None
    known = _unique_constraints()
    name: str | None = None
    if sqlstate == _PG_UNIQUE_VIOLATION:
        diag = getattr(orig, "diag", None)
        name = getattr(diag, "constraint_name", None)
    else:
        match = re.search(r"UNIQUE constraint failed: (.+)$", str(orig))
        if match:
            name = _by_sqlite_columns().get(match.group(1).strip())
    if name is None or name not in known:
        return None
    table, columns = known[name]
    return (
        f"{table}({', '.join(columns)}) must be unique and a row with the same values "
        f"already exists (constraint {name}); reload and try again"
    )


@cache
def _unique_constraints() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every unique constraint, unique index and primary key: name -> (table, columns)."""
    from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

    from ims.store import models  # noqa: F401  (fills Base.metadata)
    from ims.store.base import Base

    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
                columns = tuple(c.name for c in constraint.columns)
                found[str(constraint.name)] = (table.name, columns)
        for index in table.indexes:
            if index.unique:
                found[str(index.name)] = (table.name, tuple(c.name for c in index.columns))
    return found


@cache
def _by_sqlite_columns() -> dict[str, str]:
    """SQLite's ``table.col, table.col`` text (from its error message) -> constraint name."""
    return {
        ", ".join(f"{table}.{c}" for c in columns): name
        for name, (table, columns) in _unique_constraints().items()
    }
