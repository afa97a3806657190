"""Applications (cases): the row a workflow moves from state to state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType, UTCDateTime
from ims.store.models._common import NAME, USERNAME, created_at_column, updated_at_column


class Application(Base):
    """One application.

    ``version`` is SQLAlchemy's ``version_id_col``: every UPDATE checks and bumps it, so
    a concurrent edit raises ``StaleDataError`` (``Conflict`` through ``wrap_errors``).
    """

    __tablename__ = "applications"
    __table_args__ = (
        Index(None, "workflow", "state"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    workflow: Mapped[str] = mapped_column(NAME, nullable=False)
    workflow_version: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(NAME, nullable=False, index=True)
    previous_state: Mapped[str | None] = mapped_column(NAME, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    assignee: Mapped[str | None] = mapped_column(USERNAME, nullable=True, index=True)
    applicant: Mapped[str | None] = mapped_column(USERNAME, nullable=True, index=True)
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=3, server_default="3")
    created_by: Mapped[str] = mapped_column(USERNAME, nullable=False)
    created_at: Mapped[datetime] = created_at_column(index=True)
    updated_at: Mapped[datetime] = updated_at_column()
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: ``data["district"]`` (or ``data["applicant"]["district"]``) copied into a column, so
    #: reports filter and group by district in SQL; kept equal on create and every data update
    district: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)

    __mapper_args__ = {"version_id_col": version}
