"""SLA time: the business calendar and the due, warning and escalation times of tasks.

Pure (no I/O): the engine uses it to stamp new tasks, the SLA sweep
(:mod:`ims.services.sla`) to find what falls due.
"""

from __future__ import annotations

from ims.sla._calendar import WEEKDAYS, BusinessCalendar, parse_clock
from ims.sla._timing import BREACH, ESCALATION, WARNING, Milestone, SlaTimes, calendar_of, pending, times_for

__all__ = [
    "BREACH",
    "ESCALATION",
    "WARNING",
    "WEEKDAYS",
    "BusinessCalendar",
    "Milestone",
    "SlaTimes",
    "calendar_of",
    "parse_clock",
    "pending",
    "times_for",
]
