"""Backup, restore and verification.

* :func:`create` writes one archive: every table's rows (engine-neutral JSON lines),
  the document blobs, the configuration and a manifest of counts and checksums,
  read inside one snapshot, streamed, optionally encrypted.
* :func:`restore` checks the whole archive, then loads it into an empty database
  (or replaces one, atomically), on SQLite or PostgreSQL whatever the source was.
* :func:`verify` runs the checklist that proves a deployment whole.
* :func:`read_manifest` checks an archive and returns its manifest without restoring it.

The archive format and the decisions behind it are described in ``docs/operations.md``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ims.backup._archive import DEFAULT_LEVEL, ArchiveReader, Manifest, TableEntry, is_encrypted
from ims.backup._checks import CheckResult
from ims.backup._create import create_backup
from ims.backup._crypto import Secret
from ims.backup._errors import ArchiveError, TargetNotEmpty
from ims.backup._progress import NO_PROGRESS, Progress
from ims.backup._restore import CONFIG_SYNCED_TABLES, RestoreResult, restore_archive
from ims.backup._validate import validate_archive
from ims.backup._verify import VerifyReport, run_checks

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from ims.facade import IMS

__all__ = [
    "CONFIG_SYNCED_TABLES",
    "DEFAULT_LEVEL",
    "ArchiveError",
    "BackupService",
    "CheckResult",
    "Manifest",
    "Progress",
    "RestoreResult",
    "TableEntry",
    "TargetNotEmpty",
    "VerifyReport",
    "create",
    "is_encrypted",
    "read_manifest",
    "restore",
    "verify",
]

PathLike = str | os.PathLike[str]


def _secret(passphrase: str | None, key_file: PathLike | None) -> Secret | None:
    if passphrase is None and key_file is None:
        return None
    return Secret(passphrase=passphrase, key_file=key_file)


def create(
    ims: IMS,
    path: PathLike,
    *,
    label: str | None = None,
    passphrase: str | None = None,
    key_file: PathLike | None = None,
    progress: Progress = NO_PROGRESS,
    compress_level: int = DEFAULT_LEVEL,
) -> Manifest:
    """Back up ``ims`` (database, document blobs, configuration) to the archive ``path``.

    Encrypted when a ``passphrase`` or a ``key_file`` is given.  ``compress_level`` is
    gzip's, 1 (fastest, the default) to 9 (smallest).
    """
    return create_backup(
        ims,
        path,
        label=label,
        secret=_secret(passphrase, key_file),
        progress=progress,
        level=compress_level,
    )


def read_manifest(
    path: PathLike, *, passphrase: str | None = None, key_file: PathLike | None = None
) -> Manifest:
    """Check the whole archive against its manifest and return the manifest.

    Raises:
        ArchiveError: damaged, truncated, wrong passphrase, or not matching its manifest.
    """
    return validate_archive(ArchiveReader(path, secret=_secret(passphrase, key_file)))


def restore(
    path: PathLike,
    *,
    config: PathLike | None = None,
    env: Mapping[str, str] | None = None,
    database_url: str | None = None,
    replace: bool = False,
    passphrase: str | None = None,
    key_file: PathLike | None = None,
    config_dir: PathLike | Path | None = None,
    progress: Progress = NO_PROGRESS,
) -> RestoreResult:
    """Restore the archive ``path`` into the database of the configuration at ``config``.

    ``database_url`` overrides the configuration's.  The document blobs go to the
    configuration's document store; ``config_dir`` also writes the archived YAML files
    there.  See :mod:`ims.backup._restore` for the guarantees.
    """
    from ims.documents import open_document_store
    from ims.facade import load_everything

    settings, plugins, _ = load_everything(None if config is None else str(config), env=env)
    store = open_document_store(_ConfigOnly(settings, plugins))  # type: ignore[arg-type]
    return restore_archive(
        ArchiveReader(path, secret=_secret(passphrase, key_file)),
        database_url or settings.settings.database_url,
        store,
        replace=replace,
        config_dir=config_dir,
        progress=progress,
    )


class _ConfigOnly:
    """What document store plugins read from ``ims`` (config and plugins), without a database."""

    def __init__(self, config: Any, plugins: Any) -> None:
        self.config = config
        self.plugins = plugins


def verify(ims: IMS, *, manifest: Manifest | None = None, selftest: bool = True) -> VerifyReport:
    """Run the verification checklist on ``ims`` (against ``manifest`` when given)."""
    return run_checks(ims, manifest=manifest, selftest=selftest)


class BackupService:
    """``IMS.backup``: :func:`create` and :func:`verify` bound to one IMS."""

    def __init__(self, ims: IMS) -> None:
        self._ims = ims

    def create(
        self,
        path: PathLike,
        *,
        label: str | None = None,
        passphrase: str | None = None,
        key_file: PathLike | None = None,
        progress: Progress = NO_PROGRESS,
        compress_level: int = DEFAULT_LEVEL,
    ) -> Manifest:
        return create(
            self._ims,
            path,
            label=label,
            passphrase=passphrase,
            key_file=key_file,
            progress=progress,
            compress_level=compress_level,
        )

    def verify(self, *, manifest: Manifest | None = None, selftest: bool = True) -> VerifyReport:
        return verify(self._ims, manifest=manifest, selftest=selftest)
