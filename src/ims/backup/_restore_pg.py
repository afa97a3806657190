"""Restoring into PostgreSQL: one transaction, rows parsed by the server, indexes built once.

Everything runs in one transaction under an advisory lock, DDL included, so a
failure leaves the target as it was.  After the migrations of the archive's revision
have made the schema, its primary keys, unique constraints, indexes and foreign keys
are set aside (definitions kept) and the tables are filled without them; they are
built again, and the foreign keys checked, in one pass each at the end, as
``pg_restore`` does.  Each chunk of archive lines is parsed at once, turned into COPY's
text format (:func:`copy_text`) and streamed by a thread (:class:`CopySink`).
"""

from __future__ import annotations

import base64
import io
import queue
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg
from alembic import command
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from ims.backup._errors import ArchiveError
from ims.backup._rows import ColumnCodec, canonical_json, line_pieces, parse_json, sql_identifier
from ims.backup._tables import ims_tables
from ims.errors import StoreError
from ims.store import migrate
from ims.store.db import wrap_errors

if TYPE_CHECKING:
    from ims.backup._archive import Manifest
    from ims.backup._restore import _Loader

__all__ = ["CopySink", "copy_text", "restore_postgresql"]

_PG_RESTORE_LOCK = 0x696D732E72657374  # "ims.rest"


def restore_postgresql(engine: Engine, loader: _Loader) -> None:
    with wrap_errors("restoring into PostgreSQL"), engine.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_RESTORE_LOCK})
        _drop_ims_tables(conn, loader.manifest)
        tables = {t.name for t in ims_tables()} | set(loader.manifest.tables)
        deferred = _Deferred()

        def upgrade(revision: str) -> None:
            if revision == "head":  # the rows are in: build what was set aside, then migrate
                deferred.rebuild(conn)
            cfg = migrate.alembic_config(engine, stdout=io.StringIO())
            cfg.attributes["connection"] = conn  # inside our transaction: Alembic does not commit
            try:
                command.upgrade(cfg, revision)
            except CommandError as exc:
                raise StoreError(f"migration to {revision} failed: {exc}") from exc
            if revision != "head":
                deferred.set_aside(conn, tables)

        loader.load(conn, upgrade, CopySink)
        _reset_sequences(conn, tables)


class CopySink:
    """Table chunks turned into COPY's text format here, sent to the server by a thread.

    The thread holds one ``COPY ... FROM STDIN`` open per table and writes each block as
    it comes, so the server stores one chunk while Python prepares the next; the queue
    between them holds two blocks, so memory stays flat whichever side is slower.
    The caller must not use the connection between the first :meth:`write` and
    :meth:`finish`.
    """

    def __init__(self, conn: Connection) -> None:
        self._types = _column_types(conn)
        self._driver: Any = conn.connection.driver_connection
        self._queue: queue.Queue[tuple[str, list[str], bytes] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._send, name="ims-restore-copy", daemon=True)
        self._thread.start()

    def write(self, table: Any, codec: ColumnCodec, data: bytes, first_row: int) -> None:
        types = self._types.get(table.name, {})
        missing = [n for n in codec.names if n not in types]
        if missing:
            raise ArchiveError(f"column {table.name}.{missing[0]} of the archive is not in the schema")
        column_types = [types[n] for n in codec.names]
        for piece in line_pieces(data):  # about 1 MiB at a time: fewer rows in memory at once
            block = copy_text(table.name, codec.names, column_types, piece)
            self._raise_failure()
            self._queue.put((table.name, codec.names, block))

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._raise_failure()

    def close(self) -> None:
        if self._thread.is_alive():
            self._error = self._error or _Stopped()
            self._queue.put(None)
            self._thread.join()

    def _raise_failure(self) -> None:
        if self._error is not None and not isinstance(self._error, _Stopped):
            raise self._error

    def _send(self) -> None:
        current: str | None = None
        with ExitStack() as stack:
            try:
                copy: Any = None
                while (item := self._queue.get()) is not None:
                    if self._error is not None:
                        continue  # failed or stopped: drain until the end marker
                    table, names, block = item
                    if table != current:
                        stack.close()
                        cursor = stack.enter_context(self._driver.cursor())
                        columns = ", ".join(sql_identifier(n) for n in names)
                        statement = f"COPY {sql_identifier(table)} ({columns}) FROM STDIN"
                        copy = stack.enter_context(cursor.copy(statement))
                        current = table
                    copy.write(block)
                stack.close()
            except BaseException as exc:  # handed to the loader's thread
                self._error = self._error or _as_store_error(exc, current)
                while self._queue.get() is not None:
                    pass


class _Stopped(Exception):
    """The loader stopped the sink after an error of its own."""


def _as_store_error(exc: BaseException, table: str | None) -> BaseException:
    if isinstance(exc, psycopg.Error):
        return StoreError(f"restoring table {table}: {exc}")
    return exc


