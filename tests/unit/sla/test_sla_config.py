"""sla.yaml: the calendar, working hours, escalation recipients, and the errors ``ims check`` reports."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ims.config import load
from ims.errors import ConfigError
from ims.sla import SlaTimes, calendar_of

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A copy of the reference deployment, to edit."""
    for folder in ("config", "workflows", "plugins"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


def edit(office: Path, name: str, old: str, new: str) -> None:
    path = office / "config" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def issues(office: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(office / "config" / "ims.yaml", env={})
    return [issue.format() for issue in info.value.issues]


def test_reference_calendar_loads_with_its_holidays() -> None:
    config = load(REPO / "config" / "ims.yaml", env={})
    assert config.sla.calendar is not None
    calendar = calendar_of(config)
    assert calendar is not None
    assert datetime(2026, 11, 25).date() in calendar.holidays  # Independence Day
    assert config.sla.for_state("bouwsubsidie", "INTAKE_REVIEW").allowed_hours == 48  # type: ignore[union-attr]


def test_working_hours_state_counts_on_the_calendar(office: Path) -> None:
    edit(
        office,
        "sla.yaml",
        "    INTAKE_REVIEW:\n      hours: 48",
        "    INTAKE_REVIEW:\n      working_hours: 16",
    )
    config = load(office / "config" / "ims.yaml", env={})
    sla = config.sla.for_state("bouwsubsidie", "INTAKE_REVIEW")
    assert sla is not None and sla.working
    times = SlaTimes(config)
    # Tuesday 2026-11-24 14:00 local (17:00 UTC): 1 h on Tuesday, Wednesday is a holiday,
    # 8 h on Thursday, 7 h on Friday -> Friday 14:00 local; the warning (80 % = 12.8 h) on Friday 10:48
    warn, due = times.open(sla, datetime(2026, 11, 24, 17, 0, tzinfo=UTC))
    assert due == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert warn == datetime(2026, 11, 27, 13, 48, tzinfo=UTC)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        pytest.param(
            "sla.yaml",
            "    INTAKE_REVIEW:\n      hours: 48",
            "    INTAKE_REVIEW:\n      hours: 48\n      working_hours: 16",
            "error[schema]: /workflows/bouwsubsidie/INTAKE_REVIEW: give either 'hours'",
            id="both-units",
        ),
        pytest.param(
            "sla.yaml",
            "  holidays_category: holidays",
            "  holidays_category: feestdagen",
            "error[unknown-category]: /calendar/holidays_category: unknown category 'feestdagen'",
            id="unknown-holiday-category",
        ),
        pytest.param(
            "reference.yaml",
            'code: "2026-01-01"',
            'code: "New Year"',
            "error[holiday-date]: /categories/holidays/values/0/code: holiday 'New Year' of category "
            "'holidays' is not a date",
            id="holiday-not-a-date",
        ),
        pytest.param(
            "sla.yaml",
            '  working_hours: {start: "07:00", end: "15:00"}',
            '  working_hours: {start: "15:00", end: "07:00"}',
            "error[calendar-hours]: /calendar/working_hours: the working day must start before it ends",
            id="day-backwards",
        ),
        pytest.param(
            "sla.yaml",
            "  timezone: America/Paramaribo      # UTC-3",
            "  timezone: America/Paramaribp      # UTC-3",
            "error[unknown-timezone]: /calendar/timezone: unknown time zone 'America/Paramaribp'",
            id="unknown-timezone",
        ),
        pytest.param(
            "sla.yaml",
            "        - {after_hours: 24, notify: [director]}\n    CONTROL_ASSIGN",
            "        - {after_hours: 24, notify: [director]}\n        - {after_hours: 12, notify: [admin]}\n"
            "    CONTROL_ASSIGN",
            "error[sla-escalation-order]: /workflows/bouwsubsidie/INTAKE_REVIEW/escalation/2/after_hours: "
            "escalation level 3 comes 12 h after the breach, before level 2 (24 h)",
            id="escalations-out-of-order",
        ),
        pytest.param(
            "sla.yaml",
            "        - {after_hours: 24, notify: [director]}\n    CONTROL_ASSIGN",
            "        - {after_hours: 24, notify: [directr]}\n    CONTROL_ASSIGN",
            "error[unknown-role]: /workflows/bouwsubsidie/INTAKE_REVIEW/escalation/1/notify/0: unknown role "
            "'directr'",
            id="unknown-escalation-role",
        ),
        pytest.param(
            "sla.yaml",
            "        - {after_hours: 24, notify: [director]}\n    CONTROL_ASSIGN",
            "        - {after_hours: 24}\n    CONTROL_ASSIGN",
            "error[schema]: /workflows/bouwsubsidie/INTAKE_REVIEW/escalation/1:",
            id="escalation-without-recipients",
        ),
    ],
)
def test_sla_config_errors(office: Path, file: str, old: str, new: str, expected: str) -> None:
    edit(office, file, old, new)
    found = issues(office)
    assert any(expected in line for line in found), found


def test_working_hours_need_a_calendar(office: Path) -> None:
    path = office / "config" / "sla.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("calendar:"), text.index("workflows:")
    text = text[:start] + text[end:]
    path.write_text(
        text.replace("    INTAKE_REVIEW:\n      hours: 48", "    INTAKE_REVIEW:\n      working_hours: 16")
    )
    found = issues(office)
    assert any(
        "error[sla-no-calendar]: /workflows/bouwsubsidie/INTAKE_REVIEW/working_hours: "
        "'working_hours' of state 'INTAKE_REVIEW' need a business calendar" in line
        for line in found
    ), found


def test_escalation_users_and_assignee(office: Path) -> None:
    edit(
        office,
        "sla.yaml",
        "        - {after_hours: 24, notify: [director]}\n    CONTROL_ASSIGN",
        "        - {after_hours: 24, users: [dirk], assignee: true}\n    CONTROL_ASSIGN",
    )
    config = load(office / "config" / "ims.yaml", env={})
    level = config.sla.for_state("bouwsubsidie", "INTAKE_REVIEW").escalation[1]  # type: ignore[union-attr]
    assert (level.notify, level.users, level.assignee) == ((), ("dirk",), True)
