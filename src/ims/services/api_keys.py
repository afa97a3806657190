"""API keys for service accounts (``ims.api_keys``, ``ims users api-key``).

A key looks like ``ims_<prefix>_<secret>``: ``prefix`` (10 characters) finds the
row, and only the SHA-256 of the whole key is stored, compared in constant time.
The key is shown once, when it is made.  A revoked key, or the key of an inactive
user, authenticates nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ims.errors import NotFound, ValidationFailed
from ims.services._actors import SYSTEM, ActorLike, require_permission, resolve_actor
from ims.services._records import record_system
from ims.store.models import ApiKey, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime

#: Every key starts with this, so a leaked key is easy to recognise (and to scan for).
KEY_PREFIX = "ims_"
_PREFIX_LENGTH = 10
#: ``last_used_at`` is written at most this often per key (a write per request costs more than the check).
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class NewApiKey:
    """A key just made: ``key`` is the secret, shown this once."""

    key: str
    info: ApiKeyView


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def create(
        self, username: str, name: str, *, actor: ActorLike = SYSTEM, session: Session | None = None
    ) -> NewApiKey:
        """Make a key for ``username`` (who must exist); needs ``users.manage``."""
        name = name.strip()
        if not name or len(name) > 100:
            raise ValidationFailed(
                "the key's name", ["give a name of 1 to 100 characters (what uses the key)"]
            )
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "creating an API key")
            user = _user(s, username)
            prefix = secrets.token_hex(_PREFIX_LENGTH // 2)
            key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
            row = ApiKey(user_id=user.id, name=name, prefix=prefix, hash=hash_key(key), created_at=now)
            s.add(row)
            s.flush()
            record_system(
                s, who, "api-key-created", {"username": username, "key_id": row.id, "name": name}, now
            )
            return NewApiKey(key, _view(row, username))

    def list(
        self, username: str | None = None, *, actor: ActorLike = SYSTEM, session: Session | None = None
    ) -> list[ApiKeyView]:
        rt = self._rt
        query = select(ApiKey, User.username).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id)
        if username is not None:
            query = query.where(User.username == username)
        with rt.reading(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "listing API keys")
            return [_view(k, u) for k, u in s.execute(query).all()]

    def revoke(self, key_id: int, *, actor: ActorLike = SYSTEM, session: Session | None = None) -> ApiKeyView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "revoking an API key")
            found = s.execute(
                select(ApiKey, User.username).join(User, User.id == ApiKey.user_id).where(ApiKey.id == key_id)
            ).first()
            if found is None:
                raise NotFound(f"API key {key_id} does not exist")
            row, username = found
            if row.revoked_at is None:
                row.revoked_at = now
                record_system(s, who, "api-key-revoked", {"username": username, "key_id": key_id}, now)
            return _view(row, username)

    def authenticate(self, key: str) -> str | None:
        """The username a valid, unrevoked key belongs to (the user's activity is checked by the caller)."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + _PREFIX_LENGTH]
        rt = self._rt
        now = rt.now()
        with rt.transaction() as s:
            found = s.execute(
                select(ApiKey.id, ApiKey.hash, ApiKey.revoked_at, ApiKey.last_used_at, User.username)
                .join(User, User.id == ApiKey.user_id)
                .where(ApiKey.prefix == prefix)
            ).first()
            if found is None or found.revoked_at is not None:
                return None
            if not hmac.compare_digest(found.hash, hash_key(key)):
                return None
            if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
                s.execute(update(ApiKey).where(ApiKey.id == found.id).values(last_used_at=now))
            return str(found.username)


def _user(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    return user


def _view(row: ApiKey, username: str) -> ApiKeyView:
    return ApiKeyView(
        row.id, username, row.name, row.prefix, row.created_at, row.revoked_at, row.last_used_at
    )
