"""Receive an upload: read it in chunks, within a size limit, hashing as it comes.

The bytes go to a spooled temporary file (memory up to 1 MiB, then disk), so an upload
is never held in memory whole, and reading stops at the first byte past the limit: a
client sending 10 GB costs at most the limit plus one byte of reading.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from ims.documents._sniff import HEAD_SIZE
from ims.errors import TooLarge

if TYPE_CHECKING:
    from types import TracebackType

#: Bytes read from the client at a time.
CHUNK_SIZE = 64 * 1024
#: A spooled upload moves from memory to a temporary file beyond this size.
SPOOL_SIZE = 1024 * 1024


@dataclass
class Received:
    """An upload read within its limit: the bytes (a temporary file at position 0) and facts.

    Use it as a context manager, or call :meth:`close`, to remove the temporary file.
    """

    file: IO[bytes]
    size: int
    sha256: str
    #: the first bytes, for sniffing
    head: bytes

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Received:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def format_size(limit: int) -> str:
    """``10_000_000`` -> ``"10 MB"``; ``2_500_000`` -> ``"2.5 MB"``."""
    return f"{limit / 1_000_000:g} MB"


def read_limited(
    stream: IO[bytes], limit: int, *, what: str = "file", chunk_size: int = CHUNK_SIZE
) -> Received:
    """Read ``stream`` to its end into a temporary file, refusing more than ``limit`` bytes.

    At most ``limit + 1`` bytes are ever read from ``stream``.

    Args:
        what: the file's name, for the message.

    Raises:
        ValidationFailed: the stream holds more than ``limit`` bytes
            (``plot_map.pdf is larger than 10 MB``).
    """
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_SIZE)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        while True:
            chunk = stream.read(min(chunk_size, limit + 1 - size))
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise TooLarge(what, [f"{what} is larger than {format_size(limit)}"])
            digest.update(chunk)
            spool.write(chunk)
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
        spool.flush()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return Received(spool, size, digest.hexdigest(), head)
