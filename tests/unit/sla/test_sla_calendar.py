"""Business-calendar arithmetic: weekends, holidays, outside working hours, a time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ims.sla import BusinessCalendar, parse_clock

SR = ZoneInfo("America/Paramaribo")  # UTC-3 all year: no daylight saving time


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SR)  # type: ignore[misc]


@pytest.fixture
def office() -> BusinessCalendar:
    """Mon-Fri 07:00-15:00 in Paramaribo; Wednesday 2026-11-25 (Independence Day) is a holiday."""
    return BusinessCalendar.build(
        timezone="America/Paramaribo",
        working_days=["mon", "tue", "wed", "thu", "fri"],
        start="07:00",
        end="15:00",
        holidays=["2026-11-25"],
    )


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(local(2026, 11, 23, 9, 0), 2, local(2026, 11, 23, 11, 0), id="within-a-day"),
        pytest.param(local(2026, 11, 23, 14, 0), 2, local(2026, 11, 24, 8, 0), id="over-the-night"),
        pytest.param(local(2026, 11, 23, 5, 0), 1, local(2026, 11, 23, 8, 0), id="before-opening"),
        pytest.param(local(2026, 11, 23, 18, 0), 1, local(2026, 11, 24, 8, 0), id="after-closing"),
        pytest.param(local(2026, 11, 27, 14, 0), 2, local(2026, 11, 30, 8, 0), id="over-the-weekend"),
        pytest.param(local(2026, 11, 28, 10, 0), 8, local(2026, 11, 30, 15, 0), id="from-a-saturday"),
        pytest.param(local(2026, 11, 24, 14, 0), 2, local(2026, 11, 26, 8, 0), id="over-a-holiday"),
        pytest.param(local(2026, 11, 23, 15, 0), 8, local(2026, 11, 24, 15, 0), id="at-closing-time"),
        # 48 working hours = 6 working days: Mon, Tue, (Wednesday holiday), Thu, Fri, Mon, Tue
        pytest.param(local(2026, 11, 23, 7, 0), 48, local(2026, 12, 1, 15, 0), id="48-working-hours"),
        pytest.param(local(2026, 11, 23, 9, 30), 0, local(2026, 11, 23, 9, 30), id="zero"),
    ],
)
def test_add_working_hours(
    office: BusinessCalendar, start: datetime, hours: float, expected: datetime
) -> None:
    assert office.add(start, hours) == expected
    # the result is aware and the same instant in any zone
    assert office.add(start.astimezone(UTC), hours) == expected


def test_time_zone_offsets_working_hours(office: BusinessCalendar) -> None:
    # 09:00 UTC is 06:00 in Paramaribo: before opening, so one hour later is 08:00 local = 11:00 UTC
    assert office.add(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 1) == datetime(
        2026, 11, 23, 11, 0, tzinfo=UTC
    )


def test_between_counts_only_working_time(office: BusinessCalendar) -> None:
    assert office.between(local(2026, 11, 23, 9, 0), local(2026, 11, 23, 11, 0)) == 2
    # Friday 14:00 to Monday 08:00: one hour on Friday and one on Monday
    assert office.between(local(2026, 11, 27, 14, 0), local(2026, 11, 30, 8, 0)) == 2
    # a whole week with a holiday: four working days
    assert office.between(local(2026, 11, 23, 0, 0), local(2026, 11, 30, 0, 0)) == 32
    assert office.between(local(2026, 11, 28, 0, 0), local(2026, 11, 29, 23, 0)) == 0  # weekend
    assert office.between(local(2026, 11, 23, 11, 0), local(2026, 11, 23, 9, 0)) == -2


def test_far_away_skips_weeks_exactly() -> None:
    calendar = BusinessCalendar.build(timezone="UTC", start="08:00", end="16:00", holidays=["2027-03-01"])
    start = datetime(2026, 11, 23, 8, tzinfo=UTC)
    # 1,000 working hours = 125 working days = 25 weeks, plus the holiday: one day more
    assert calendar.add(start, 1000) == datetime(2027, 5, 17, 16, tzinfo=UTC)
    assert calendar.between(start, calendar.add(start, 1000)) == 1000


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    hours=st.floats(min_value=0, max_value=600, allow_nan=False),
)
def test_add_and_between_agree(start: datetime, hours: float) -> None:
    calendar = BusinessCalendar.build(
        timezone="America/Paramaribo", start="07:00", end="15:00", holidays=["2026-12-25", "2027-01-01"]
    )
    begin = start.replace(tzinfo=UTC)
    end = calendar.add(begin, hours)
    assert end >= begin
    assert calendar.between(begin, end) == pytest.approx(hours, abs=1e-6)
    if hours > 0:  # the deadline itself lies inside working time
        moment = end.astimezone(SR)
        assert calendar.is_working_day(moment.date())
        assert parse_clock("07:00") <= moment.time() <= parse_clock("15:00")


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="start before they end"):
        BusinessCalendar.build(start="15:00", end="07:00")
    with pytest.raises(ValueError, match="at least one working day"):
        BusinessCalendar.build(working_days=[])
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock("7am")
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock("24:30")
    with pytest.raises(ValueError, match="must not be negative"):
        BusinessCalendar.build().add(datetime(2026, 1, 1, tzinfo=UTC), -1)


def test_holidays_and_weekends() -> None:
    calendar = BusinessCalendar.build(
        working_days=["mon", "tue", "wed", "thu", "fri", "sat"], holidays=[date(2026, 12, 25)]
    )
    assert calendar.is_working_day(date(2026, 11, 28))  # a Saturday, a working day here
    assert not calendar.is_working_day(date(2026, 11, 29))  # Sunday
    assert not calendar.is_working_day(date(2026, 12, 25))
    assert calendar.add(datetime(2026, 11, 28, 15, tzinfo=UTC), 2) == datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_wall_clock_has_no_gaps() -> None:
    calendar = BusinessCalendar.build(
        timezone="UTC",
        working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        start="00:00",
        end="24:00",
    )
    start = datetime(2026, 11, 27, 13, tzinfo=UTC)
    assert calendar.add(start, 72) == start + timedelta(hours=72)
