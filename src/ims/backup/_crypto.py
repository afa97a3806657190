"""Optional encryption of an archive: AES-256-GCM in 1 MiB chunks (the STREAM construction).

Layout: a header, then chunks.  Header (``HEADER_SIZE`` bytes)::

    magic "IMSENC01" | kdf (1 = scrypt passphrase, 2 = key file) | log2(N) | r | p
    | salt (16) | nonce prefix (7)

Every chunk is AES-GCM over at most ``CHUNK`` plaintext bytes with the nonce
``prefix || counter (4, big-endian) || last (1)`` and the header as associated
data; the final chunk (possibly empty) has ``last = 1``.  So a wrong key, a flipped
byte, reordered or dropped chunks and a truncated file all fail authentication;
truncation at a chunk boundary is caught because the last chunk then lacks the flag.

The key: scrypt (N = 2**17, r = 8, p = 1, OWASP's recommendation) of the passphrase,
or HKDF-SHA256 of a key file's bytes (at least 32), both with the random salt.
The primitives come from ``cryptography`` (PyCA), installed with ``ims[encryption]``.
"""

from __future__ import annotations

import os
import struct
from typing import IO, TYPE_CHECKING, Any

from ims.backup._errors import ArchiveError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["CHUNK", "HEADER_SIZE", "MAGIC", "DecryptingReader", "EncryptingWriter", "Secret"]

MAGIC = b"IMSENC01"
CHUNK = 1024 * 1024
TAG = 16
_HEAD = struct.Struct(">8sBBBB16s7s")
HEADER_SIZE = _HEAD.size
_KDF_PASSPHRASE = 1
_KDF_KEYFILE = 2
_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P = 17, 8, 1
_MIN_KEYFILE = 32


class Secret:
    """A passphrase or the bytes of a key file (exactly one)."""

    def __init__(self, *, passphrase: str | None = None, key_file: str | os.PathLike[str] | None = None):
        if (passphrase is None) == (key_file is None):
            raise ValueError("give a passphrase or a key file, not both")
        self.passphrase = passphrase
        self.key_bytes: bytes | None = None
        if key_file is not None:
            try:
                with open(key_file, "rb") as f:
                    self.key_bytes = f.read()
            except OSError as exc:
                raise ArchiveError(f"cannot read the key file {key_file}: {exc.strerror}") from exc
            if len(self.key_bytes) < _MIN_KEYFILE:
                raise ArchiveError(
                    f"the key file {key_file} holds {len(self.key_bytes)} bytes; it needs at least "
                    f"{_MIN_KEYFILE} random bytes (head -c 32 /dev/urandom > {key_file})"
                )
        if passphrase is not None and not passphrase:
            raise ArchiveError("the passphrase is empty")

    @property
    def kdf(self) -> int:
        return _KDF_PASSPHRASE if self.passphrase is not None else _KDF_KEYFILE


def _aesgcm() -> Any:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ArchiveError(
            "encrypted archives need the cryptography package: pip install 'ims[encryption]'"
        ) from exc
    return AESGCM


def _derive(secret: Secret, kdf: int, log2_n: int, r: int, p: int, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    if kdf == _KDF_PASSPHRASE:
        if secret.passphrase is None:
            raise ArchiveError(
                "the archive is encrypted with a passphrase; give the passphrase, not a key file"
            )
        if not 10 <= log2_n <= 22:
            raise ArchiveError("the archive's encryption header is damaged (scrypt cost out of range)")
        return Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p).derive(secret.passphrase.encode("utf-8"))
    if kdf == _KDF_KEYFILE:
        if secret.key_bytes is None:
            raise ArchiveError(
                "the archive is encrypted with a key file; give the key file, not a passphrase"
            )
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"ims-backup").derive(
            secret.key_bytes
        )
    raise ArchiveError("the archive's encryption header is damaged (unknown key derivation)")


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise ArchiveError("archive too large for one encryption stream (4 PiB)")
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """A binary file-like object that encrypts what is written to ``raw``."""

    def __init__(self, raw: IO[bytes], secret: Secret) -> None:
        aesgcm_cls = _aesgcm()
        salt, prefix = os.urandom(16), os.urandom(7)
        self._header = _HEAD.pack(MAGIC, secret.kdf, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P, salt, prefix)
        key = _derive(secret, secret.kdf, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P, salt)
        self._aes: AESGCM = aesgcm_cls(key)
        self._raw = raw
        self._prefix = prefix
        self._counter = 0
        self._buffer = bytearray()
        raw.write(self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # strictly more: the last chunk is written by close()
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._raw.write(self._aes.encrypt(nonce, plain, self._header))
        self._counter += 1

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        """Write the final chunk (does not close ``raw``)."""
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._raw.flush()


class DecryptingReader:
    """A binary file-like object reading the plaintext of an encrypted archive.

    Raises :class:`ArchiveError` on a wrong key (first chunk), damage or truncation.
    """

    def __init__(self, raw: IO[bytes], secret: Secret) -> None:
        aesgcm_cls = _aesgcm()
        header = raw.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            raise ArchiveError("the archive is truncated (incomplete encryption header)")
        magic, kdf, log2_n, r, p, salt, prefix = _HEAD.unpack(header)
        if magic != MAGIC:
            raise ArchiveError("not an encrypted ims archive")
        self._aes: AESGCM = aesgcm_cls(_derive(secret, kdf, log2_n, r, p, salt))
        self._header = header
        self._raw = raw
        self._prefix = prefix
        self._counter = 0
        self._plain = b""
        self._pos = 0
        self._done = False
        self._pending = raw.read(CHUNK + TAG + 1)

    def _next_chunk(self) -> None:
        from cryptography.exceptions import InvalidTag

        data = self._pending
        last = len(data) <= CHUNK + TAG
        if last:
            chunk, self._pending = data, b""
        else:
            chunk = data[: CHUNK + TAG]
            self._pending = data[CHUNK + TAG :] + self._raw.read(CHUNK + TAG)
        try:
            self._plain = self._aes.decrypt(_nonce(self._prefix, self._counter, last), chunk, self._header)
        except InvalidTag:
            if self._counter == 0:
                raise ArchiveError(
                    "cannot decrypt the archive: wrong passphrase or key file, or the archive is damaged"
                ) from None
            raise ArchiveError(
                f"the archive is damaged or truncated (encrypted chunk {self._counter} fails authentication)"
            ) from None
        self._pos = 0
        self._counter += 1
        self._done = last

    def read(self, size: int = -1) -> bytes:
        parts: list[bytes] = []
        want = size if size >= 0 else None
        while want is None or want > 0:
            if self._pos >= len(self._plain):
                if self._done:
                    break
                self._next_chunk()
                continue
            take = len(self._plain) - self._pos if want is None else min(want, len(self._plain) - self._pos)
            parts.append(self._plain[self._pos : self._pos + take])
            self._pos += take
            if want is not None:
                want -= take
        return b"".join(parts)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        pass
