"""Insert many rows fast: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

A batch of the SLA sweep writes thousands of notice and notification rows.  On
PostgreSQL, psycopg's ``executemany`` sends one INSERT per row, and SQLAlchemy's
multi-row INSERT spends its time parsing a huge statement; ``COPY ... FROM STDIN``
streams the rows in the current transaction at a fraction of either cost.  SQLite
runs in process: its ``executemany`` is already fast.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, insert

from ims.errors import Conflict, StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (mappings with the same keys) into ``table`` in the connection's transaction.

    Values are what the ORM types take (aware datetimes, dicts for JSON columns); column
    defaults of the model are not applied, so give every NOT NULL column.

    Raises:
        Conflict: a unique constraint refused a row (PostgreSQL).
        StoreError: any other database error (PostgreSQL).
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    is_time = [
        table.c[name].type.python_type is datetime if _has_python_type(table, name) else False
        for name in columns
    ]
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    import psycopg

    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(
                    [
                        _value(row[name], json_column, time_column)
                        for name, json_column, time_column in zip(columns, as_json, is_time, strict=True)
                    ]
                )
    except psycopg.errors.UniqueViolation as exc:
        raise Conflict(f"inserting {len(rows)} rows into {table.name}: {exc.diag.message_primary}") from exc
    except psycopg.Error as exc:
        raise StoreError(f"inserting {len(rows)} rows into {table.name} failed: {exc}") from exc


def _has_python_type(table: Table, name: str) -> bool:
    try:
        table.c[name].type.python_type  # noqa: B018 - probing: some types have none
    except NotImplementedError:
        return False
    return True


def _value(value: Any, json_column: bool, time_column: bool) -> Any:
    if value is None:
        return None
    if json_column:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if time_column:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: pass a timezone-aware datetime")
        return value.astimezone(UTC)
    return value
