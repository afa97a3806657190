"""SQL pieces the built-in reports share: period buckets, date ranges, durations, percentiles.

Everything here builds SQLAlchemy expressions; nothing loads rows.  The two
databases differ in three places, each handled once here:

* period labels: PostgreSQL truncates in the configured time zone
  (``date_trunc(.., ts AT TIME ZONE zone)``); SQLite has no zone database, so it
  shifts by the zone's UTC offset at the start of the report (exact for zones
  without daylight saving, such as the reference deployment's America/Paramaribo).
* durations between two timestamps (``extract(epoch ..)`` vs ``julianday``);
* percentiles: PostgreSQL's ``percentile_cont``; on SQLite the same linear
  interpolation from ``row_number()`` and ``count()`` window functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Integer, case, cast, func, literal

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import KeyedColumnElement

    from ims.hooks.protocols import Period, ReportParams

__all__ = [
    "Dialect",
    "dialect",
    "hours",
    "in_range",
    "one_decimal",
    "percentile_of_window",
    "seconds_between",
]


@dataclass(frozen=True)
class Dialect:
    """The database a report runs on, and the office's time zone."""

    name: str  # "sqlite" | "postgresql"
    zone: ZoneInfo
    #: the moment whose UTC offset SQLite uses for period labels
    anchor: datetime

    @property
    def is_pg(self) -> bool:
        return self.name == "postgresql"

    def period(self, column: Any, period: Period) -> ColumnElement[str]:
        """The label of the week (its Monday, ``YYYY-MM-DD``) or month (``YYYY-MM``) of ``column``."""
        if self.is_pg:
            local = func.timezone(self.zone.key, column)
            if period == "week":
                return func.to_char(func.date_trunc("week", local), "YYYY-MM-DD")
            return func.to_char(func.date_trunc("month", local), "YYYY-MM")
        offset = self.zone.utcoffset(self.anchor.replace(tzinfo=None))
        shift = f"{int(offset.total_seconds() // 60) if offset else 0:+d} minutes"
        if period == "week":
            return func.date(column, shift, "-6 days", "weekday 1")
        return func.strftime("%Y-%m", column, shift)


def dialect(session: Session, ims: Any, params: ReportParams) -> Dialect:
    zone = ZoneInfo(ims.config.settings.timezone)
    anchor = params.date_from or ims.runtime.now()
    return Dialect(session.get_bind().dialect.name, zone, anchor.astimezone(zone))


def in_range(column: Any, params: ReportParams) -> list[ColumnElement[bool]]:
    """``date_from <= column < date_to`` for the bounds that are set."""
    out: list[ColumnElement[bool]] = []
    if params.date_from is not None:
        out.append(column >= params.date_from)
    if params.date_to is not None:
        out.append(column < params.date_to)
    return out


def seconds_between(d: Dialect, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in seconds (a float; a numeric on PostgreSQL)."""
    if d.is_pg:
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def hours(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """Seconds as hours (NULL stays NULL); :func:`one_decimal` rounds the fetched value."""
    return cast(value, Float) / 3600.0


def one_decimal(value: Any) -> float | None:
    """A fetched number rounded to one decimal, for display (rounding in Python, after the
    aggregate, is the same on both databases: PostgreSQL has no ``round(double, int)``)."""
    return None if value is None else round(float(value), 1)


def percentile_of_window(
    p: float, value: KeyedColumnElement[Any], rn: KeyedColumnElement[Any], n: KeyedColumnElement[Any]
) -> ColumnElement[float]:
    """``percentile_cont(p)`` over a group, from a subquery's 0-based ``rn`` (ordered by ``value``) and ``n``.

    The linear interpolation between the two rows around position ``p * (n - 1)``,
    as an aggregate: every other row of the group contributes 0.  ``CAST(.. AS
    INTEGER)`` truncates on SQLite, which is the floor of a non-negative number.
    """
    position = (n - 1) * literal(p)
    low = cast(position, Integer)
    frac = position - low
    return func.sum(
        case(
            (rn == low, value * (1 - frac)),
            (rn == low + 1, value * frac),
            else_=0.0,
        )
    )
