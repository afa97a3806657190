"""A conformance suite for document stores: subclass it, give it a ``document_store``.

Every store ims ships passes it, and so should a plugin's::

    import pytest
    from ims.testing.stores import DocumentStoreConformance

    from ims_s3 import S3Store


    class TestS3Store(DocumentStoreConformance):
        @pytest.fixture
        def document_store(self, tmp_path):
            return S3Store(bucket="test", endpoint="http://localhost:9000")

The fixture must give an *empty* store.  What the suite holds a store to (the
contract of :class:`ims.hooks.protocols.DocumentStore`):

* ``put(stream, sha256=, size=)`` reads the stream in chunks, checks the bytes against
  ``sha256`` and ``size`` (a mismatch raises :class:`ims.errors.StoreError` and stores
  nothing), and returns a :class:`~ims.hooks.protocols.StoredBlob` whose ``key`` is
  the SHA-256; storing bytes already there is a no-op with the same key;
* ``open(key)`` returns a readable binary file; an unknown key raises ``KeyError``;
* ``exists(key)``, ``delete(key)`` (an unknown key is no error), ``keys()``;
* a key that is not 64 lower-case hex digits raises ``ValueError`` in every method;
* a put interrupted by an exception leaves nothing behind;
* large files (20 MB here) go through without being held in memory;
* puts of the same bytes from several threads at once all succeed with one blob.
"""

from __future__ import annotations

import hashlib
import io
import random
import threading
import tracemalloc
from typing import Any

import pytest

from ims.errors import StoreError
from ims.hooks.protocols import DocumentStore, StoredBlob

#: Size of the large-file test.
LARGE_SIZE = 20 * 1024 * 1024
#: Python memory a store may allocate while moving :data:`LARGE_SIZE` bytes.
LARGE_PEAK_LIMIT = 8 * 1024 * 1024

BAD_KEYS = [
    pytest.param("../../etc/passwd", id="traversal"),
    pytest.param("ab/../../cd", id="traversal-in-shard"),
    pytest.param("/" + "a" * 63, id="absolute"),
    pytest.param("A" * 64, id="upper-case"),
    pytest.param("a" * 63, id="too-short"),
    pytest.param("a" * 65, id="too-long"),
    pytest.param("g" * 64, id="not-hex"),
    pytest.param("", id="empty"),
    pytest.param("a" * 62 + "\n", id="newline"),
]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class GeneratedStream(io.RawIOBase):
    """``size`` pseudo-random bytes made as they are read (one 1 MiB block in memory).

    The same ``seed`` and ``size`` always give the same bytes; :meth:`digest` computes
    their SHA-256 the same way.  With ``fail_after``, reading past that many bytes
    raises ``OSError`` (a client that disconnects mid-upload).
    """

    BLOCK = 1024 * 1024

    def __init__(self, size: int, *, seed: int = 1, fail_after: int | None = None) -> None:
        self.size = size
        self.seed = seed
        self.fail_after = fail_after
        self._position = 0
        self._block_index = -1
        self._block = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.fail_after is not None and self._position >= self.fail_after:
            raise OSError("connection reset by peer (simulated)")
        index, offset = divmod(self._position, self.BLOCK)
        if index != self._block_index:
            self._block = random.Random(self.seed * 1_000_003 + index).randbytes(self.BLOCK)
            self._block_index = index
        end = min(self.size, self.fail_after or self.size)
        n = min(len(buffer), self.BLOCK - offset, end - self._position)
        buffer[:n] = self._block[offset : offset + n]
        self._position += n
        return n

    def digest(self) -> str:
        h = hashlib.sha256()
        copy = GeneratedStream(self.size, seed=self.seed)
        while chunk := copy.read(self.BLOCK):
            h.update(chunk)
        return h.hexdigest()


def _put(store: DocumentStore, data: bytes) -> StoredBlob:
    return store.put(io.BytesIO(data), sha256=sha256_of(data), size=len(data))


def _read(store: DocumentStore, key: str) -> bytes:
    with store.open(key) as f:
        return f.read()


