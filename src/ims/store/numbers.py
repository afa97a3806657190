"""Application numbers such as ``BS-2026-000042``, unique under concurrency.

A number comes from a counter row ``number_sequences(name, period)`` incremented in
place (``UPDATE ... SET value = value + 1 ... RETURNING value``).  The UPDATE locks the
row until the caller's transaction ends, so concurrent callers queue on it and each
gets the next value; a rolled-back transaction gives its number back, so numbers have
no gaps.  The price: transactions that take a number from the same counter run one
after the other from that point on, so take the number late in the transaction.
"""

from __future__ import annotations

from datetime import datetime
from string import Formatter

from sqlalchemy import update
from sqlalchemy.orm import Session

from ims.store._dialect import upsert_insert
from ims.store.db import wrap_errors
from ims.store.models import NumberSequence

__all__ = ["next_number", "pattern_fields"]

_ALLOWED_FIELDS = frozenset({"year", "seq"})


def pattern_fields(pattern: str) -> set[str]:
    """The placeholders of ``pattern``.

    Raises:
        ValueError: a placeholder other than ``{year}`` and ``{seq}`` (with an optional
            format spec such as ``{seq:06d}``), or no ``{seq}`` at all.
    """
    try:
        fields = {name for _, name, _, _ in Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValueError(f"number pattern {pattern!r} is malformed: {exc}") from None
    unknown = fields - _ALLOWED_FIELDS
    if unknown:
        raise ValueError(
            f"number pattern {pattern!r} has unknown placeholders {sorted(unknown)}; "
            "use {year} and {seq} (e.g. {seq:06d})"
        )
    if "seq" not in fields:
        raise ValueError(f"number pattern {pattern!r} needs a {{seq}} placeholder")
    return fields


def next_number(session: Session, *, name: str, pattern: str, now: datetime) -> str:
    """Allocate the next number of sequence ``name`` and format it with ``pattern``.

    With ``{year}`` in the pattern the counter restarts every year (period = the year
    of ``now``; pass ``now`` in the office's timezone if the year should turn at local
    midnight); without it, one counter runs forever (period ``'all'``).

    Raises:
        ValueError: a bad pattern (see :func:`pattern_fields`).
        StoreError: the database failed.
    """
    fields = pattern_fields(pattern)
    period = str(now.year) if "year" in fields else "all"
    bump = (
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.period == period)
        .values(value=NumberSequence.value + 1)
        .returning(NumberSequence.value)
        .execution_options(synchronize_session=False)
    )
    with wrap_errors(f"allocating a number from sequence {name!r}"):
        value = session.execute(bump).scalar_one_or_none()
        if value is None:
            create = (
                upsert_insert(session, NumberSequence)
                .values(name=name, period=period, value=0)
                .on_conflict_do_nothing(index_elements=["name", "period"])
            )
            session.execute(create)
            value = session.execute(bump).scalar_one()
    return pattern.format(year=now.year, seq=value)
