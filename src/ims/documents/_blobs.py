"""Helpers for document stores: blob keys, and copying a stream while checking it.

Every store is content-addressed: a blob's key is the SHA-256 of its bytes, as 64
lower-case hex digits.  A key in any other form is refused before it reaches a path or
a query, which rules out path traversal (``../../etc/passwd``) by construction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import IO

from ims.errors import StoreError

_KEY = re.compile(r"[0-9a-f]{64}")
#: Bytes copied at a time.
COPY_CHUNK = 1024 * 1024


def is_blob_key(key: object) -> bool:
    """True for 64 lower-case hex digits."""
    return isinstance(key, str) and _KEY.fullmatch(key) is not None


def check_key(key: object) -> str:
    """``key`` if it is a blob key.

    Raises:
        ValueError: it is not 64 lower-case hex digits.
    """
    if not is_blob_key(key):
        raise ValueError(f"not a document key (64 lower-case hex digits): {key!r:.80}")
    assert isinstance(key, str)
    return key


def copy_verified(
    stream: IO[bytes],
    write: Callable[[bytes], object],
    *,
    sha256: str,
    size: int,
    chunk_size: int = COPY_CHUNK,
) -> None:
    """Copy ``stream`` to ``write`` in chunks, checking its length and SHA-256.

    Nothing past ``size`` bytes is written.  The caller discards what was written
    when this raises.

    Raises:
        StoreError: the bytes are not ``size`` long, or their SHA-256 is not ``sha256``.
    """
    digest = hashlib.sha256()
    written = 0
    while chunk := stream.read(chunk_size):
        written += len(chunk)
        if written > size:
            raise StoreError(f"refused to store blob {sha256[:12]}…: more than the {size} bytes declared")
        digest.update(chunk)
        write(chunk)
    if written != size:
        raise StoreError(f"refused to store blob {sha256[:12]}…: {written} bytes, not the {size} declared")
    actual = digest.hexdigest()
    if actual != sha256:
        raise StoreError(f"refused to store blob {sha256[:12]}…: its content has SHA-256 {actual[:12]}…")
