"""The ims tables, taken from the SQLAlchemy metadata (so new tables are included by themselves)."""

from __future__ import annotations

from sqlalchemy import Table

__all__ = ["ims_tables"]


def ims_tables() -> list[Table]:
    """Every ims table in foreign-key dependency order (parents first)."""
    from ims.store import models  # noqa: F401  (fills the metadata)
    from ims.store.base import Base

    return list(Base.metadata.sorted_tables)
