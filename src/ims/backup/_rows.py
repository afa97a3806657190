"""Rows as engine-neutral JSON lines, and back.

One row is one line: a JSON object with the keys sorted, no whitespace, UTF-8.
Datetimes are ISO-8601 UTC with microseconds, dates ISO-8601, bytes base64,
decimals strings, JSON columns their JSON value (keys sorted).  The same row
read from SQLite or PostgreSQL gives the same bytes, so a table's checksum
(SHA-256 over its lines in primary-key order) is equal on both engines.

Primary keys are ordered bytewise (``COLLATE "C"`` for text on PostgreSQL,
SQLite's default ``BINARY``), so the order is the same on both engines too.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "ColumnCodec",
    "TableDigest",
    "codec_for",
    "ordered_select",
    "stream_lines",
]

Encode = Callable[[Any], Any]
#: json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False), prebuilt
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
Decode = Callable[[Any], Any]


def _kind(type_: TypeEngine[Any]) -> str:
    if isinstance(type_, TypeDecorator):
        return _kind(type_.impl_instance)
    if isinstance(type_, DateTime):
        return "datetime"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, LargeBinary):
        return "bytes"
    if isinstance(type_, JSON):
        return "json"
    if isinstance(type_, Numeric) and type_.asdecimal:
        return "decimal"
    if isinstance(type_, Boolean):
        return "bool"
    return "plain"


def _enc_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dec_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


_ENCODERS: dict[str, Encode] = {
    "datetime": _enc_datetime,
    "date": lambda v: v.isoformat(),
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
    "decimal": lambda v: str(v),
    "bool": bool,
}
_DECODERS: dict[str, Decode] = {
    "datetime": _dec_datetime,
    "date": date.fromisoformat,
    "bytes": base64.b64decode,
    "decimal": Decimal,
}


class ColumnCodec:
    """Encoders and decoders for the columns of one table (by their SQLAlchemy types)."""

    def __init__(self, columns: Sequence[Column[Any]]) -> None:
        self.names = [c.name for c in columns]
        kinds = [_kind(c.type) for c in columns]
        self._encode = [(c.name, _ENCODERS.get(k)) for c, k in zip(columns, kinds, strict=True)]
        self._decode = [(c.name, _DECODERS.get(k)) for c, k in zip(columns, kinds, strict=True)]

    def line(self, row: Sequence[Any]) -> bytes:
        """The canonical JSON line (with ``\\n``) of a row given in column order."""
        out: dict[str, Any] = {}
        for (name, encode), value in zip(self._encode, row, strict=True):
            out[name] = value if value is None or encode is None else encode(value)
        return (_CANONICAL(out) + "\n").encode("utf-8")

    def row(self, line: bytes) -> dict[str, Any]:
        """The row (column name -> Python value) of a line; unknown keys are refused."""
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("a row must be a JSON object")
        out: dict[str, Any] = {}
        for name, decode in self._decode:
            if name not in data:
                raise ValueError(f"column {name!r} missing")
            value = data.pop(name)
            out[name] = value if value is None or decode is None else decode(value)
        if data:
            raise ValueError(f"unknown column(s) {', '.join(sorted(data))}")
        return out


def codec_for(table: Table, names: Sequence[str] | None = None) -> ColumnCodec:
    """The codec of ``table``, for all its columns or only ``names`` (in that order)."""
    columns = list(table.columns) if names is None else [table.c[n] for n in names]
    return ColumnCodec(columns)


def _order_key(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql" and isinstance(column.type, String | Text):
        return column.collate("C")
    return column


def ordered_select(table: Table, names: Sequence[str], dialect: str) -> Any:
    """``SELECT names FROM table ORDER BY <primary key>`` in bytewise order."""
    key = list(table.primary_key.columns) or [table.c[n] for n in names]
    return select(*(table.c[n] for n in names)).order_by(*(_order_key(c, dialect) for c in key))


def stream_lines(
    conn: Connection, table: Table, names: Sequence[str], *, batch: int = 2000
) -> Iterator[bytes]:
    """The table's rows as canonical lines, in primary-key order, streamed.

    PostgreSQL: ``COPY (SELECT ... ORDER BY ...) TO STDOUT (FORMAT BINARY)``, decoded by
    psycopg's C loaders, which is several times faster than a cursor through the ORM
    layer; the lines are the same either way.  SQLite: a plain cursor, ``batch`` rows
    at a time.
    """
    codec = codec_for(table, names)
    query = ordered_select(table, names, conn.dialect.name)
    if conn.dialect.name == "postgresql":
        yield from _pg_copy_lines(conn, table, names, query, codec)
        return
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
    try:
        for partition in result.partitions():
            for row in partition:
                yield codec.line(row)
    finally:
        result.close()


def _pg_copy_lines(
    conn: Connection, table: Table, names: Sequence[str], query: Any, codec: ColumnCodec
) -> Iterator[bytes]:
    found = conn.execute(
        text(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
        ),
        {"t": f'"{table.name}"'},
    )
    oids: dict[str, int] = {str(name): int(oid) for name, oid in found}
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types([oids[n] for n in names])
            for row in copy.rows():
                yield codec.line(row)


class TableDigest:
    """Row count and SHA-256 of a table's lines."""

    def __init__(self) -> None:
        self.rows = 0
        self._sha = hashlib.sha256()

    def add(self, line: bytes) -> None:
        self.rows += 1
        self._sha.update(line)

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()
