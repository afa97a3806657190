"""Both stores ims ships pass the conformance suite; the filesystem store's own guarantees."""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ims.default_plugins.fs_documents import FilesystemStore
from ims.hooks.protocols import DocumentStore
from ims.testing.stores import DocumentStoreConformance, GeneratedStream, sha256_of

REPO = Path(__file__).resolve().parents[3]


def load_plugin_file(name: str) -> ModuleType:
    """A file from the reference deployment's plugins/ folder, imported as a module."""
    module_name = f"ims_test_plugin_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPO / "plugins" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[module_name] = module
    return module


class TestFilesystemStore(DocumentStoreConformance):
    @pytest.fixture
    def document_store(self, tmp_path: Path) -> DocumentStore:
        return FilesystemStore(tmp_path / "documents")


class TestSqliteBlobStore(DocumentStoreConformance):
    @pytest.fixture
    def document_store(self, tmp_path: Path) -> DocumentStore:
        store: DocumentStore = load_plugin_file("sqlite_blob_store").SqliteBlobStore(
            tmp_path / "blobs.sqlite"
        )
        return store


# --------------------------------------------------------------------------- filesystem only


def test_blobs_live_at_content_addressed_paths(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    data = b"plot map"
    key = store.put(io.BytesIO(data), sha256=sha256_of(data), size=len(data)).key
    path = tmp_path / key[:2] / key[2:4] / key
    assert path.read_bytes() == data
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


def test_a_crash_before_the_rename_leaves_no_blob_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FilesystemStore(tmp_path)
    data = b"half written" * 1000
    sha256 = sha256_of(data)

    def crash(src: str, dst: str) -> None:
        raise OSError("power cut (simulated)")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.put(io.BytesIO(data), sha256=sha256, size=len(data))
    monkeypatch.undo()
    assert not store.exists(sha256)
    assert list(store.keys()) == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_interrupted_upload_leaves_no_temp_file(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    source = GeneratedStream(2_000_000, fail_after=700_000)
    with pytest.raises(OSError, match="simulated"):
        store.put(io.BufferedReader(source), sha256=GeneratedStream(2_000_000).digest(), size=2_000_000)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_leftover_temp_files_are_never_blobs(tmp_path: Path) -> None:
    """What a kill -9 mid-write leaves behind: a temp file in a shard folder, invisible."""
    store = FilesystemStore(tmp_path)
    data = b"complete"
    key = store.put(io.BytesIO(data), sha256=sha256_of(data), size=len(data)).key
    other = sha256_of(b"never finished")
    shard = tmp_path / other[:2] / other[2:4]
    shard.mkdir(parents=True)
    (shard / ".tmp-abc123").write_bytes(b"never fin")
    (tmp_path / key[:2] / key[2:4] / f".tmp-{key}").write_bytes(b"x")
    (tmp_path / "zz").mkdir()
    (tmp_path / key[:2] / key[2:4] / ("f" * 64)).write_bytes(b"a blob in the wrong shard")
    assert list(store.keys()) == [key]
    assert not store.exists(other)


def test_put_of_existing_content_does_not_rewrite(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    data = b"once"
    key = store.put(io.BytesIO(data), sha256=sha256_of(data), size=len(data)).key
    path = tmp_path / key[:2] / key[2:4] / key
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    store.put(io.BytesIO(data), sha256=sha256_of(data), size=len(data))
    assert path.stat().st_mtime_ns == before - 10**9


def test_blob_files_are_private(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path)
    key = store.put(io.BytesIO(b"id copy"), sha256=sha256_of(b"id copy"), size=7).key
    mode = (tmp_path / key[:2] / key[2:4] / key).stat().st_mode & 0o777
    assert mode == 0o600


def test_a_missing_root_has_no_keys(tmp_path: Path) -> None:
    store = FilesystemStore(tmp_path / "not-yet")
    assert list(store.keys()) == []
    assert not (tmp_path / "not-yet").exists()
