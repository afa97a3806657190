"""Work items opened for a state, with an SLA due time, and the notices the SLA sweep sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType, UTCDateTime
from ims.store.models._common import NAME, STATUS, USERNAME, created_at_column, status_check

TASK_STATUSES = ("PENDING", "IN_PROGRESS", "COMPLETED", "OVERDUE", "CANCELLED")
#: statuses of a task still to be done (the work queues show these)
OPEN_TASK_STATUSES = ("PENDING", "IN_PROGRESS", "OVERDUE")
SLA_NOTICE_KINDS = ("WARNING", "BREACH", "ESCALATION")
#: the condition of the partial index ``ix_tasks_open_unassigned``
OPEN_UNASSIGNED = "assignee IS NULL AND status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE')"


class Task(Base):
    """A task for ``roles`` (or one ``assignee``) while the application is in ``state``.

    ``title`` is the label rendered in the deployment's language when the task opened.

    SLA columns (see docs/reference/tasks-and-sla.md):

    * ``due_at`` / ``warn_at``: when the SLA breaches / the warning is due (``None``: no SLA);
    * ``breached_at``: the first moment the task was past due (set by the sweep, or on
      completion when it finished late before any sweep saw it);
    * ``next_check_at``: the next moment a warning, breach or escalation falls due, ``None``
      when nothing more can fire (closed, paused, or every notice sent).  The sweep reads
      only rows with ``next_check_at <= now``, through its index;
    * ``paused_at`` / ``paused_seconds``: while the application is on hold the clock stops;
      on resume ``due_at`` moves on by the paused SLA time, added to ``paused_seconds``.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        Index(None, "status", "due_at"),
        Index(None, "assignee", "status"),
        Index(None, "next_check_at"),
        Index(None, "workflow", "state", "created_at"),
        # the SLA compliance report: completed tasks of a period, read from the index alone
        Index(None, "status", "completed_at", "workflow", "state", "breached_at"),
        # the dashboard's "unassigned in my roles": open tasks nobody took, by state
        Index(
            "ix_tasks_open_unassigned",
            "workflow",
            "state",
            postgresql_where=text(OPEN_UNASSIGNED),
            sqlite_where=text(OPEN_UNASSIGNED),
        ),
        status_check("status", TASK_STATUSES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    workflow: Mapped[str] = mapped_column(NAME, nullable=False)
    state: Mapped[str] = mapped_column(NAME, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    roles: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    assignee: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    status: Mapped[str] = mapped_column(STATUS, nullable=False, default="PENDING")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paused_seconds: Mapped[float] = mapped_column(Float, nullable=False, default=0.0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)


class TaskRole(Base):
    """One row per role of a task: the work queues find "unassigned in my roles" by index.

    ``tasks.roles`` keeps the list for display; this table is what the queue queries join.
    """

    __tablename__ = "task_roles"
    __table_args__ = (Index(None, "role", "task_id"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(NAME, primary_key=True)


class SlaNotice(Base):
    """A warning, breach or escalation level sent for a task: at most one of each.

    Written in the same transaction as its notification rows; the unique key is what
    makes a notice fire exactly once, whatever sweeps run, rerun or crash.
    """

    __tablename__ = "sla_notices"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "level"),
        status_check("kind", SLA_NOTICE_KINDS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(STATUS, nullable=False)
    #: 0 for the warning and the breach; 1, 2, ... for the escalation levels
    level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: when it was due (by the SLA) and when the sweep sent it
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    #: usernames and roles notified
    recipients: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
