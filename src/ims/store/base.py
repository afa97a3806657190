"""Declarative base, naming convention and the column types every model uses.

* :class:`Base` carries a ``MetaData`` with a naming convention, so every index and
  constraint has a stable name that Alembic (and SQLite batch mode) can drop or re-create.
* :class:`UTCDateTime` stores UTC and always returns timezone-aware UTC datetimes, on
  SQLite (which has no timezone type) as on PostgreSQL (``timestamptz``).  Naive
  datetimes are refused: a timestamp without a zone is a bug waiting to happen.
* :data:`JSONType` is ``JSONB`` on PostgreSQL and ``JSON`` on SQLite.  Python ``None``
  is stored as SQL ``NULL``.  JSON columns are not mutation-tracked: assign a new value
  (``app.data = {**app.data, "x": 1}``) instead of changing the dict in place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = [
    "NAMING_CONVENTION",
    "Base",
    "BigIntPK",
    "JSONType",
    "UTCDateTime",
    "utcnow",
]

#: Names for indexes and constraints (see Alembic's "The Importance of Naming Constraints").
#: Check constraints must be given a short ``name=`` which becomes ``ck_<table>_<name>``.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (column defaults; services pass ``now`` instead)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime(timezone=True)`` that stores UTC and returns aware UTC datetimes.

    On SQLite the value is stored as naive UTC text with microseconds (so text order is
    time order); on PostgreSQL as ``timestamptz``.  Reading converts either back to an
    aware datetime in UTC.  Binding a naive datetime raises ``ValueError``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: pass a timezone-aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: JSON on SQLite, JSONB on PostgreSQL; ``None`` is SQL NULL.
JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

#: A 64-bit primary key on PostgreSQL that is still SQLite's ``INTEGER PRIMARY KEY`` (rowid).
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Base of every ims table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}
