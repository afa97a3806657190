"""What every service needs: configuration, the engine, the database, plugins, a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ims.store.db import wrap_errors

if TYPE_CHECKING:
    from sqlalchemy import Engine as DbEngine
    from sqlalchemy.orm import Session, sessionmaker

    from ims.config.models import ImsConfig
    from ims.engine import Engine
    from ims.hooks.manager import ImsPluginManager


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    """Shared by the services of one :class:`ims.IMS`; holds no business logic."""

    config: ImsConfig
    engine: Engine
    db: DbEngine
    sessions: sessionmaker[Session]
    plugins: ImsPluginManager
    clock: Callable[[], datetime] = utcnow
    #: the :class:`ims.IMS` facade these services belong to (set by it); hooks get it as ``ims``
    ims: Any = None

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def transaction(self, session: Session | None = None) -> Iterator[Session]:
        """One database transaction, or the caller's when it passes its own session.

        Database errors leave as :class:`ims.errors.StoreError` (or ``Conflict``
        for a lost optimistic-version race); the transaction is rolled back.
        """
        if session is not None:
            yield session
            return
        with wrap_errors(), self.sessions.begin() as new_session:
            yield new_session

    @contextmanager
    def reading(self, session: Session | None = None) -> Iterator[Session]:
        """A session for reads (still a transaction: consistent snapshot)."""
        with self.transaction(session) as s:
            yield s
