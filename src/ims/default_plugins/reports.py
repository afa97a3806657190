"""Built-in reports, registered like a plugin's (their SQL lives in :mod:`ims.reports`).

``applications_by_state``, ``throughput``, ``decision_outcomes``,
``time_in_state``, ``sla_compliance``, ``workload`` and ``overdue``; see
docs/reference/reports.md for each one's columns, filters and SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ims.hooks import hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable

    from ims.hooks.protocols import Report


@hookimpl(trylast=True)
def register_reports(register: Callable[[Report], None]) -> None:
    # imported here, not at module import: `ims check` loads this plugin without a database
    from ims.reports import BUILTIN_REPORTS

    for report in BUILTIN_REPORTS:
        register(report())
