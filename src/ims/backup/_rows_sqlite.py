"""Canonical lines written by SQLite itself (see :mod:`ims.backup._rows`).

Backup: text through ``json_quote`` (whose escaping is json's and orjson's), integers
and booleans as they are, timestamps (stored as ``YYYY-MM-DD HH:MM:SS.ffffff``, naive
UTC) rearranged into ISO-8601 with the offset; JSON and float columns come back as
their stored values and Python re-encodes a batch's values of a column at once.

Column kinds SQLite cannot write this way (bytes, decimals, a type we do not know)
leave the table to the Python codec: :func:`line_query` returns ``None`` for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Integer, String, Table, Text

from ims.backup._rows import (
    ColumnCodec,
    _enc_float,
    canonical_json_all,
    parse_json,
    sql_identifier,
    sql_literal,
)

__all__ = ["line_query", "sqlite_blocks"]

_BATCH = 2000

_DATETIME = (
    "'\"' || substr({0}, 1, 10) || 'T' || substr({0}, 12, 8) || '.' || "
    "substr(substr({0}, 21) || '000000', 1, 6) || '+00:00\"'"
)

Reencode = Callable[[list[Any]], list[str]]


def _reencode_json(values: list[Any]) -> list[str]:
    parsed = parse_json("[" + ",".join("null" if v is None else v for v in values) + "]")
    return [line.decode("utf-8") for line in canonical_json_all(parsed)]


def _reencode_float(values: list[Any]) -> list[str]:
    return ["null" if v is None else _enc_float(v).decode("ascii") for v in values]


def _made(kind: str, column: Any) -> str | None:
    """SQL writing the canonical JSON of a column SQLite can format, else None."""
    name = sql_identifier(column.name)
    if kind == "datetime":
        return _DATETIME.format(name)
    if kind == "bool":
        return f"CASE WHEN {name} THEN 'true' ELSE 'false' END"
    if kind == "plain" and isinstance(column.type, Integer):
        return f"CAST({name} AS TEXT)"
    if kind == "plain" and isinstance(column.type, String | Text):
        return f"json_quote({name})"
    return None


_REENCODE: dict[str, Reencode] = {"json": _reencode_json, "float": _reencode_float}


def line_query(table: Table, names: Sequence[str], codec: ColumnCodec) -> tuple[str, list[Reencode]] | None:
    """``SELECT`` of the lines as pieces: made text, raw value, made text, ...; with the re-encoders."""
    pieces: list[str] = []
    made: list[str] = []
    reencode: list[Reencode] = []
    for i, key, _encode in codec.keyed:
        column, kind = table.c[names[i]], codec.kinds[i]
        made.append(sql_literal(key))
        if kind in _REENCODE:
            pieces.append(" || ".join(made))
            pieces.append(sql_identifier(column.name))
            reencode.append(_REENCODE[kind])
            made = []
            continue
        sql = _made(kind, column)
        if sql is None:
            return None
        made.append(f"CASE WHEN {sql_identifier(column.name)} IS NULL THEN 'null' ELSE {sql} END")
    made.append("'}'" if codec.keyed else "'{}'")
    pieces.append(" || ".join(made))
    order_by = list(table.primary_key.columns) or [table.c[n] for n in names]
    order = ", ".join(sql_identifier(c.name) for c in order_by)
    return f"SELECT {', '.join(pieces)} FROM {sql_identifier(table.name)} ORDER BY {order}", reencode


def sqlite_blocks(
    conn: Connection, table: Table, names: Sequence[str], codec: ColumnCodec
) -> Iterator[tuple[bytes, int]] | None:
    """The table's lines as blocks of whole lines with their count; None if SQLite cannot write them."""
    built = line_query(table, names, codec)
    if built is None:
        return None
    return _blocks(conn, *built)


def _blocks(conn: Connection, sql: str, reencode: list[Reencode]) -> Iterator[tuple[bytes, int]]:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(_BATCH):
            if reencode:
                columns = [list(c) for c in zip(*rows, strict=True)]
                for k, fix in enumerate(reencode):
                    columns[2 * k + 1] = fix(columns[2 * k + 1])
                lines = list(map("".join, zip(*columns, strict=True)))
            else:
                lines = [r[0] for r in rows]
            yield ("\n".join(lines) + "\n").encode("utf-8"), len(rows)
    finally:
        cursor.close()