class DocumentStoreConformance:
    """Tests every document store must pass; subclasses provide ``document_store``."""

    @pytest.fixture
    def document_store(self) -> DocumentStore:
        raise NotImplementedError("override the document_store fixture: return an empty store")

    def test_follows_the_protocol(self, document_store: DocumentStore) -> None:
        assert isinstance(document_store, DocumentStore)
        assert isinstance(document_store.name, str) and document_store.name

    def test_put_then_open_gives_the_bytes_back(self, document_store: DocumentStore) -> None:
        data = b"%PDF-1.4 plot map\n" * 100
        blob = _put(document_store, data)
        assert blob == StoredBlob(key=sha256_of(data), sha256=sha256_of(data), size=len(data))
        assert _read(document_store, blob.key) == data

    def test_empty_file(self, document_store: DocumentStore) -> None:
        blob = _put(document_store, b"")
        assert _read(document_store, blob.key) == b""

    def test_same_content_same_key(self, document_store: DocumentStore) -> None:
        data = b"the same bytes"
        first = _put(document_store, data)
        second = _put(document_store, data)
        assert first.key == second.key == sha256_of(data)
        assert list(document_store.keys()) == [first.key]
        assert _read(document_store, first.key) == data

    def test_exists_and_delete(self, document_store: DocumentStore) -> None:
        key = _put(document_store, b"to be deleted").key
        assert document_store.exists(key)
        document_store.delete(key)
        assert not document_store.exists(key)
        document_store.delete(key)  # deleting again is no error
        with pytest.raises(KeyError):
            document_store.open(key)

    def test_open_unknown_key(self, document_store: DocumentStore) -> None:
        with pytest.raises(KeyError):
            document_store.open(sha256_of(b"never stored"))
        assert not document_store.exists(sha256_of(b"never stored"))

    def test_keys_lists_every_blob_once(self, document_store: DocumentStore) -> None:
        assert list(document_store.keys()) == []
        keys = {_put(document_store, f"blob {i}".encode()).key for i in range(12)}
        _put(document_store, b"blob 3")
        assert sorted(document_store.keys()) == sorted(keys)

    def test_large_file_is_streamed(self, document_store: DocumentStore) -> None:
        source = GeneratedStream(LARGE_SIZE, seed=7)
        sha256 = source.digest()
        tracemalloc.start()
        try:
            blob = document_store.put(io.BufferedReader(source), sha256=sha256, size=LARGE_SIZE)
            _, put_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            h = hashlib.sha256()
            size = 0
            with document_store.open(blob.key) as f:
                while chunk := f.read(256 * 1024):
                    h.update(chunk)
                    size += len(chunk)
            _, read_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert (blob.size, size, h.hexdigest()) == (LARGE_SIZE, LARGE_SIZE, sha256)
        assert put_peak < LARGE_PEAK_LIMIT, f"put held {put_peak:,} bytes in memory"
        assert read_peak < LARGE_PEAK_LIMIT, f"reading held {read_peak:,} bytes in memory"

    @pytest.mark.parametrize("key", BAD_KEYS)
    def test_bad_keys_are_refused(self, document_store: DocumentStore, key: str) -> None:
        with pytest.raises(ValueError):
            document_store.open(key)
        with pytest.raises(ValueError):
            document_store.exists(key)
        with pytest.raises(ValueError):
            document_store.delete(key)
        with pytest.raises(ValueError):
            document_store.put(io.BytesIO(b"x"), sha256=key, size=1)
        assert list(document_store.keys()) == []

    def test_sha256_mismatch_is_refused(self, document_store: DocumentStore) -> None:
        claimed = sha256_of(b"what the client said")
        with pytest.raises(StoreError):
            document_store.put(io.BytesIO(b"what it sent"), sha256=claimed, size=12)
        assert not document_store.exists(claimed)
        assert list(document_store.keys()) == []

    def test_size_mismatch_is_refused(self, document_store: DocumentStore) -> None:
        data = b"twelve bytes"
        for size in (len(data) - 1, len(data) + 1):
            with pytest.raises(StoreError):
                document_store.put(io.BytesIO(data), sha256=sha256_of(data), size=size)
        assert list(document_store.keys()) == []

    def test_interrupted_put_leaves_nothing(self, document_store: DocumentStore) -> None:
        source = GeneratedStream(3 * 1024 * 1024, seed=3, fail_after=1024 * 1024 + 17)
        sha256 = GeneratedStream(3 * 1024 * 1024, seed=3).digest()
        with pytest.raises(OSError, match="simulated"):
            document_store.put(io.BufferedReader(source), sha256=sha256, size=source.size)
        assert not document_store.exists(sha256)
        assert list(document_store.keys()) == []
        with pytest.raises(KeyError):
            document_store.open(sha256)
        # and the same content goes in whole afterwards
        again = io.BufferedReader(GeneratedStream(source.size, seed=3))
        blob = document_store.put(again, sha256=sha256, size=source.size)
        assert blob.key == sha256

    def test_concurrent_puts_of_the_same_content(self, document_store: DocumentStore) -> None:
        data = b"same photo from eight tablets " * 40_000
        sha256 = sha256_of(data)
        results: list[StoredBlob] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(8)

        def worker() -> None:
            try:
                barrier.wait()
                slow = io.BufferedReader(_Slow(data), buffer_size=16 * 1024)
                results.append(document_store.put(slow, sha256=sha256, size=len(data)))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert {r.key for r in results} == {sha256} and len(results) == 8
        assert list(document_store.keys()) == [sha256]
        assert _read(document_store, sha256) == data


class _Slow(io.RawIOBase):
    """Bytes handed out in small reads, so concurrent puts overlap."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), 64 * 1024, len(self._data) - self._at)
        buffer[:n] = self._data[self._at : self._at + n]
        self._at += n
        return n
