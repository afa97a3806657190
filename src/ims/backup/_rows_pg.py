"""Canonical lines written by PostgreSQL itself (see :mod:`ims.backup._rows`).

Each column is formatted by SQL whose output is byte for byte what
:class:`~ims.backup._rows.ColumnCodec` writes in Python: integers and booleans as
they are, text through ``to_json`` (whose escaping is json's and orjson's), timestamps
by ``to_char`` as ISO-8601 UTC with microseconds, bytes as base64.  JSON, float and
numeric columns come back raw, between tabs, and Python re-encodes a block's values
of a column at once (:data:`_PG_REENCODE`).

Tables with a single integer primary key are read in ranges of the key of about
:data:`BATCH` rows, each one ``string_agg`` of the lines (one value per batch, no
per-row work in Python), by the caller's connection and the helper connections that
share its snapshot (:func:`ims.backup._snapshot.snapshot_helpers`), in parallel; other
tables by ``COPY ... TO STDOUT``, a row a message.  All of it reads the caller's
snapshot.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, Integer, String, Table, Text, text

from ims.backup._rows import (
    ColumnCodec,
    _enc_float,
    canonical_json,
    canonical_json_all,
    ordered_select,
    parse_json,
    sql_identifier,
    sql_literal,
)
from ims.backup._snapshot import snapshot_helpers

__all__ = ["BATCH", "pg_blocks"]

#: rows a keyset batch
BATCH = 2000
#: bytes of COPY output turned into lines at a time
_BLOCK = 256 * 1024

_TIMESTAMP = "'YYYY-MM-DD\"T\"HH24:MI:SS.US'"
#: type oid -> SQL writing a column's canonical JSON (``{}`` is the column), or None: Python re-encodes it
_PG_FORMATS: dict[int, str | None] = {
    16: "to_json({})::text",  # bool
    20: "{}::text",  # int8
    21: "{}::text",  # int2
    23: "{}::text",  # int4
    25: "to_json({})::text",  # text
    1043: "to_json({})::text",  # varchar
    1042: "to_json({})::text",  # bpchar
    1184: "'\"' || to_char({} AT TIME ZONE 'UTC', " + _TIMESTAMP + ") || '+00:00\"'",  # timestamptz
    1114: "'\"' || to_char({}, " + _TIMESTAMP + ") || '+00:00\"'",  # timestamp (UTC)
    1082: "'\"' || to_char({}, 'YYYY-MM-DD') || '\"'",  # date
    17: "'\"' || translate(encode({}, 'base64'), E'\\n', '') || '\"'",  # bytea
    114: None,  # json
    3802: None,  # jsonb
    700: None,  # float4
    701: None,  # float8
    1700: None,  # numeric
}

Reencode = Callable[[list[bytes]], list[bytes]]


def _reencode_json(raws: list[bytes]) -> list[bytes]:
    return canonical_json_all(parse_json(b"[" + b",".join(raws) + b"]"))  # one parse for the block


#: how Python re-encodes the text PostgreSQL sends for a column it does not format itself
_PG_REENCODE: dict[str, Reencode] = {
    "json": _reencode_json,
    "plain": _reencode_json,
    "float": lambda raws: [b"null" if r == b"null" else _enc_float(r) for r in raws],
    "decimal": lambda raws: [
        b"null" if r == b"null" else canonical_json(str(Decimal(r.decode("ascii")))) for r in raws
    ],
}


@dataclass(frozen=True)
class LineQuery:
    """The SQL pieces of a table's lines: server-made text and raw values, alternating."""

    #: SQL text expressions: made, raw, made, raw, ..., made
    pieces: list[str]
    #: for every raw piece, how Python re-encodes it
    reencode: list[Reencode]


def line_query(names: Sequence[str], oids: dict[str, int], codec: ColumnCodec) -> LineQuery | None:
    """The pieces of the lines of ``names``; ``None`` when a column's type is not one the server formats."""
    pieces: list[str] = []
    made: list[str] = []
    reencode: list[Reencode] = []
    for i, key, _encode in codec.keyed:
        name, kind = names[i], codec.kinds[i]
        oid = oids.get(name)
        if oid not in _PG_FORMATS:
            return None
        made.append(sql_literal(key))
        fmt = _PG_FORMATS[oid]
        if fmt is None:
            if kind not in _PG_REENCODE:
                return None
            pieces.append(" || ".join(made))
            pieces.append(f"COALESCE({sql_identifier(name)}::text, 'null')")
            reencode.append(_PG_REENCODE[kind])
            made = []
        else:
            made.append(f"COALESCE({fmt.format(sql_identifier(name))}, 'null')")
    made.append("'}'" if codec.keyed else "'{}'")
    pieces.append(" || ".join(made))
    return LineQuery(pieces, reencode)


def reencode_block(block: bytes, reencode: list[Reencode]) -> bytes:
    """Replace the raw values of a block of whole lines by their canonical JSON."""
    if not reencode:
        return block
    # every line has 2k tabs, so the odd pieces of the whole block split at tabs are the
    # raw values; the k-th of each line sits at 2k+1, 2k+1 + 2n, ... (n raw values a line)
    pieces = block.split(b"\t")
    width = len(reencode)
    for k, fix in enumerate(reencode):
        pieces[2 * k + 1 :: 2 * width] = fix(pieces[2 * k + 1 :: 2 * width])
    return b"".join(pieces)


