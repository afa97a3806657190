"""Signed, expiring download links (itsdangerous), and the key that signs them.

A token carries the document's id, its SHA-256 and the user it was issued to, signed
with the deployment's secret key and a timestamp (salt ``ims-document-download``).
It is a short-lived capability, not an identity: at download time ims checks again
that the user is active and may still read the document.

The key is ``settings.secret_key`` (or ``IMS_SECRET_KEY``).  When neither is set, a
random key is generated once and kept in ``<data_dir>/secret_key``, readable only by
its owner (mode 0600); every process of the deployment then shares it.  Deleting
that file invalidates every link issued so far.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ims.errors import ImsError, PermissionDenied

if TYPE_CHECKING:
    from ims.config.models import Settings

SALT = "ims-document-download"
#: The file under ``data_dir`` holding the generated key.
SECRET_KEY_FILE = "secret_key"


@dataclass(frozen=True)
class DownloadClaim:
    """What a verified token says."""

    document_id: int
    sha256: str
    username: str


class DownloadTokens:
    """Issues and verifies download tokens.

    Args:
        secret_key: the signing key; a list rotates keys (the last one signs, all verify).
        ttl_seconds: how long a token stays valid.
        clock: "now" (aware UTC); defaults to the system clock.  Tokens carry whole seconds.
    """

    def __init__(
        self,
        secret_key: str | bytes | list[str],
        *,
        ttl_seconds: int,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        from itsdangerous import URLSafeTimedSerializer
        from itsdangerous.timed import TimestampSigner

        self.ttl_seconds = ttl_seconds
        now: Callable[[], float] = time.time if clock is None else (lambda: clock().timestamp())

        class _Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(now())

        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT, signer=_Signer)

    def issue(self, document_id: int, sha256: str, username: str) -> str:
        return self._serializer.dumps({"doc": document_id, "sha256": sha256, "u": username})

    def verify(self, token: str) -> DownloadClaim:
        """The claim of a valid, unexpired token.

        Raises:
            PermissionDenied: the token expired, or is not one ims signed.
        """
        from itsdangerous import BadSignature, SignatureExpired

        try:
            data: Any = self._serializer.loads(token, max_age=self.ttl_seconds)
        except SignatureExpired as exc:
            signed = exc.date_signed.strftime("%Y-%m-%d %H:%M UTC") if exc.date_signed else "?"
            raise PermissionDenied(
                f"the download link expired (issued {signed}, valid for "
                f"{self.ttl_seconds} seconds); ask for a new one"
            ) from None
        except BadSignature:
            raise PermissionDenied(
                "the download link is not valid (altered, or signed with another key)"
            ) from None
        try:
            return DownloadClaim(int(data["doc"]), str(data["sha256"]), str(data["u"]))
        except (TypeError, KeyError, ValueError):
            raise PermissionDenied("the download link is not valid (unknown content)") from None


def secret_key(settings: Settings) -> str:
    """The key signing download links: the setting, else the one kept in ``data_dir``.

    The file is created on first use, atomically (a temporary file hard-linked into
    place), so processes starting together agree on one key.
    """
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / SECRET_KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{SECRET_KEY_FILE}.{secrets.token_hex(8)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 16:
        raise ImsError(
            f"{path} holds no usable secret key (fewer than 16 characters); delete it to "
            "generate a new one, or set IMS_SECRET_KEY"
        )
    return key
