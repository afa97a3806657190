"""Counters behind application numbers (see :func:`ims.store.numbers.next_number`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base
from ims.store.models._common import NAME


class NumberSequence(Base):
    """The last number handed out for ``name`` in ``period`` (a year, or ``'all'``)."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(NAME, primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