def copy_text(table: str, names: list[str], types: list[str], lines: bytes) -> bytes:
    """Archive lines (whole, checked against the manifest already) in COPY's text format.

    The lines are parsed in one call and converted a column at a time; each value is
    then read by its column's own input function on the server (ISO-8601 timestamps,
    JSON into ``jsonb``, numbers).
    """
    rows = parse_json(b"[" + lines.removesuffix(b"\n").replace(b"\n", b",") + b"]")
    try:
        columns = [
            _copy_column([row[name] for row in rows], type_) for name, type_ in zip(names, types, strict=True)
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ArchiveError(f"table {table}: a row cannot be read ({type(exc).__name__}: {exc})") from exc
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode("utf-8")


_NULL = "\\N"
#: joins a column's strings while they are escaped together (PostgreSQL text holds no NUL)
_SEP = "\x00"


def _escape_all(values: list[str]) -> list[str]:
    """COPY's text escapes (backslash, tab, newline, carriage return) for many strings at once."""
    joined = _SEP.join(values)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        joined = joined.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return joined.split(_SEP)
    return values


def _json_text(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


#: archive value -> text for the column's input function, by PostgreSQL type (default ``str``)
_AS_TEXT: dict[str, Callable[[Any], str]] = {
    "boolean": lambda v: "t" if v else "f",
    "jsonb": _json_text,
    "json": _json_text,
    "double precision": repr,
    "real": repr,
    "bytea": lambda v: "\\x" + base64.b64decode(v).hex(),
}
#: types whose text can hold nothing COPY escapes
_PLAIN = frozenset({"integer", "bigint", "smallint", "boolean", "timestamp with time zone", "date"})


def _copy_column(values: list[Any], type_: str) -> list[str]:
    """A column's archive values as COPY text fields."""
    convert = _AS_TEXT.get(type_, str)
    texts = ["" if v is None else convert(v) for v in values]
    if type_ not in _PLAIN:
        texts = _escape_all(texts)
    if None in values:
        texts = [_NULL if v is None else t for v, t in zip(values, texts, strict=True)]
    return texts


def _column_types(conn: Connection) -> dict[str, dict[str, str]]:
    """Table -> column -> type of every table in the current schema."""
    found = conn.execute(
        text(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
            "AND a.attnum > 0 AND NOT a.attisdropped"
        )
    )
    out: dict[str, dict[str, str]] = {}
    for table, name, type_ in found:
        out.setdefault(str(table), {})[str(name)] = str(type_)
    return out


@dataclass
class _Deferred:
    """Keys, indexes and foreign keys set aside while the tables fill."""

    #: (table, constraint name, definition): primary keys and unique constraints
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    #: CREATE INDEX statements of the indexes that back no constraint
    indexes: list[str] = field(default_factory=list)
    #: (table, constraint name, definition)
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)

    def set_aside(self, conn: Connection, tables: set[str]) -> None:
        names = sorted(tables)
        constraints = conn.execute(
            text(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
                "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
                "AND c.contype IN ('p', 'u', 'f') ORDER BY c.conrelid::regclass::text, c.conname"
            ),
            {"tables": names},
        ).all()
        indexes = conn.execute(
            text(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
                "AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')) "
                "ORDER BY 1"
            ),
            {"tables": names},
        ).all()
        self.foreign_keys = [(str(t), str(n), str(d)) for t, n, d, kind in constraints if kind == "f"]
        self.keys = [(str(t), str(n), str(d)) for t, n, d, kind in constraints if kind != "f"]
        self.indexes = [str(d) for _, d in indexes]
        for table, name, _ in self.foreign_keys + self.keys:
            conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {sql_identifier(name)}"))
        for index, _ in indexes:
            conn.execute(text(f"DROP INDEX {index}"))

    def rebuild(self, conn: Connection) -> None:
        for table, name, definition in self.keys:
            conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {sql_identifier(name)} {definition}"))
        for statement in self.indexes:
            conn.execute(text(statement))
        for table, name, definition in self.foreign_keys:
            conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {sql_identifier(name)} {definition}"))
        self.keys, self.indexes, self.foreign_keys = [], [], []


def _drop_ims_tables(conn: Connection, manifest: Manifest) -> None:
    names = {t.name for t in ims_tables()} | set(manifest.tables) | {migrate.VERSION_TABLE}
    existing = set(inspect(conn).get_table_names())
    for name in sorted(names & existing):
        conn.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))


def _reset_sequences(conn: Connection, tables: set[str]) -> None:
    """Move every serial/identity sequence of the ims tables past the largest restored value."""
    inspector = inspect(conn)
    for name in sorted(tables & set(inspector.get_table_names())):
        for col in inspector.get_columns(name):
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{name}"', "c": col["name"]}
            ).scalar()
            if seq is None:
                continue
            conn.execute(
                text(
                    f'SELECT setval(:seq, COALESCE((SELECT max("{col["name"]}") '
                    f'FROM "{name}"), 0) + 1, false)'
                ),
                {"seq": seq},
            )
