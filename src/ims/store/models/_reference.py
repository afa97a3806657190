"""Reference data: coded values by category (districts, marital status, ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Integer, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType
from ims.store.models._common import NAME


class ReferenceValue(Base):
    """The value ``code`` of ``category`` with its labels and display order."""

    __tablename__ = "reference_values"
    __table_args__ = (UniqueConstraint("category", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(NAME, nullable=False)
    code: Mapped[str] = mapped_column(NAME, nullable=False)
    label: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
