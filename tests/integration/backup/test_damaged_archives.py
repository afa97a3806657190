"""A damaged archive, a wrong passphrase or a manifest that does not match: refused before any write."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect

from ims import IMS, backup
from ims.backup import ArchiveError
from ims.store.db import make_engine


def _untouched(url: str) -> None:
    """The target has no tables at all: nothing was written."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def _restore(archive: Path, source: IMS, url: str, **kwargs: object) -> None:
    backup.restore(archive, config=source.config.root, database_url=url, **kwargs)  # type: ignore[arg-type]


def _rewrite(archive: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Copy the (unencrypted) archive member by member, letting ``change`` edit or drop members."""
    with gzip.open(archive) as gz, tarfile.open(fileobj=gz, mode="r|") as src:
        members = [(m, src.extractfile(m).read()) for m in src]  # type: ignore[union-attr]
    with gzip.open(target, "wb") as gz, tarfile.open(fileobj=gz, mode="w|") as dst:
        for info, data in members:
            new = change(info.name, data)
            if new is None:
                continue
            info.size = len(new)
            dst.addfile(info, io.BytesIO(new))


@pytest.fixture
def archive(source: IMS, tmp_path: Path) -> Path:
    path = tmp_path / "good.ims"
    source.backup.create(path)
    return path


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.99])
def test_truncated_archive_is_refused(
    archive: Path, source: IMS, tmp_path: Path, make_target: Callable[[str], str], cut: float
) -> None:
    data = archive.read_bytes()
    broken = tmp_path / "truncated.ims"
    broken.write_bytes(data[: int(len(data) * cut)])
    target = make_target("sqlite")
    with pytest.raises(ArchiveError, match=r"damaged or truncated|no manifest"):
        _restore(broken, source, target)
    _untouched(target)


@pytest.mark.parametrize("where", [0.2, 0.5, 0.8])
def test_flipped_byte_is_refused(
    archive: Path, source: IMS, tmp_path: Path, make_target: Callable[[str], str], where: float
) -> None:
    data = bytearray(archive.read_bytes())
    data[int(len(data) * where)] ^= 0x40
    broken = tmp_path / "flipped.ims"
    broken.write_bytes(bytes(data))
    target = make_target("sqlite")
    with pytest.raises(ArchiveError):
        _restore(broken, source, target)
    _untouched(target)


def test_edited_manifest_is_refused(
    archive: Path, source: IMS, tmp_path: Path, make_target: Callable[[str], str]
) -> None:
    def fewer_applications(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["applications"]["rows"] = 2
        return json.dumps(manifest).encode()

    broken = tmp_path / "edited.ims"
    _rewrite(archive, broken, fewer_applications)
    target = make_target("sqlite")
    with pytest.raises(
        ArchiveError, match=r"does not match its manifest: table applications: \d+ rows, the manifest says 2"
    ):
        _restore(broken, source, target)
    _untouched(target)


def test_edited_row_is_refused(
    archive: Path, source: IMS, tmp_path: Path, make_target: Callable[[str], str]
) -> None:
    def richer(name: str, data: bytes) -> bytes:
        return data.replace(b'"requested_amount":45000', b'"requested_amount":95000')

    broken = tmp_path / "edited-row.ims"
    _rewrite(archive, broken, richer)
    target = make_target("sqlite")
    with pytest.raises(ArchiveError, match="table applications: checksum"):
        _restore(broken, source, target)
    _untouched(target)


def test_missing_manifest_and_missing_blob_are_refused(
    archive: Path, source: IMS, tmp_path: Path, make_target: Callable[[str], str]
) -> None:
    no_manifest = tmp_path / "no-manifest.ims"
    _rewrite(archive, no_manifest, lambda name, data: None if name == "manifest.json" else data)
    no_blob = tmp_path / "no-blob.ims"
    dropped: list[str] = []

    def drop_one_blob(name: str, data: bytes) -> bytes | None:
        if name.startswith("blobs/") and not dropped:
            dropped.append(name)
            return None
        return data

    _rewrite(archive, no_blob, drop_one_blob)
    target = make_target("sqlite")
    with pytest.raises(ArchiveError, match=r"has no manifest\.json"):
        _restore(no_manifest, source, target)
    with pytest.raises(ArchiveError, match=r"document blobs differ from the manifest \(1 missing"):
        _restore(no_blob, source, target)
    _untouched(target)


def test_wrong_passphrase_and_tampered_ciphertext_are_refused(
    source: IMS, tmp_path: Path, make_target: Callable[[str], str]
) -> None:
    path = tmp_path / "secret.ims"
    source.backup.create(path, passphrase="right")
    target = make_target("sqlite")
    with pytest.raises(ArchiveError, match="wrong passphrase or key file"):
        _restore(path, source, target, passphrase="wrong")
    with pytest.raises(ArchiveError, match="is encrypted: give its passphrase"):
        _restore(path, source, target)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    tampered = tmp_path / "tampered.ims"
    tampered.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match=r"fails authentication|wrong passphrase"):
        _restore(tampered, source, target, passphrase="right")
    short = tmp_path / "short.ims"
    short.write_bytes(bytes(data[: len(data) - 100]))
    with pytest.raises(ArchiveError):
        _restore(short, source, target, passphrase="right")
    _untouched(target)


def test_not_an_archive(source: IMS, tmp_path: Path, make_target: Callable[[str], str]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ArchiveError, match="is not an ims backup archive"):
        _restore(path, source, make_target("sqlite"))


def test_archive_from_a_newer_ims_is_refused(
    archive: Path, source: IMS, tmp_path: Path, make_target: Callable[[str], str]
) -> None:
    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema_revision"] = "9999"
        return json.dumps(manifest).encode()

    future = tmp_path / "future.ims"
    _rewrite(archive, future, newer)
    target = make_target("sqlite")
    with pytest.raises(ArchiveError, match="revision '9999' is unknown to this ims"):
        _restore(future, source, target)
    _untouched(target)
