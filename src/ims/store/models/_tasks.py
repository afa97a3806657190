"""Work items opened for a state, with an SLA due time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType, UTCDateTime
from ims.store.models._common import NAME, STATUS, USERNAME, created_at_column, status_check

TASK_STATUSES = ("PENDING", "IN_PROGRESS", "COMPLETED", "OVERDUE", "CANCELLED")


class Task(Base):
    """A task for ``roles`` (or one ``assignee``) while the application is in ``state``.

    ``title`` is the label rendered in the deployment's language when the task opened.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        Index(None, "status", "due_at"),
        Index(None, "assignee", "status"),
        status_check("status", TASK_STATUSES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[str] = mapped_column(NAME, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    roles: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    assignee: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    status: Mapped[str] = mapped_column(STATUS, nullable=False, default="PENDING")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
