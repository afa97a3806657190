"""Restoring into SQLite: a new file, filled, then renamed over the target.

The database is built in a temporary file next to the target and renamed over it at
the end, so a failure leaves the target as it was.  After the migrations of the
archive's revision have made the schema, its indexes are set aside and built once at
the end.  Each piece of archive lines is parsed in one orjson call, converted a column
at a time into the values SQLAlchemy would have stored, and inserted with the driver's
``executemany``.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from ims.backup._errors import ArchiveError
from ims.backup._rows import ColumnCodec, canonical_json, line_pieces, parse_json
from ims.errors import StoreError
from ims.store import migrate
from ims.store.db import make_engine, wrap_errors

if TYPE_CHECKING:
    from ims.backup._restore import _Loader

__all__ = ["RowsSink", "restore_sqlite"]


def _json_text(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


#: archive value -> the value SQLAlchemy stores on SQLite, by column kind (others as they are)
_STORED: dict[str, Callable[[Any], Any]] = {
    # ISO-8601 UTC with microseconds -> naive UTC text with a space (UTCDateTime on SQLite)
    "datetime": lambda v: v[:10] + " " + v[11:26],
    "json": _json_text,
    "bool": int,
    "bytes": base64.b64decode,
}


class RowsSink:
    """Archive lines into SQLite rows, a piece at a time, with the driver's ``executemany``;
    a table with a column kind it does not know goes through the Python codec."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._driver: Any = conn.connection.driver_connection

    def write(self, table: Any, codec: ColumnCodec, data: bytes, first_row: int) -> None:
        if "decimal" in codec.kinds:
            self._write_decoded(table, codec, data, first_row)
            return
        names = ", ".join('"' + n.replace('"', '""') + '"' for n in codec.names)
        marks = ", ".join("?" * len(codec.names))
        statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        for piece in line_pieces(data):
            rows = parse_json(b"[" + piece.removesuffix(b"\n").replace(b"\n", b",") + b"]")
            try:
                columns = [
                    _column([row[n] for row in rows], _STORED.get(kind))
                    for n, kind in zip(codec.names, codec.kinds, strict=True)
                ]
            except (KeyError, TypeError, ValueError) as exc:
                raise ArchiveError(
                    f"table {table.name}: a row cannot be read ({type(exc).__name__}: {exc})"
                ) from exc
            try:
                self._driver.executemany(statement, zip(*columns, strict=True))
            except sqlite3.Error as exc:
                raise StoreError(f"restoring table {table.name}: {exc}") from exc

    def _write_decoded(self, table: Any, codec: ColumnCodec, data: bytes, first_row: int) -> None:
        rows: list[dict[str, Any]] = []
        for number, line in enumerate(data.splitlines(keepends=True), start=first_row):
            try:
                rows.append(codec.row(line))
            except (ValueError, TypeError) as exc:
                raise ArchiveError(f"table {table.name}: row {number} cannot be read: {exc}") from exc
        with wrap_errors(f"restoring table {table.name}"):
            self.conn.execute(table.insert(), rows)

    def finish(self) -> None:
        pass

    def close(self) -> None:
        pass


def _column(values: list[Any], store: Callable[[Any], Any] | None) -> list[Any]:
    if store is None:
        return values
    return [None if v is None else store(v) for v in values]


def restore_sqlite(engine: Engine, loader: _Loader) -> None:
    database = engine.url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise StoreError("restore needs a SQLite database file (sqlite:///path/to/ims.db)")
    target = Path(database).expanduser().resolve()
    temp = target.with_name(f".{target.name}.restore-{uuid.uuid4().hex[:8]}")
    engine.dispose()
    try:
        with _sqlite_file(temp) as staging, wrap_errors("restoring into SQLite"), staging.connect() as conn:
            indexes: list[str] = []

            def upgrade(revision: str) -> None:
                if revision == "head":  # the rows are in: build the indexes set aside, then migrate
                    for statement in indexes:
                        conn.exec_driver_sql(statement)
                conn.commit()
                migrate.upgrade(staging, revision)
                if revision != "head":  # fill the tables without their indexes, built once at the end
                    found = conn.exec_driver_sql(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                    ).all()
                    for name, statement in found:
                        conn.exec_driver_sql(f'DROP INDEX "{name}"')
                        indexes.append(statement)

            loader.load(conn, upgrade, RowsSink)
            conn.commit()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{temp}{suffix}").unlink(missing_ok=True)


@contextmanager
def _sqlite_file(path: Path) -> Iterator[Engine]:
    """An engine on a new SQLite file, left as one self-contained file (no WAL) at the end."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()
    driver = sqlite3.connect(path)
    try:
        driver.execute("PRAGMA journal_mode=DELETE")
    finally:
        driver.close()
