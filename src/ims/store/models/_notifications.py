"""Notifications: the transactional outbox and, for channel ``inbox``, the in-app inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, BigIntPK, JSONType, UTCDateTime
from ims.store.models._common import NAME, STATUS, USERNAME, created_at_column, status_check

NOTIFICATION_STATUSES = ("PENDING", "SENT", "FAILED", "DEAD")


class Notification(Base):
    """One message to deliver, written in the same transaction as the change it reports.

    A worker picks ``PENDING``/``FAILED`` rows whose ``next_attempt_at`` is NULL (due at
    once) or ``<= now`` (index ``(status, next_attempt_at)``); moving ``next_attempt_at``
    forward when it claims a row works as a lease.  Rows delivered at once (the in-app
    inbox) are written ``SENT`` with ``next_attempt_at`` NULL.  ``idempotency_key`` is
    unique, so enqueueing the same event twice is a ``Conflict``, and receivers can drop
    duplicate deliveries.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "recipient", "read_at"),
        status_check("status", NOTIFICATION_STATUSES),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"), nullable=True, index=True
    )
    event: Mapped[str] = mapped_column(NAME, nullable=False)
    template: Mapped[str] = mapped_column(NAME, nullable=False)
    channel: Mapped[str] = mapped_column(String(50), nullable=False, default="inbox")
    recipient: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    recipient_role: Mapped[str | None] = mapped_column(NAME, nullable=True)
    subject: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(STATUS, nullable=False, default="PENDING")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The last delivery error, for FAILED and DEAD rows.
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
