"""Steps recorded on an application (control visit, technical report, ...)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType, UTCDateTime
from ims.store.models._common import (
    NAME,
    STATUS,
    USERNAME,
    created_at_column,
    status_check,
    updated_at_column,
)

STEP_STATUSES = ("PENDING", "COMPLETED")


class ApplicationStep(Base):
    """At most one row per (application, step); services open it with ``ims.services._effects.open_step``."""

    __tablename__ = "application_steps"
    __table_args__ = (
        UniqueConstraint("application_id", "step_name"),
        status_check("status", STEP_STATUSES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False
    )
    step_name: Mapped[str] = mapped_column(NAME, nullable=False)
    status: Mapped[str] = mapped_column(STATUS, nullable=False, default="PENDING")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    completed_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
