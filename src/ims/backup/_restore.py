"""``ims restore``: an archive into an empty database (or replacing one, atomically).

1. The whole archive is checked against its manifest (:mod:`ims.backup._validate`);
   nothing is written before that pass succeeds.
2. The target must hold no ims data (only the roles and reference values that
   ``ims db upgrade`` copies from the configuration), unless ``replace=True``.
3. The schema is created by the migrations of the archive's revision, the rows are
   inserted in foreign-key order in batches, the schema is upgraded to the current
   revision, and PostgreSQL sequences are moved past the restored ids.

Atomicity: on PostgreSQL all of it (dropping the old tables included) runs in one
transaction, DDL being transactional there.  On SQLite the database is built in a new
file next to the target and renamed over it at the end.  Either way, a failure leaves
the target as it was.  Document blobs go to the configured document store first;
being content-addressed, a blob left by a failed restore is harmless.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Column, Connection, Engine, MetaData, Table, func, inspect, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from ims.backup._archive import ArchiveReader, Manifest
from ims.backup._errors import ArchiveError, TargetNotEmpty
from ims.backup._progress import NO_PROGRESS, Progress
from ims.backup._rows import ColumnCodec, TableDigest
from ims.backup._tables import ims_tables
from ims.backup._validate import table_of, validate_archive
from ims.store import migrate
from ims.store.db import make_engine, wrap_errors

if TYPE_CHECKING:
    from ims.hooks.protocols import DocumentStore

__all__ = ["CONFIG_SYNCED_TABLES", "RestoreResult", "RowSink", "restore_archive", "target_rows"]

#: Tables ``ims db upgrade`` fills from the configuration: rows there do not make a database "in use".
CONFIG_SYNCED_TABLES = frozenset({"roles", "reference_values"})


@dataclass
class RestoreResult:
    manifest: Manifest
    rows: int
    blobs: int
    from_revision: str
    to_revision: str
    replaced: bool


def restore_archive(
    reader: ArchiveReader,
    database_url: str,
    store: DocumentStore,
    *,
    replace: bool = False,
    config_dir: str | os.PathLike[str] | None = None,
    progress: Progress = NO_PROGRESS,
) -> RestoreResult:
    """Restore the archive read by ``reader`` into the database at ``database_url``.

    Raises:
        ArchiveError: the archive is damaged, does not match its manifest, or was made
            by a newer ims (an unknown schema revision).
        TargetNotEmpty: the database holds ims data and ``replace`` is false.
        StoreError: the database failed (the target is left as it was).
    """
    manifest = validate_archive(reader, progress)
    _check_revision(manifest.schema_revision)
    sqlite_file = _sqlite_path(database_url)
    existed = sqlite_file is None or sqlite_file.exists()
    engine = make_engine(database_url)
    try:
        in_use = target_rows(engine)
        if in_use and not replace:
            shown = ", ".join(f"{t} ({n})" for t, n in sorted(in_use.items())[:5])
            raise TargetNotEmpty(
                f"the database {engine.url.render_as_string(hide_password=True)} is not empty: {shown}; "
                "restore into an empty database, or pass --replace to replace its contents"
            )
        loader = _Loader(reader, manifest, store, progress, config_dir)
        if engine.dialect.name == "postgresql":
            from ims.backup._restore_pg import restore_postgresql

            restore_postgresql(engine, loader)
        else:
            from ims.backup._restore_sqlite import restore_sqlite

            restore_sqlite(engine, loader)
    except BaseException:
        engine.dispose()
        if not existed and sqlite_file is not None:  # leave no empty file behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        engine.dispose()
    return RestoreResult(
        manifest=manifest,
        rows=loader.rows,
        blobs=loader.blobs,
        from_revision=manifest.schema_revision,
        to_revision=migrate.head(),
        replaced=bool(in_use),
    )


def _sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (``None`` for PostgreSQL or an in-memory database)."""
    from sqlalchemy import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database or "").expanduser()


def _check_revision(revision: str) -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise ArchiveError(
            f"the archive's schema revision {revision!r} is unknown to this ims (head {migrate.head()}): "
            "it was made by a newer ims; restore it with that version or newer"
        )


