"""``INSERT ... ON CONFLICT`` for the session's dialect (SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ims.errors import StoreError


def upsert_insert(session: Session, entity: Any) -> Any:
    """The dialect's ``insert(entity)``, which has ``on_conflict_do_nothing/_update``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(entity)
    if name == "sqlite":
        return sqlite.insert(entity)
    raise StoreError(f"unsupported database dialect {name!r}")
