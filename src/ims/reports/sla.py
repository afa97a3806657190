"""SLA compliance: the share of completed tasks finished before their SLA breached, by state and period."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from ims.hooks.protocols import ChartSpec, ReportResult
from ims.reports._scope import scoped
from ims.reports._sql import dialect, in_range
from ims.store.models import Task

if TYPE_CHECKING:
    from ims.hooks.protocols import ReportParams

COLUMNS = ("period", "state", "completed", "on_time", "breached", "compliance_pct")
#: the ``state`` of the row that totals a period over every state
ALL_STATES = "(all)"


class SlaCompliance:
    """Per week or month (of ``completed_at``) and state: completed tasks, on time and breached.

    A task is on time when it completed without ever breaching (``breached_at IS
    NULL``, set by the SLA sweep or on a late completion); tasks without an SLA
    count as on time.  Each period also gets a row for all states together
    (``state`` = ``(all)``), summed from the period's aggregated rows.  One ``GROUP BY``.  Filters:
    ``workflow``, ``district``; the dates bound ``completed_at``.
    """

    name = "sla_compliance"
    title = "SLA compliance"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        where = [
            Task.status == "COMPLETED",
            *in_range(Task.completed_at, params),
            *scoped(params, workflow=Task.workflow, application_id=Task.application_id),
        ]
        with ims.runtime.sessions() as session:
            d = dialect(session, ims, params)
            period = d.period(Task.completed_at, params.period).label("period")
            breached = func.sum(case((Task.breached_at.is_not(None), 1), else_=0))
            query = (
                select(period, Task.state, func.count(), breached)
                .where(*where)
                .group_by(period, Task.state)
                .order_by(period, Task.state)
            )
            found = session.execute(query).all()
        # the "(all)" row of each period sums that period's aggregated rows (a few per period)
        totals: dict[str, list[int]] = {}
        for period_label, _, n, late in found:
            total = totals.setdefault(period_label, [0, 0])
            total[0] += n
            total[1] += int(late or 0)
        rows: list[tuple[Any, ...]] = []
        previous: str | None = None
        for period_label, state, n, late in found:
            if previous is not None and period_label != previous:
                rows.append(_row(previous, ALL_STATES, *totals[previous]))
            rows.append(_row(period_label, state, n, int(late or 0)))
            previous = period_label
        if previous is not None:
            rows.append(_row(previous, ALL_STATES, *totals[previous]))
        chart = ChartSpec(
            "line", x="period", y=("compliance_pct",), series="state", y_label="% on time", y_max=100
        )
        return ReportResult(COLUMNS, tuple(rows), self.title, chart)


def _row(period: str, state: str, n: int, late: int) -> tuple[Any, ...]:
    return (period, state, n, n - late, late, round(100.0 * (n - late) / n, 1) if n else None)
