"""First pass of a restore: read the whole archive and check it against its manifest.

Nothing is written anywhere.  Every table chunk is hashed and its lines counted, every
blob re-hashed against its name, every configuration file hashed, and the totals
compared with ``manifest.json``.  A truncated or damaged archive, a wrong passphrase
or a manifest that does not match stop here with :class:`ArchiveError`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ims.backup._archive import MANIFEST, ArchiveReader, Manifest, Member
from ims.backup._errors import ArchiveError
from ims.backup._progress import NO_PROGRESS, Progress
from ims.backup._rows import TableDigest

__all__ = ["ArchiveContents", "table_of", "validate_archive"]


@dataclass
class ArchiveContents:
    """What the first pass measured."""

    tables: dict[str, TableDigest] = field(default_factory=dict)
    chunks: dict[str, int] = field(default_factory=dict)
    blobs: dict[str, int] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)
    manifest: Manifest | None = None


def table_of(name: str) -> str | None:
    """``tables/<t>/<n>.jsonl`` -> ``t``."""
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "tables" and parts[2].endswith(".jsonl"):
        return parts[1]
    return None


def hash_lines(member: Member, digest: TableDigest) -> None:
    """Feed a table chunk's lines into ``digest``."""
    rest = b""
    while block := member.stream.read(1024 * 1024):
        block = rest + block
        end = block.rfind(b"\n") + 1
        block, rest = block[:end], block[end:]
        digest.add_block(block, block.count(b"\n"))
    if rest:
        raise ArchiveError(f"{member.name}: the last row is not terminated (damaged archive)")


def _sha256(member: Member) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while block := member.stream.read(1024 * 1024):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def validate_archive(reader: ArchiveReader, progress: Progress = NO_PROGRESS) -> Manifest:
    """Read every member of the archive and check it against the manifest; return the manifest."""
    found = ArchiveContents()
    progress.stage("checking the archive", None)
    for member in reader.members():
        table = table_of(member.name)
        if table is not None:
            digest = found.tables.setdefault(table, TableDigest())
            before = digest.rows
            hash_lines(member, digest)
            found.chunks[table] = found.chunks.get(table, 0) + 1
            progress.advance(digest.rows - before)
        elif member.name.startswith("blobs/"):
            key = member.name.removeprefix("blobs/")
            sha256, size = _sha256(member)
            if sha256 != key:
                raise ArchiveError(
                    f"document blob {key[:12]}… in the archive is damaged (SHA-256 {sha256[:12]}…)"
                )
            found.blobs[key] = size
            progress.advance()
        elif member.name.startswith("config/"):
            found.config[member.name], _ = _sha256(member)
        elif member.name == MANIFEST:
            if found.manifest is not None:
                raise ArchiveError("the archive has two manifests")
            found.manifest = Manifest.from_json(member.stream.read())
        else:
            raise ArchiveError(f"unexpected member {member.name!r} in the archive")
    if found.manifest is None:
        raise ArchiveError(
            f"{reader.path} has no manifest.json: the archive is truncated or not an ims backup"
        )
    compare(found.manifest, found)
    return found.manifest


def compare(manifest: Manifest, found: ArchiveContents) -> None:
    """Raise ArchiveError naming every difference between the manifest and the contents."""
    problems: list[str] = []
    for name, entry in manifest.tables.items():
        digest = found.tables.get(name, TableDigest())
        if digest.rows != entry.rows:
            problems.append(f"table {name}: {digest.rows} rows, the manifest says {entry.rows}")
        elif digest.sha256 != entry.sha256:
            problems.append(
                f"table {name}: checksum {digest.sha256[:12]}…, the manifest says {entry.sha256[:12]}…"
            )
        if found.chunks.get(name, 0) != entry.chunks:
            problems.append(
                f"table {name}: {found.chunks.get(name, 0)} chunks, the manifest says {entry.chunks}"
            )
    for name in sorted(set(found.tables) - set(manifest.tables)):
        problems.append(f"table {name} is in the archive but not in the manifest")
    if set(found.blobs) != set(manifest.blobs):
        extra = len(set(found.blobs) - set(manifest.blobs))
        lost = len(set(manifest.blobs) - set(found.blobs))
        problems.append(f"document blobs differ from the manifest ({lost} missing, {extra} not listed)")
    for key, size in manifest.blobs.items():
        if key in found.blobs and found.blobs[key] != size:
            problems.append(f"document blob {key[:12]}…: {found.blobs[key]} bytes, the manifest says {size}")
    if found.config != manifest.config:
        problems.append("the configuration files differ from the manifest")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise ArchiveError(f"the archive does not match its manifest: {shown}")
