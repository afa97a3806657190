"""State periods: one row per stay of an application in a state (time-in-state reports)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, UTCDateTime
from ims.store.models._common import NAME


class StatePeriod(Base):
    """An application's stay in ``state``, from ``entered_at`` to ``exited_at``.

    Written in the transaction of the move: creating an application opens the initial
    state's period; every transition closes the open period (``exited_at``, ``seconds`` of
    wall-clock time, the transition and the next state) and opens the next one.  Hold
    states get periods like any other.  ``exited_at IS NULL`` marks the current period.
    """

    __tablename__ = "state_periods"
    __table_args__ = (
        Index(None, "workflow", "state", "entered_at"),
        # the time-in-state report: stays ended in a period, read from the index alone
        Index(None, "exited_at", "workflow", "state", "seconds"),
        # the open period of an application (one; closed by the next move), found in one step
        Index(
            "ix_state_periods_open",
            "application_id",
            sqlite_where=text("exited_at IS NULL"),
            postgresql_where=text("exited_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    workflow: Mapped[str] = mapped_column(NAME, nullable=False)
    state: Mapped[str] = mapped_column(NAME, nullable=False)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    exited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    exit_transition: Mapped[str | None] = mapped_column(NAME, nullable=True)
    next_state: Mapped[str | None] = mapped_column(NAME, nullable=True)
