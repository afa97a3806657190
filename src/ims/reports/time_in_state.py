"""Time in state: how long applications stayed in each state (mean, median, 90th percentile)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ims.hooks.protocols import ChartSpec, ReportResult
from ims.reports._scope import scoped
from ims.reports._sql import dialect, hours, in_range, one_decimal, percentile_of_window
from ims.store.models import StatePeriod

if TYPE_CHECKING:
    from ims.hooks.protocols import ReportParams

COLUMNS = ("workflow", "state", "stays", "mean_hours", "median_hours", "p90_hours", "max_hours")


class TimeInState:
    """Completed stays per workflow and state, from ``state_periods``.

    Every transition closes the state's period with its length in seconds, so no
    history is reconstructed: one aggregate over the periods that ended in the
    report's dates (``exited_at``; the ``(exited_at)`` index), the percentiles by
    ``percentile_cont`` on PostgreSQL and by window functions on SQLite.  Stays
    still open are not counted.  Filters: ``workflow``, ``district``.
    """

    name = "time_in_state"
    title = "Time in state (hours)"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        where = [
            StatePeriod.exited_at.is_not(None),
            *in_range(StatePeriod.exited_at, params),
            *scoped(params, workflow=StatePeriod.workflow, application_id=StatePeriod.application_id),
        ]
        with ims.runtime.sessions() as session:
            if dialect(session, ims, params).is_pg:
                seconds = StatePeriod.seconds
                query = select(
                    StatePeriod.workflow,
                    StatePeriod.state,
                    func.count(),
                    hours(func.avg(seconds)),
                    hours(func.percentile_cont(0.5).within_group(seconds)),
                    hours(func.percentile_cont(0.9).within_group(seconds)),
                    hours(func.max(seconds)),
                ).where(*where)
                group: tuple[Any, ...] = (StatePeriod.workflow, StatePeriod.state)
            else:
                part = (StatePeriod.workflow, StatePeriod.state)
                ranked = (
                    select(
                        StatePeriod.workflow,
                        StatePeriod.state,
                        StatePeriod.seconds,
                        (func.row_number().over(partition_by=part, order_by=StatePeriod.seconds) - 1).label(
                            "rn"
                        ),
                        func.count().over(partition_by=part).label("n"),
                    )
                    .where(*where)
                    .subquery()
                )
                c = ranked.c
                query = select(
                    c.workflow,
                    c.state,
                    func.count(),
                    hours(func.avg(c.seconds)),
                    hours(percentile_of_window(0.5, c.seconds, c.rn, c.n)),
                    hours(percentile_of_window(0.9, c.seconds, c.rn, c.n)),
                    hours(func.max(c.seconds)),
                )
                group = (c.workflow, c.state)
            query = query.group_by(*group).order_by(*group)
            rows = tuple(
                (wf, state, n, *(one_decimal(v) for v in values))
                for wf, state, n, *values in session.execute(query)
            )
        chart = ChartSpec("bar", x="state", y=("median_hours", "p90_hours"), y_label="hours")
        return ReportResult(COLUMNS, rows, self.title, chart)