def pg_blocks(
    conn: Connection, table: Table, names: Sequence[str], codec: ColumnCodec
) -> Iterator[tuple[bytes, int]]:
    """The table's canonical lines in primary-key order, as blocks of whole lines with their count."""
    found = conn.execute(
        text(
            "SELECT attname, atttypid::int FROM pg_attribute "
            "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
        ),
        {"t": sql_identifier(table.name)},
    )
    oids: dict[str, int] = {str(name): int(oid) for name, oid in found}
    query = line_query(names, oids, codec)
    key = list(table.primary_key.columns)
    with ExitStack() as stack:
        cursors = [stack.enter_context(_cursor(c)) for c in [conn, *snapshot_helpers(conn)]]
        if query is None:
            yield from _python_blocks(cursors[0], conn, table, names, oids, codec)
        elif len(key) == 1 and isinstance(key[0].type, Integer):
            yield from _range_blocks(cursors, table.name, key[0].name, query)
        else:
            order = ", ".join(
                sql_identifier(c.name) + (' COLLATE "C"' if isinstance(c.type, String | Text) else "")
                for c in key or [table.c[n] for n in names]
            )
            sql = f"SELECT {', '.join(query.pieces)} FROM {sql_identifier(table.name)} ORDER BY {order}"
            yield from _copy_blocks(cursors[0], sql, query.reencode, table.name)


@contextmanager
def _cursor(conn: Connection) -> Iterator[Any]:
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute("SET LOCAL extra_float_digits TO 1")  # floats in their shortest exact form
        yield cursor


def _range_blocks(cursors: list[Any], table: str, key: str, query: LineQuery) -> Iterator[tuple[bytes, int]]:
    """A table with an integer key, in ranges of the key read by one thread per cursor.

    Each connection reads every n-th range (same snapshot), one range ahead; the ranges
    are about :data:`BATCH` rows wide by the planner's row estimate, and a range holding
    more than that is read in several batches, so memory stays bounded either way.
    """
    k = sql_identifier(key)
    cursors[0].execute(
        f"SELECT min({k}), max({k}), (SELECT reltuples FROM pg_class WHERE oid = %s::regclass) "
        f"FROM {sql_identifier(table)}",
        [sql_identifier(table)],
    )
    low, high, estimate = cursors[0].fetchone()
    if low is None:
        return
    span = high - low + 1
    width = BATCH if not estimate or estimate <= 0 or estimate >= span else int(BATCH * span / estimate)
    starts = list(range(low, high + 1, width))
    line = " || E'\\t' || ".join(query.pieces)
    sql = (
        "SELECT max(k), count(*), convert_to(string_agg(line, E'\\n' ORDER BY k) || E'\\n', 'UTF8') "
        f"FROM (SELECT {k} AS k, {line} AS line FROM {sql_identifier(table)} "
        f"WHERE {k} >= %s AND {k} < %s ORDER BY {k} LIMIT {BATCH}) AS batch"
    )
    n = len(cursors)
    readers = [
        _prefetched(_range_batches(cursor, sql, starts[i::n], width)) for i, cursor in enumerate(cursors)
    ]
    try:
        for index in range(len(starts)):
            for data, rows in readers[index % n]:
                if data is None:  # the end of this range
                    break
                yield reencode_block(data, query.reencode), rows
    finally:
        for reader in readers:
            reader.close()


def _range_batches(
    cursor: Any, sql: str, starts: list[int], width: int
) -> Iterator[tuple[bytes | None, int]]:
    """The batches of each range in turn, each range followed by ``(None, 0)``."""
    for start in starts:
        low, end = start, start + width
        while True:
            cursor.execute(sql, [low, end], binary=True)
            last, rows, data = cursor.fetchone()
            if rows:
                yield data, rows
            if rows < BATCH:
                break
            low = last + 1
        yield None, 0


_DONE = object()
_T = TypeVar("_T")


def _prefetched(batches: Iterator[_T], depth: int = 1) -> Generator[_T, None, None]:
    """``batches`` run ahead in a thread, so the server makes the next batch while Python
    works on this one (psycopg waits for the server without holding the GIL)."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in batches:
                while not stop.is_set():
                    try:
                        ahead.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            ahead.put(exc)

    thread = threading.Thread(target=produce, name="ims-backup-prefetch", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _copy_blocks(cursor: Any, sql: str, reencode: list[Reencode], table: str) -> Iterator[tuple[bytes, int]]:
    with cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
        chunks: list[bytes] = []
        size = 0
        for chunk in copy:  # a row a chunk
            chunks.append(bytes(chunk))
            size += len(chunk)
            if size >= _BLOCK:
                yield _copy_block(chunks, reencode, table)
                chunks, size = [], 0
        if chunks:
            yield _copy_block(chunks, reencode, table)


def _copy_block(chunks: list[bytes], reencode: list[Reencode], table: str) -> tuple[bytes, int]:
    # COPY's text format doubles backslashes; there are no raw tabs or newlines inside the
    # pieces (JSON escapes them), so tab and newline are its separators
    block = b"".join(chunks).replace(b"\\\\", b"\\")
    if not block.endswith(b"\n"):
        raise ValueError(f"table {table}: COPY output ended inside a row")
    return reencode_block(block, reencode), block.count(b"\n")


def _python_blocks(
    cursor: Any,
    conn: Connection,
    table: Table,
    names: Sequence[str],
    oids: dict[str, int],
    codec: ColumnCodec,
) -> Iterator[tuple[bytes, int]]:
    """A column type the server cannot format: rows decoded by psycopg, lines written by Python."""
    query = ordered_select(table, names, conn.dialect.name)
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
        copy.set_types([oids[n] for n in names])
        lines: list[bytes] = []
        for row in copy.rows():
            lines.append(codec.line(row))
            if len(lines) == 2000:
                yield b"".join(lines), len(lines)
                lines = []
        if lines:
            yield b"".join(lines), len(lines)