def target_rows(engine: Engine) -> dict[str, int]:
    """Row counts of the ims tables holding data (``CONFIG_SYNCED_TABLES`` aside)."""
    with wrap_errors("inspecting the target database"), engine.connect() as conn:
        existing = set(inspect(conn).get_table_names())
        counts: dict[str, int] = {}
        for table in ims_tables():
            if table.name in existing and table.name not in CONFIG_SYNCED_TABLES:
                n = conn.execute(select(func.count()).select_from(table)).scalar_one()
                if n:
                    counts[table.name] = n
        return counts


class RowSink(Protocol):
    """Where the loader's table chunks go (whole lines, already counted and hashed)."""

    def write(self, table: Any, codec: ColumnCodec, data: bytes, first_row: int) -> None: ...

    def finish(self) -> None:
        """Everything written is in the database (raises what failed)."""

    def close(self) -> None:
        """Stop, whether or not everything went in (after an error)."""


class _Loader:
    """Second pass: schema at the archive's revision, rows, blobs, then head."""

    def __init__(
        self,
        reader: ArchiveReader,
        manifest: Manifest,
        store: DocumentStore,
        progress: Progress,
        config_dir: str | os.PathLike[str] | None,
    ) -> None:
        self.reader = reader
        self.manifest = manifest
        self.store = store
        self.progress = progress
        self.config_dir = Path(config_dir) if config_dir is not None else None
        self.rows = 0
        self.blobs = 0

    def load(self, conn: Connection, upgrade: Any, sink_for: Callable[[Connection], RowSink]) -> None:
        """Create the schema with ``upgrade(revision)``, load everything, upgrade to head."""
        upgrade(self.manifest.schema_revision)
        tables = self._reflect(conn)
        self.progress.stage("restoring", self.manifest.total_rows + len(self.manifest.blobs))
        digests: dict[str, TableDigest] = {}
        sink = sink_for(conn)
        try:
            for member in self.reader.members():
                name = table_of(member.name)
                if name is not None:
                    if name not in tables:
                        raise ArchiveError(
                            f"table {name} of the archive does not exist at revision "
                            f"{self.manifest.schema_revision}"
                        )
                    data = member.stream.read()
                    if data and not data.endswith(b"\n"):
                        raise ArchiveError(f"table {name}: the last row of a chunk is not terminated")
                    digest = digests.setdefault(name, TableDigest())
                    first = digest.rows + 1
                    digest.add_block(data, data.count(b"\n"))
                    if data:
                        sink.write(tables[name][0], tables[name][1], data, first)
                    self.rows += digest.rows - first + 1
                    self.progress.advance(digest.rows - first + 1)
                elif member.name.startswith("blobs/"):
                    key = member.name.removeprefix("blobs/")
                    self.store.put(member.stream, sha256=key, size=member.size)
                    self.blobs += 1
                    self.progress.advance()
                elif member.name.startswith("config/") and self.config_dir is not None:
                    target = self.config_dir / member.name.removeprefix("config/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(member.stream.read())
            sink.finish()
        finally:
            sink.close()
        for name, entry in self.manifest.tables.items():
            digest = digests.get(name, TableDigest())
            if (digest.rows, digest.sha256) != (entry.rows, entry.sha256):
                raise ArchiveError(f"table {name} changed between the two passes over the archive")
        upgrade("head")

    def _reflect(self, conn: Connection) -> dict[str, tuple[Any, ColumnCodec]]:
        """For every archived table: an INSERT target and the codec of its archived columns."""
        current = {t.name: t for t in ims_tables()}
        reflected = MetaData()
        out: dict[str, tuple[Any, ColumnCodec]] = {}
        for name, entry in self.manifest.tables.items():
            model = current.get(name)
            live: Table | None = None
            columns: list[Column[Any]] = []
            for col_name in entry.columns:
                if model is not None and col_name in model.c:
                    columns.append(Column(col_name, model.c[col_name].type))
                    continue
                if live is None:
                    live = Table(name, reflected, autoload_with=conn)
                if col_name not in live.c:
                    raise ArchiveError(
                        f"column {name}.{col_name} of the archive does not exist in the schema"
                    )
                columns.append(Column(col_name, live.c[col_name].type))
            target = sql_table(name, *(sql_column(c.name, c.type) for c in columns))
            out[name] = (target, ColumnCodec(columns))
        return out
