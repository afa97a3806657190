"""The built-in reports' SQL and the rendering of any report (table, CSV, JSON, SVG/PNG chart).

Each built-in report is a class in its own module, registered through the
``register_reports`` hook by :mod:`ims.default_plugins.reports`; rendering
lives in :mod:`ims.reports.render` and works for plugin reports too.
"""

from __future__ import annotations

from ims.reports.applications import ApplicationsByState, DecisionOutcomes, Throughput
from ims.reports.sla import SlaCompliance
from ims.reports.tasks import Overdue, Workload
from ims.reports.time_in_state import TimeInState

#: the report classes ims registers, in the order ``ims report list`` shows them by name
BUILTIN_REPORTS = (
    ApplicationsByState,
    DecisionOutcomes,
    Overdue,
    SlaCompliance,
    Throughput,
    TimeInState,
    Workload,
)

__all__ = [
    "BUILTIN_REPORTS",
    "ApplicationsByState",
    "DecisionOutcomes",
    "Overdue",
    "SlaCompliance",
    "Throughput",
    "TimeInState",
    "Workload",
]
