"""The archive file: a gzip-compressed tar stream, optionally encrypted.

Members, in this order::

    tables/<table>/<000001>.jsonl   rows as canonical JSON lines (see _rows), ~4 MiB a chunk,
                                    tables in foreign-key dependency order
    blobs/<sha256>                  document bytes, named by their SHA-256
    config/<path>                   the YAML configuration files
    manifest.json                   what the archive holds, with counts and checksums

Everything is streamed: a table chunk is the only thing held in memory, a blob is
spooled to a temporary file above 8 MiB.  The file is written as ``<name>.partial``
and renamed when complete, so a finished name is always a whole archive.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ims.backup._crypto import MAGIC, DecryptingReader, EncryptingWriter, Secret
from ims.backup._errors import ArchiveError

__all__ = [
    "DEFAULT_LEVEL",
    "FORMAT",
    "FORMAT_VERSION",
    "ArchiveReader",
    "ArchiveWriter",
    "Manifest",
    "TableEntry",
    "is_encrypted",
]

FORMAT = "ims-backup"
#: 2: numbers inside JSON values written by orjson (shortest form, ``1.5e-5``; version 1
#: wrote Python's ``1.5e-05``); everything else as in version 1, which is still read
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
TABLE_CHUNK = 4 * 1024 * 1024
#: gzip level: 1 is about three times faster than 6 for an archive some 10 % larger
DEFAULT_LEVEL = 1
_SPOOL = 8 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class TableEntry:
    """One table in the manifest."""

    rows: int
    sha256: str
    columns: list[str]
    chunks: int


@dataclass
class Manifest:
    """What an archive holds (``manifest.json``)."""

    label: str | None
    ims_version: str
    schema_revision: str
    created_at: str
    source_dialect: str
    tables: dict[str, TableEntry]
    #: blob SHA-256 -> size in bytes
    blobs: dict[str, int] = field(default_factory=dict)
    #: storage keys the documents table names but the document store did not have
    missing_blobs: list[str] = field(default_factory=list)
    #: archive path (``config/...``) -> SHA-256; ``config_root`` is the root file's path
    config: dict[str, str] = field(default_factory=dict)
    config_root: str | None = None
    #: SHA-256 over ``chain seq hash`` of the last row of every audit chain, and the counts
    audit_head: str | None = None
    audit_chains: int = 0
    encrypted: bool = False
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise ArchiveError("manifest.json is not an ims backup manifest")
            if raw.get("format_version") not in READABLE_VERSIONS:
                raise ArchiveError(
                    f"archive format version {raw.get('format_version')} is not supported "
                    f"(this ims reads versions {', '.join(map(str, READABLE_VERSIONS))})"
                )
            raw["tables"] = {name: TableEntry(**entry) for name, entry in raw["tables"].items()}
            return cls(**raw)
        except ArchiveError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ArchiveError(f"manifest.json is malformed: {exc}") from exc

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


class ArchiveWriter:
    """Writes members to a new archive at ``path``; :meth:`commit` makes it appear."""

    def __init__(
        self, path: str | os.PathLike[str], *, secret: Secret | None = None, level: int = DEFAULT_LEVEL
    ):
        if not 1 <= level <= 9:
            raise ArchiveError(f"compression level {level} is not between 1 and 9")
        self.path = Path(path)
        self._partial = self.path.with_name(self.path.name + ".partial")
        try:
            self._file: IO[bytes] = open(self._partial, "wb")  # noqa: SIM115
        except OSError as exc:
            raise ArchiveError(f"cannot write {self._partial}: {exc.strerror}") from exc
        self._enc = EncryptingWriter(self._file, secret) if secret is not None else None
        sink: Any = self._enc if self._enc is not None else self._file
        self._gz = gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=level, mtime=0)
        self._tar = tarfile.open(fileobj=self._gz, mode="w|", format=tarfile.PAX_FORMAT)  # noqa: SIM115

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        self._tar.addfile(info, io.BytesIO(data))

    def add_stream(self, name: str, stream: IO[bytes]) -> tuple[str, int]:
        """Copy ``stream`` in as ``name``; returns its SHA-256 and size."""
        digest = hashlib.sha256()
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as spool:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
                spool.write(chunk)
            size = spool.tell()
            spool.seek(0)
            info = tarfile.TarInfo(name)
            info.size = size
            self._tar.addfile(info, spool)
        return digest.hexdigest(), size

    def commit(self) -> None:
        self._tar.close()
        self._gz.close()
        if self._enc is not None:
            self._enc.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._partial, self.path)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self._file.close()
        self._partial.unlink(missing_ok=True)


class TableChunks:
    """Buffers a table's lines and writes them as ``tables/<name>/<n>.jsonl`` chunks."""

    def __init__(self, writer: ArchiveWriter, name: str) -> None:
        self._writer = writer
        self._name = name
        self._buffer = bytearray()
        self.chunks = 0

    def add(self, lines: bytes) -> None:
        """Add one or more whole lines (a chunk never splits a line)."""
        self._buffer += lines
        if len(self._buffer) >= TABLE_CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self.chunks += 1
            self._writer.add_bytes(f"tables/{self._name}/{self.chunks:06d}.jsonl", bytes(self._buffer))
            self._buffer.clear()


def is_encrypted(path: str | os.PathLike[str]) -> bool:
    """Whether the archive at ``path`` is encrypted (raises ArchiveError if it is no archive)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(MAGIC))
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror}") from exc
    if head == MAGIC:
        return True
    if head[:2] == _GZIP_MAGIC:
        return False
    raise ArchiveError(f"{path} is not an ims backup archive")


@dataclass
class Member:
    """One member being read: its name and a stream of its bytes."""

    name: str
    size: int
    stream: Any


class ArchiveReader:
    """Reads the members of an archive in order; damage and truncation become ArchiveError."""

    def __init__(self, path: str | os.PathLike[str], *, secret: Secret | None = None) -> None:
        self.path = Path(path)
        self.encrypted = is_encrypted(path)
        if self.encrypted and secret is None:
            raise ArchiveError(
                f"{path} is encrypted: give its passphrase (IMS_BACKUP_PASSPHRASE) or --key-file"
            )
        self._secret = secret

    def members(self) -> Iterator[Member]:
        with open(self.path, "rb") as raw:
            source: Any = DecryptingReader(raw, self._secret) if self.encrypted and self._secret else raw
            try:
                with gzip.GzipFile(fileobj=source, mode="rb") as gz:
                    with tarfile.open(fileobj=gz, mode="r|") as tar:
                        for info in tar:
                            if not info.isfile():
                                raise ArchiveError(f"unexpected member {info.name!r} in the archive")
                            stream = tar.extractfile(info)
                            assert stream is not None
                            yield Member(info.name, info.size, _Guarded(stream, self.path))
                    while gz.read(1024 * 1024):  # the gzip trailer (CRC, length) is checked at its end
                        pass
            except ArchiveError:
                raise
            except _READ_ERRORS as exc:
                raise _damaged(self.path, exc) from exc


_READ_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, tarfile.TarError, OSError)


def _damaged(path: Path, exc: BaseException) -> ArchiveError:
    return ArchiveError(f"the archive {path} is damaged or truncated ({exc})")


class _Guarded:
    """A member's stream whose read errors (truncation, corruption) become ArchiveError."""

    def __init__(self, stream: IO[bytes], path: Path) -> None:
        self._stream = stream
        self._path = path

    def read(self, size: int = -1) -> bytes:
        try:
            return self._stream.read(size)
        except _READ_ERRORS as exc:
            raise _damaged(self._path, exc) from exc
