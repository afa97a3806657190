"""A document store: every file under one folder, named by its SHA-256.

Select it in the root configuration:

    settings:
      document_store: directory
      document_stores:
        directory: {root: /srv/ims/blobs}    # relative: inside data_dir
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ims import hookimpl
from ims.documents import check_key, copy_verified, is_blob_key
from ims.hooks.protocols import StoredBlob


class DirectoryStore:
    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        check_key(key)  # 64 hex digits, or ValueError: no name from outside reaches a path
        return self.root / key

    def put(self, stream: IO[bytes], *, sha256: str, size: int) -> StoredBlob:
        path = self._path(sha256)
        if not path.is_file():
            self.root.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    # copies in chunks, checking the SHA-256 and the size (StoreError if wrong)
                    copy_verified(stream, out.write, sha256=sha256, size=size)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, path)  # atomic: the whole file or nothing
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        return StoredBlob(key=sha256, sha256=sha256, size=size)

    def open(self, key: str) -> IO[bytes]:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            yield from (entry.name for entry in os.scandir(self.root) if is_blob_key(entry.name))


@hookimpl
def register_document_stores(register: Callable[[str, Any], None], ims: Any) -> None:
    def factory(options: Mapping[str, Any]) -> DirectoryStore:
        return DirectoryStore(Path(ims.config.settings.data_dir) / options.get("root", "blobs"))

    register("directory", factory)
