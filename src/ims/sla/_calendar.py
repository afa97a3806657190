"""Business calendar: working days and hours in the office's time zone, minus holidays.

Pure arithmetic on aware datetimes, no I/O.  Working time is counted in the office's
local wall time: a working day ``mon``-``fri`` from ``start`` to ``end`` local time,
skipping holiday dates.  Days are walked one at a time (a 1,000-hour SLA on an 8-hour
day is about 180 steps: microseconds), with whole weeks skipped when the distance
is large.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Iterable

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_clock(text: str) -> time:
    """``"07:30"`` -> ``time(7, 30)``; ``"24:00"`` is the end of the day (``time.max``);
    raises ValueError for anything else."""
    minutes = _minutes(text)
    return time.max if minutes == 24 * 60 else time(minutes // 60, minutes % 60)


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"'{text}' is not a time of day HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > 24 * 60:
        raise ValueError(f"'{text}' is not a time of day HH:MM")
    return value


@dataclass(frozen=True)
class BusinessCalendar:
    """Working time: ``days`` (0 = Monday) from ``start`` to ``end`` in ``zone``, minus ``holidays``."""

    zone: ZoneInfo
    days: frozenset[int]
    #: minutes after midnight the working day starts and ends (``24 * 60``: midnight after)
    start_minute: int
    end_minute: int
    holidays: frozenset[date]

    @classmethod
    def build(
        cls,
        *,
        timezone: str = "UTC",
        working_days: Iterable[str] = WEEKDAYS[:5],
        start: str = "08:00",
        end: str = "16:00",
        holidays: Iterable[date | str] = (),
    ) -> BusinessCalendar:
        days = frozenset(WEEKDAYS.index(d) for d in working_days)
        parsed = frozenset(h if isinstance(h, date) else date.fromisoformat(h) for h in holidays)
        calendar = cls(ZoneInfo(timezone), days, _minutes(start), _minutes(end), parsed)
        if not days:
            raise ValueError("a business calendar needs at least one working day")
        if calendar.start_minute >= calendar.end_minute:
            raise ValueError(f"working hours must start before they end ({start} - {end})")
        return calendar

    # ------------------------------------------------------------------ queries

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _window(self, day: date) -> tuple[datetime, datetime]:
        """The working window of ``day`` as aware UTC datetimes."""
        midnight = datetime.combine(day, time(0), self.zone)
        opens = (midnight + timedelta(minutes=self.start_minute)).astimezone(UTC)
        closes = (midnight + timedelta(minutes=self.end_minute)).astimezone(UTC)
        return opens, closes

    def _day_seconds(self) -> float:
        return (self.end_minute - self.start_minute) * 60.0

    def add(self, moment: datetime, hours: float) -> datetime:
        """The moment ``hours`` working hours after ``moment``.

        Time outside working hours does not count: 2 working hours from Friday 15:00 on
        a 07:00-16:00 calendar is Monday 08:00 (or later, past a holiday).  ``hours == 0``
        gives ``moment`` itself.
        """
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = hours * 3600.0
        if remaining == 0:
            return moment
        day = moment.astimezone(self.zone).date()
        per_week = self._week_seconds()
        while True:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin = max(opens, moment)
                if begin < closes:
                    available = (closes - begin).total_seconds()
                    if remaining <= available:
                        return begin + timedelta(seconds=remaining)
                    remaining -= available
            day += timedelta(days=1)
            # far away: skip whole weeks without holidays (the result stays exact)
            while remaining > 2 * per_week > 0 and not self._holiday_within(day, 7):
                remaining -= per_week
                day += timedelta(days=7)

    def between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.between(end, start)
        seconds = 0.0
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._window(day)
                begin, finish = max(opens, start), min(closes, end)
                if finish > begin:
                    seconds += (finish - begin).total_seconds()
            day += timedelta(days=1)
        return seconds / 3600.0

    def _week_seconds(self) -> float:
        return self._day_seconds() * len(self.days)

    def _holiday_within(self, day: date, days: int) -> bool:
        return any(day + timedelta(days=i) in self.holidays for i in range(days))
