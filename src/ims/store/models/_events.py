"""Workflow history: one row per applied action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, BigIntPK, JSONType
from ims.store.models._common import NAME, USERNAME, created_at_column


class WorkflowEvent(Base):
    """An action applied to an application (``from_state`` is NULL for the creation)."""

    __tablename__ = "workflow_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action: Mapped[str] = mapped_column(NAME, nullable=False)
    from_state: Mapped[str | None] = mapped_column(NAME, nullable=True)
    to_state: Mapped[str] = mapped_column(NAME, nullable=False)
    actor: Mapped[str] = mapped_column(USERNAME, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = created_at_column()
