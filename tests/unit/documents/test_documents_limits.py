"""Reading an upload within its size limit, hashing as it goes."""

from __future__ import annotations

import hashlib
import io
from typing import IO, Any, cast

import pytest

from ims.documents import HEAD_SIZE, format_size, read_limited
from ims.errors import ValidationFailed


class Endless(io.RawIOBase):
    """An endless stream of ``a`` that counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[:] = b"a" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_reads_hashes_and_keeps_the_head() -> None:
    data = bytes(range(256)) * 1000
    with read_limited(io.BytesIO(data), len(data)) as received:
        assert received.size == len(data)
        assert received.sha256 == hashlib.sha256(data).hexdigest()
        assert received.head == data[:HEAD_SIZE]
        assert received.file.read() == data
    assert received.file.closed


def test_exactly_the_limit_is_accepted() -> None:
    with read_limited(io.BytesIO(b"x" * 1000), 1000) as received:
        assert received.size == 1000


def test_one_byte_over_the_limit_is_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        read_limited(io.BytesIO(b"x" * 1001), 1000, what="plot_map.pdf")
    assert info.value.problems == ["plot_map.pdf is larger than 0.001 MB"]


def test_an_endless_stream_is_not_read_past_the_limit() -> None:
    stream = Endless()
    with pytest.raises(ValidationFailed, match="file is larger than 10 MB"):
        read_limited(cast(IO[bytes], stream), 10_000_000)
    assert stream.read_bytes == 10_000_001


def test_large_uploads_spill_to_disk() -> None:
    with read_limited(io.BytesIO(b"y" * 3_000_000), 10_000_000) as received:
        assert received.file._rolled  # type: ignore[attr-defined]  # moved to a file on disk


@pytest.mark.parametrize(
    ("limit", "text"), [(10_000_000, "10 MB"), (2_500_000, "2.5 MB"), (25_000_000, "25 MB")]
)
def test_format_size(limit: int, text: str) -> None:
    assert text == format_size(limit)
