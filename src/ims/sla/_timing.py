"""When a task's SLA events fall due: warning, breach, escalation levels.

:class:`SlaTimes` is built once from the configuration.  For a state's SLA it gives
the due and warning times of a task opened at a moment, the milestones (warning,
breach, escalations) of an open task, and the new due time after a hold.  Wall-clock
SLAs (``hours``) add hours; working-hour SLAs (``working_hours``) count on the
business calendar.  Escalation ``after_hours`` count in the state's unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from ims.sla._calendar import BusinessCalendar

if TYPE_CHECKING:
    from ims.config.models import Escalation, ImsConfig, StateSla

WARNING = "WARNING"
BREACH = "BREACH"
ESCALATION = "ESCALATION"


@dataclass(frozen=True, slots=True)
class Milestone:
    """One SLA event of a task: ``kind`` and ``level`` (0, or 1.. for escalations), due ``at``."""

    kind: str
    level: int
    at: datetime
    escalation: Escalation | None = None


def calendar_of(config: ImsConfig) -> BusinessCalendar | None:
    """The business calendar of ``sla.calendar`` (``None`` when not configured); holidays are
    the active codes of its ``holidays_category`` in the reference data."""
    settings = config.sla.calendar
    if settings is None:
        return None
    holidays: list[date] = []
    if settings.holidays_category:
        category = config.reference.categories.get(settings.holidays_category)
        codes = category.active_codes if category else frozenset()
        holidays = [date.fromisoformat(code) for code in codes]
    return BusinessCalendar.build(
        timezone=settings.timezone,
        working_days=settings.working_days,
        start=settings.working_hours.start,
        end=settings.working_hours.end,
        holidays=holidays,
    )


#: id(config) -> (config, its SlaTimes): one calendar per loaded configuration
_BUILT: dict[int, tuple[ImsConfig, SlaTimes]] = {}


def times_for(config: ImsConfig) -> SlaTimes:
    """The :class:`SlaTimes` of ``config``, built once per configuration object."""
    held = _BUILT.get(id(config))
    if held is not None and held[0] is config:
        return held[1]
    if len(_BUILT) > 32:  # configurations come and go in tests: keep the cache small
        _BUILT.clear()
    times = SlaTimes(config)
    _BUILT[id(config)] = (config, times)
    return times


def pending(milestones: list[Milestone], fired: set[tuple[str, int]]) -> list[Milestone]:
    """The milestones after the last one fired (an earlier one never sent, such as a
    warning overtaken by its breach, is not due any more)."""
    last = max((i for i, m in enumerate(milestones) if (m.kind, m.level) in fired), default=-1)
    return milestones[last + 1 :]


class SlaTimes:
    """SLA arithmetic for one configuration (see the module docstring)."""

    def __init__(self, config: ImsConfig) -> None:
        self.config = config
        self.calendar = calendar_of(config)

    def for_state(self, workflow: str, state: str) -> StateSla | None:
        return self.config.sla.for_state(workflow, state)

    def add(self, sla: StateSla, moment: datetime, hours: float) -> datetime:
        """``moment`` plus ``hours`` in the unit of ``sla``."""
        if sla.working:
            if self.calendar is None:  # pragma: no cover - the config checks forbid it
                raise ValueError("working_hours need sla.calendar")
            return self.calendar.add(moment, hours)
        return moment + timedelta(hours=hours)

    def between(self, sla: StateSla, start: datetime, end: datetime) -> float:
        """Hours from ``start`` to ``end`` in the unit of ``sla``."""
        if sla.working:
            assert self.calendar is not None
            return self.calendar.between(start, end)
        return (end - start).total_seconds() / 3600.0

    def open(self, sla: StateSla, now: datetime) -> tuple[datetime, datetime]:
        """(warning time, due time) of a task opened at ``now``."""
        hours = sla.allowed_hours
        return self.add(sla, now, hours * sla.warning), self.add(sla, now, hours)

    def milestones(self, sla: StateSla, warn_at: datetime | None, due_at: datetime) -> list[Milestone]:
        """The task's SLA events in time order: warning (when known), breach, escalations."""
        out = [Milestone(WARNING, 0, warn_at)] if warn_at is not None else []
        out.append(Milestone(BREACH, 0, due_at))
        for level, step in enumerate(sla.escalation, start=1):
            at = self.add(sla, due_at, step.after_hours) if step.after_hours else due_at
            out.append(Milestone(ESCALATION, level, at, step))
        return out

    def resume(self, sla: StateSla | None, moment: datetime, paused_at: datetime, now: datetime) -> datetime:
        """``moment`` (a due or warning time) moved on by the time on hold, ``paused_at`` to ``now``.

        The SLA time left at the pause is the time left after the resume: a working-hour
        SLA paused and resumed over a weekend loses nothing.
        """
        if sla is None:
            return moment + (now - paused_at)
        return self.add(sla, moment, max(self.between(sla, paused_at, now), 0.0))

    def paused_hours(self, sla: StateSla | None, paused_at: datetime, now: datetime) -> float:
        if sla is None:
            return (now - paused_at).total_seconds() / 3600.0
        return max(self.between(sla, paused_at, now), 0.0)
