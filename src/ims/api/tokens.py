"""Bearer tokens: sign (``ims users token``) and verify JWTs with PyJWT.

Tokens ims signs use HS256 with a key derived from the deployment's secret key
(``IMS_SECRET_KEY``, else the key kept in ``data_dir``), and carry ``sub`` (the
username), ``iss`` and ``aud`` (``settings.api.jwt``), ``iat`` and ``exp``.  Tokens
of an identity provider are verified with its public keys
(``settings.api.jwt.public_keys``) when their algorithm is asymmetric.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt

from ims.documents import secret_key

if TYPE_CHECKING:
    from ims.config.models import Settings

_SYMMETRIC = {"HS256", "HS384", "HS512"}


class TokenInvalid(Exception):
    """The token is not valid; the message says why (never its content)."""


def signing_key(settings: Settings) -> bytes:
    """The HS key: derived from the secret key, so a token never doubles as a download link."""
    return hmac.new(secret_key(settings).encode(), b"ims-api-jwt", hashlib.sha256).digest()


def issue(settings: Settings, username: str, *, now: datetime, ttl: timedelta | None = None) -> str:
    """A token for ``username``, valid ``ttl`` (default ``settings.api.token_ttl_minutes``)."""
    conf = settings.api
    ttl = ttl or timedelta(minutes=conf.token_ttl_minutes)
    claims: dict[str, Any] = {
        "sub": username,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if conf.jwt.issuer:
        claims["iss"] = conf.jwt.issuer
    if conf.jwt.audience:
        claims["aud"] = conf.jwt.audience
    return jwt.encode(claims, signing_key(settings), algorithm="HS256")


class TokenVerifier:
    """Verifies tokens against the configured algorithms, keys, issuer and audience."""

    def __init__(self, settings: Settings) -> None:
        conf = settings.api.jwt
        self._conf = conf
        self.username_claim = conf.username_claim
        self._keys: list[tuple[set[str], Any]] = []
        symmetric = [a for a in conf.algorithms if a in _SYMMETRIC]
        asymmetric = [a for a in conf.algorithms if a not in _SYMMETRIC]
        if symmetric:
            self._keys.append((set(symmetric), signing_key(settings)))
        if asymmetric:
            for key in conf.public_keys:
                pem = key if key.lstrip().startswith("-----BEGIN") else Path(key).read_text(encoding="ascii")
                self._keys.append((set(asymmetric), pem))

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token.

        Raises:
            TokenInvalid: bad signature, wrong algorithm (``none`` included), expired,
                wrong issuer or audience, or no username claim.
        """
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"not a JWT ({exc})") from None
        keys = [key for algorithms, key in self._keys if algorithm in algorithms]
        if not keys:
            raise TokenInvalid(f"algorithm {algorithm!r} is not accepted")
        conf = self._conf
        required = ["exp", conf.username_claim]
        failure: Exception | None = None
        for key in keys:
            try:
                return jwt.decode(
                    token,
                    key,
                    algorithms=[str(algorithm)],
                    audience=conf.audience,
                    issuer=conf.issuer,
                    leeway=conf.leeway_seconds,
                    options={"require": required, "verify_aud": conf.audience is not None},
                )
            except jwt.InvalidSignatureError as exc:
                failure = exc  # try the next key
            except jwt.PyJWTError as exc:
                raise TokenInvalid(str(exc)) from None
        raise TokenInvalid(str(failure or "signature verification failed"))
