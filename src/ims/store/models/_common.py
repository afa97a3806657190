"""Column helpers shared by the model modules (lengths fit PostgreSQL and SQLite alike)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import UTCDateTime, utcnow

#: Usernames (users.username, actors, assignees, applicants).
USERNAME = String(150)
#: Names from the configuration: workflows, states, actions, steps, roles, templates.
NAME = String(100)
#: Status columns; their values are checked by :func:`status_check`.
STATUS = String(20)


def created_at_column(*, index: bool = False) -> Mapped[datetime]:
    """``created_at``: NOT NULL; defaults to the wall clock (services pass ``now``)."""
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=index)


def updated_at_column() -> Mapped[datetime]:
    """``updated_at``: NOT NULL; wall clock on insert and on update unless set explicitly."""
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


def status_check(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """``CHECK (column IN (...))`` named ``ck_<table>_<column>`` by the naming convention."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)
