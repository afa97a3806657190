"""Rows as engine-neutral JSON lines, and back.

One row is one line: a JSON object with the keys sorted, no whitespace, UTF-8.
Datetimes are ISO-8601 UTC with microseconds, dates ISO-8601, bytes base64,
decimals strings, floats as Python's ``repr``, JSON columns their JSON value (keys
sorted, numbers as orjson writes them).  The same row read from SQLite or PostgreSQL
gives the same bytes, so a table's checksum (SHA-256 over its lines in primary-key
order) is equal on both engines.

Primary keys are ordered bytewise (``COLLATE "C"`` for text on PostgreSQL,
SQLite's default ``BINARY``), so the order is the same on both engines too.

On PostgreSQL the server writes the lines itself (:mod:`ims.backup._rows_pg`);
``tests/integration/backup/test_rows.py`` holds the two paths to the same bytes on
awkward values.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "ColumnCodec",
    "TableDigest",
    "canonical_json",
    "canonical_json_all",
    "codec_for",
    "line_pieces",
    "ordered_select",
    "stream_blocks",
    "stream_lines",
]

Encode = Callable[[Any], bytes]
Decode = Callable[[Any], Any]

#: the fallback for what orjson refuses (integers beyond 64 bits): json with the same layout
_JSON_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
#: every digit as "0" and no spaces, so that a number of 20 digits or more (maybe an integer
#: beyond 64 bits, which orjson would read as a float) is found by plain substring searches:
#: a number token follows ``:``, ``,``, ``[`` or a minus sign, a digit run inside a string
#: (a hash, say) usually does not
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBERS = tuple(lead + b"0" * 20 for lead in (b":", b",", b"[", b"-"))


def canonical_json(value: Any) -> bytes:
    """``value`` as compact JSON with sorted keys (orjson; json for integers beyond 64 bits)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _JSON_CANONICAL(value).encode("utf-8")


def canonical_json_all(values: Sequence[Any]) -> list[bytes]:
    """:func:`canonical_json` of each value (orjson for all of them, json for a list it refuses)."""
    try:
        return [orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in values]
    except TypeError:
        return [canonical_json(v) for v in values]


def sql_identifier(name: str) -> str:
    """``name`` quoted as an SQL identifier (both engines)."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: bytes) -> str:
    """UTF-8 ``value`` as an SQL string literal (both engines)."""
    return "'" + value.decode("utf-8").replace("'", "''") + "'"


def parse_json(data: bytes | str) -> Any:
    """JSON text to Python, exactly (integers beyond 64 bits stay integers)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    digits = raw.translate(_DIGITS_AS_ZERO, b" ")
    if any(number in digits for number in _LONG_NUMBERS) or digits.startswith(b"0" * 20):
        return json.loads(data)
    return orjson.loads(data)


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
    if isinstance(type_, Float):
        return "float"
    if isinstance(type_, Numeric) and type_.asdecimal:
        return "decimal"
    if isinstance(type_, Boolean):
        return "bool"
    return "plain"


def _enc_datetime(value: datetime) -> bytes:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return b'"' + value.astimezone(UTC).isoformat(timespec="microseconds").encode("ascii") + b'"'


def _enc_float(value: Any) -> bytes:
    number = float(value)  # also PostgreSQL's text (bytes) of a float
    if not math.isfinite(number):
        raise ValueError(f"out of range float value {number!r} cannot be backed up")
    return float.__repr__(number).encode("ascii")


_ENCODERS: dict[str, Encode] = {
    "datetime": _enc_datetime,
    "date": lambda v: b'"' + v.isoformat().encode("ascii") + b'"',
    "bytes": lambda v: b'"' + base64.b64encode(bytes(v)) + b'"',
    "decimal": lambda v: canonical_json(str(v)),
    "bool": lambda v: b"true" if v else b"false",
    "float": _enc_float,
    "json": canonical_json,
    "plain": canonical_json,
}
_DECODERS: dict[str, Decode] = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "bytes": base64.b64decode,
    "decimal": Decimal,
}


class ColumnCodec:
    """Encoders and decoders for the columns of one table (by their SQLAlchemy types)."""

    def __init__(self, columns: Sequence[Column[Any]]) -> None:
        self.names = [c.name for c in columns]
        self.kinds = [_kind(c.type) for c in columns]
        #: column positions in key order, each with the bytes before its value (``{"a":``, ``,"b":``)
        order = sorted(range(len(columns)), key=lambda i: self.names[i])
        self.keyed: list[tuple[int, bytes, Encode]] = [
            (i, (b"," if n else b"{") + canonical_json(self.names[i]) + b":", _ENCODERS[self.kinds[i]])
            for n, i in enumerate(order)
        ]
        self._decode = [(c.name, _DECODERS.get(k)) for c, k in zip(columns, self.kinds, strict=True)]

    def line(self, row: Sequence[Any]) -> bytes:
        """The canonical JSON line (with ``\\n``) of a row given in column order."""
        if len(row) != len(self.names):
            raise ValueError(f"{len(row)} values for {len(self.names)} columns")
        parts: list[bytes] = []
        for i, key, encode in self.keyed:
            value = row[i]
            parts.append(key)
            parts.append(b"null" if value is None else encode(value))
        parts.append(b"}\n" if parts else b"{}\n")
        return b"".join(parts)

    def row(self, line: bytes) -> dict[str, Any]:
        """The row (column name -> Python value) of a line; unknown keys are refused."""
        data = parse_json(line)
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


def stream_lines(conn: Connection, table: Table, names: Sequence[str]) -> Iterator[bytes]:
    """The table's rows as canonical lines, in primary-key order, streamed."""
    for block, _rows in stream_blocks(conn, table, names):
        yield from block.splitlines(keepends=True)


def stream_blocks(
    conn: Connection, table: Table, names: Sequence[str], *, batch: int = 2000
) -> Iterator[tuple[bytes, int]]:
    """The table's canonical lines in primary-key order, as blocks of whole lines with their count.

    PostgreSQL and SQLite format the lines themselves (:mod:`ims.backup._rows_pg`,
    :mod:`ims.backup._rows_sqlite`); a table with a column type they cannot format is
    read ``batch`` rows at a time and encoded by :class:`ColumnCodec`.
    """
    codec = codec_for(table, names)
    if conn.dialect.name == "postgresql":
        from ims.backup._rows_pg import pg_blocks

        yield from pg_blocks(conn, table, names, codec)
        return
    if conn.dialect.name == "sqlite":
        from ims.backup._rows_sqlite import sqlite_blocks

        blocks = sqlite_blocks(conn, table, names, codec)
        if blocks is not None:
            yield from blocks
            return
    query = ordered_select(table, names, conn.dialect.name)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
    try:
        for partition in result.partitions():
            yield b"".join(map(codec.line, partition)), len(partition)
    finally:
        result.close()


def line_pieces(data: bytes, size: int = 1024 * 1024) -> Iterator[bytes]:
    """The whole lines of ``data`` in pieces of about ``size`` bytes."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(start + size, len(data) - 1)) + 1
        if end == 0:
            raise ValueError("the last line is not terminated")
        yield data[start:end]
        start = end


class TableDigest:
    """Row count and SHA-256 of a table's lines."""

    def __init__(self) -> None:
        self.rows = 0
        self._sha = hashlib.sha256()

    def add(self, line: bytes) -> None:
        self.rows += 1
        self._sha.update(line)

    def add_block(self, block: bytes, rows: int) -> None:
        """Add ``rows`` whole lines at once."""
        self.rows += rows
        self._sha.update(block)

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()
