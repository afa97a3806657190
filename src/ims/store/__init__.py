"""Persistence: SQLAlchemy models, engines and sessions, migrations, audit chain, numbers.

Import the tables from :mod:`ims.store.models`; run migrations with
:mod:`ims.store.migrate`; write audit rows with :mod:`ims.store.audit`.
"""

from __future__ import annotations

from ims.store.base import Base, JSONType, UTCDateTime
from ims.store.db import (
    DatabaseKind,
    database_kind,
    make_engine,
    make_sessionmaker,
    wrap_errors,
)

__all__ = [
    "Base",
    "DatabaseKind",
    "JSONType",
    "UTCDateTime",
    "database_kind",
    "make_engine",
    "make_sessionmaker",
    "wrap_errors",
]
