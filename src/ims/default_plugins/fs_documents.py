"""The built-in ``filesystem`` document store: content-addressed files under one folder.

A blob lives at ``<root>/ab/cd/<sha256>`` (``ab``, ``cd``: the key's first two pairs of
hex digits, so no folder grows past 65,536 entries).  No filename reaches a path: the
key *is* the SHA-256, checked to be 64 hex digits.

Writes are atomic: the bytes go to a temporary file (``.tmp-*``) in the blob's folder,
are checked against the declared SHA-256 and size, flushed and fsynced, then renamed
into place with :func:`os.replace`, and the folder is fsynced.  A crash leaves at most
a temporary file, which is never taken for a blob (:meth:`keys` and :meth:`exists` see
only 64-hex names) and can be deleted at any time.

Options (``settings.document_stores.filesystem``): ``root``, default
``<data_dir>/documents``; a relative root is relative to ``data_dir``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ims.documents import check_key, copy_verified, is_blob_key
from ims.hooks import hookimpl
from ims.hooks.protocols import StoredBlob

_TEMP_PREFIX = ".tmp-"


class FilesystemStore:
    """Blobs as files under ``root`` (created on the first :meth:`put`)."""

    name = "filesystem"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FilesystemStore({str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        """Where the blob ``key`` lives.

        Raises:
            ValueError: ``key`` is not 64 lower-case hex digits.
        """
        check_key(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, stream: IO[bytes], *, sha256: str, size: int) -> StoredBlob:
        path = self.path_for(sha256)
        if path.is_file():
            return StoredBlob(sha256, sha256, path.stat().st_size)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                copy_verified(stream, out.write, sha256=sha256, size=size)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_dir(path.parent)
        return StoredBlob(sha256, sha256, size)

    def open(self, key: str) -> IO[bytes]:
        try:
            return self.path_for(key).open("rb")
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            _fsync_dir(path.parent)

    def keys(self) -> Iterator[str]:
        """Every stored key, in no particular order; temporary files are skipped."""
        for first in _subdirs(self.root):
            for second in _subdirs(first):
                prefix = first.name + second.name
                with os.scandir(second) as entries:
                    for entry in entries:
                        name = entry.name
                        if is_blob_key(name) and name.startswith(prefix) and entry.is_file():
                            yield name

    def stored_at(self, key: str) -> datetime:
        """When the blob was written (its modification time); used by ``ims documents gc``."""
        try:
            return datetime.fromtimestamp(self.path_for(key).stat().st_mtime, UTC)
        except FileNotFoundError:
            raise KeyError(key) from None


def _subdirs(folder: Path) -> list[Path]:
    """The two-hex-digit shard folders of ``folder`` (none when it does not exist)."""
    try:
        with os.scandir(folder) as entries:
            return sorted(
                Path(e.path)
                for e in entries
                if len(e.name) == 2 and all(c in "0123456789abcdef" for c in e.name) and e.is_dir()
            )
    except FileNotFoundError:
        return []


def _fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable (POSIX; a no-op where unsupported)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store_from_options(options: Mapping[str, Any], data_dir: str | os.PathLike[str]) -> FilesystemStore:
    """A :class:`FilesystemStore` from ``settings.document_stores.filesystem``.

    Raises:
        ValueError: an unknown option, or a ``root`` that is not a non-empty string.
    """
    unknown = sorted(set(options) - {"root"})
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; the filesystem store takes: root")
    root = options.get("root", "documents")
    if not isinstance(root, str) or not root:
        raise ValueError(f"root must be a folder path, not {root!r}")
    return FilesystemStore(Path(data_dir) / Path(root).expanduser())


@hookimpl(tryfirst=True)
def register_document_stores(
    register: Callable[[str, Callable[[Mapping[str, Any]], FilesystemStore]], None], ims: Any
) -> None:
    """Register the ``filesystem`` store (first, so a plugin may replace it by name)."""
    data_dir = ims.config.settings.data_dir if ims is not None else "."
    register("filesystem", lambda options: store_from_options(options, data_dir))
