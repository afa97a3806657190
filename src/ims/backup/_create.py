"""``ims backup``: write every table, the document blobs and the configuration to one archive."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select, text

from ims.backup._archive import DEFAULT_LEVEL, ArchiveWriter, Manifest, TableChunks, TableEntry
from ims.backup._crypto import Secret
from ims.backup._progress import NO_PROGRESS, Progress
from ims.backup._rows import TableDigest, stream_blocks
from ims.backup._snapshot import audit_head, read_snapshot, schema_revision
from ims.backup._tables import ims_tables
from ims.errors import StoreError
from ims.store.db import wrap_errors

if TYPE_CHECKING:
    from ims.facade import IMS
    from ims.hooks.protocols import DocumentStore

__all__ = ["create_backup"]


def create_backup(
    ims: IMS,
    path: str | os.PathLike[str],
    *,
    label: str | None = None,
    secret: Secret | None = None,
    progress: Progress = NO_PROGRESS,
    level: int = DEFAULT_LEVEL,
) -> Manifest:
    """Write a backup of ``ims``'s database, documents and configuration to ``path``.

    All tables are read inside one snapshot (see :mod:`ims.backup._snapshot`).
    The archive appears at ``path`` only once it is complete.

    Raises:
        ArchiveError: ``path`` cannot be written, or encryption is not available.
        StoreError: the database failed, or is not at a revision.
    """
    from ims import __version__

    writer = ArchiveWriter(path, secret=secret, level=level)
    try:
        with wrap_errors("reading the database for the backup"), read_snapshot(ims.db) as conn:
            revision = schema_revision(conn)
            if revision is None:
                raise StoreError("the database was never migrated: there is nothing to back up")
            tables = _write_tables(conn, writer, progress)
            head, chains = audit_head(conn)
            keys = _blob_keys(conn)
        blobs, missing = _write_blobs(ims.documents.store, keys, writer, progress)
        config, config_root = _write_config(ims.config.root, writer, progress)
        manifest = Manifest(
            label=label,
            ims_version=__version__,
            schema_revision=revision,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            source_dialect=ims.db.dialect.name,
            tables=tables,
            blobs=blobs,
            missing_blobs=missing,
            config=config,
            config_root=config_root,
            audit_head=head,
            audit_chains=chains,
            encrypted=secret is not None,
        )
        writer.add_bytes("manifest.json", manifest.to_json())
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return manifest


def _write_tables(conn: Connection, writer: ArchiveWriter, progress: Progress) -> dict[str, TableEntry]:
    tables = ims_tables()
    counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
    progress.stage("tables", sum(counts.values()))
    entries: dict[str, TableEntry] = {}
    for table in tables:
        names = [c.name for c in table.columns]
        chunks = TableChunks(writer, table.name)
        digest = TableDigest()
        for block, rows in stream_blocks(conn, table, names):
            digest.add_block(block, rows)
            chunks.add(block)
            progress.advance(rows)
        chunks.flush()
        entries[table.name] = TableEntry(digest.rows, digest.sha256, names, chunks.chunks)
    return entries


def _blob_keys(conn: Connection) -> list[str]:
    query = text("SELECT DISTINCT storage_key FROM documents WHERE storage_key IS NOT NULL")
    return sorted(str(k) for (k,) in conn.execute(query))


def _write_blobs(
    store: DocumentStore, keys: list[str], writer: ArchiveWriter, progress: Progress
) -> tuple[dict[str, int], list[str]]:
    progress.stage("documents", len(keys))
    blobs: dict[str, int] = {}
    missing: list[str] = []
    for key in keys:
        if not store.exists(key):
            missing.append(key)
            progress.advance()
            continue
        with store.open(key) as stream:
            sha256, size = writer.add_stream(f"blobs/{key}", stream)
        if sha256 != key:
            raise StoreError(
                f"document blob {key[:12]}… in the document store has SHA-256 {sha256[:12]}…: it is damaged"
            )
        blobs[key] = size
        progress.advance()
    return blobs, missing


def _write_config(root: str, writer: ArchiveWriter, progress: Progress) -> tuple[dict[str, str], str]:
    from ims.config.loader import config_files

    files = [Path(f).resolve() for f in config_files(root)]
    base = Path(os.path.commonpath([f.parent for f in files]))
    progress.stage("configuration", len(files))
    out: dict[str, str] = {}
    for file in files:
        name = f"config/{file.relative_to(base).as_posix()}"
        with open(file, "rb") as stream:
            out[name], _ = writer.add_stream(name, stream)
        progress.advance()
    return out, f"config/{Path(root).resolve().relative_to(base).as_posix()}"
