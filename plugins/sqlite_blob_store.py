"""A document store keeping the bytes in a SQLite file of its own: ``sqlite_blobs``.

One file to back up instead of a tree of folders, for small offices.  Select it in
``config/ims.yaml``::

    settings:
      document_store: sqlite_blobs
      document_stores:
        sqlite_blobs: {path: blobs.sqlite}    # relative to data_dir; this is the default

Bytes are streamed in and out with SQLite's incremental BLOB I/O (a ``zeroblob`` of the
declared size is inserted, then written chunk by chunk), so a large file is never held
in memory.  A put is one transaction (``BEGIN IMMEDIATE``): after a crash the blob is
either all there or absent.  The file uses WAL, so downloads do not block uploads.

It follows :class:`ims.hooks.protocols.DocumentStore` and passes
:class:`ims.testing.stores.DocumentStoreConformance`.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ims import hookimpl
from ims.documents import check_key, copy_verified
from ims.hooks.protocols import StoredBlob

_SCHEMA = """
CREATE TABLE IF NOT EXISTS blobs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    stored_at REAL NOT NULL,
    data BLOB NOT NULL
)
"""


class SqliteBlobStore:
    """Blobs as rows of one table in the SQLite file at ``path`` (created when needed)."""

    name = "sqlite_blobs"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._ready = False

    def __repr__(self) -> str:
        return f"SqliteBlobStore({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        if not self._ready:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
            self._ready = True
        return conn

    def put(self, stream: IO[bytes], *, sha256: str, size: int) -> StoredBlob:
        check_key(sha256)
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("SELECT size FROM blobs WHERE key = ?", (sha256,)).fetchone()
                if row is None:
                    cursor = conn.execute(
                        "INSERT INTO blobs (key, size, stored_at, data) VALUES (?, ?, ?, zeroblob(?))",
                        (sha256, size, time.time(), size),
                    )
                    assert cursor.lastrowid is not None
                    with conn.blobopen("blobs", "data", cursor.lastrowid) as blob:
                        copy_verified(stream, blob.write, sha256=sha256, size=size)
                    stored = size
                else:
                    stored = row[0]
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()
        return StoredBlob(sha256, sha256, stored)

    def open(self, key: str) -> IO[bytes]:
        check_key(key)
        conn = self._connect()
        try:
            row = conn.execute("SELECT id FROM blobs WHERE key = ?", (key,)).fetchone()
            if row is None:
                raise KeyError(key)
            blob = conn.blobopen("blobs", "data", row[0], readonly=True)
        except BaseException:
            conn.close()
            raise
        return io.BufferedReader(_BlobReader(conn, blob), buffer_size=256 * 1024)

    def exists(self, key: str) -> bool:
        return self._one("SELECT 1 FROM blobs WHERE key = ?", check_key(key)) is not None

    def delete(self, key: str) -> None:
        check_key(key)
        conn = self._connect()
        try:
            conn.execute("DELETE FROM blobs WHERE key = ?", (key,))
        finally:
            conn.close()

    def keys(self) -> Iterator[str]:
        conn = self._connect()
        try:
            rows = conn.execute("SELECT key FROM blobs ORDER BY key").fetchall()
        finally:
            conn.close()
        return iter([r[0] for r in rows])

    def stored_at(self, key: str) -> datetime:
        """When the blob was written; used by ``ims documents gc``."""
        row = self._one("SELECT stored_at FROM blobs WHERE key = ?", check_key(key))
        if row is None:
            raise KeyError(key)
        return datetime.fromtimestamp(row[0], UTC)

    def _one(self, sql: str, key: str) -> tuple[Any, ...] | None:
        conn = self._connect()
        try:
            row: tuple[Any, ...] | None = conn.execute(sql, (key,)).fetchone()
            return row
        finally:
            conn.close()


class _BlobReader(io.RawIOBase):
    """A read-only file over a ``sqlite3.Blob``; closing it closes its connection."""

    def __init__(self, conn: sqlite3.Connection, blob: sqlite3.Blob) -> None:
        self._conn = conn
        self._blob = blob

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._blob.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._blob.seek(offset, whence)
        return self._blob.tell()

    def tell(self) -> int:
        return self._blob.tell()

    def close(self) -> None:
        if not self.closed:
            try:
                self._blob.close()
            finally:
                self._conn.close()
        super().close()


def store_from_options(options: Mapping[str, Any], data_dir: str | Path) -> SqliteBlobStore:
    """A :class:`SqliteBlobStore` from ``settings.document_stores.sqlite_blobs``."""
    unknown = sorted(set(options) - {"path"})
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; the sqlite_blobs store takes: path")
    path = options.get("path", "blobs.sqlite")
    if not isinstance(path, str) or not path:
        raise ValueError(f"path must be a file path, not {path!r}")
    return SqliteBlobStore(Path(data_dir) / Path(path).expanduser())


@hookimpl
def register_document_stores(
    register: Callable[[str, Callable[[Mapping[str, Any]], SqliteBlobStore]], None], ims: Any
) -> None:
    data_dir = ims.config.settings.data_dir if ims is not None else "."
    register("sqlite_blobs", lambda options: store_from_options(options, data_dir))
