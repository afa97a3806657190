"""The tamper-evident audit log (see :mod:`ims.store.audit` for how rows are written)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, BigIntPK, JSONType, UTCDateTime
from ims.store.models._common import NAME, USERNAME


class AuditLog(Base):
    """One audit row, number ``seq`` in ``chain`` (``'application:42'`` or ``'system'``).

    ``application_id`` has no foreign key on purpose: audit rows outlive the
    applications they describe (10 years against 7).
    """

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    chain: Mapped[str] = mapped_column(String(100), nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(USERNAME, nullable=False)
    action: Mapped[str] = mapped_column(NAME, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
