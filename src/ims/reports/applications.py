"""Reports on applications: by state, throughput per period, decision outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ims.hooks.protocols import ChartSpec, ReportResult
from ims.reports._scope import final_states, outcome_of, pairs_in, scoped
from ims.reports._sql import dialect, in_range, one_decimal, seconds_between
from ims.store.models import Application, StatePeriod

if TYPE_CHECKING:
    from ims.hooks.protocols import ReportParams


class ApplicationsByState:
    """Count per workflow and state: one ``GROUP BY`` on the ``(workflow, state)`` index.

    Filters: ``workflow``, ``district``; ``date_from``/``date_to`` on the creation time.
    """

    name = "applications_by_state"
    title = "Applications by workflow and state"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        count = func.count()
        query = (
            select(Application.workflow, Application.state, count)
            .where(*in_range(Application.created_at, params))
            .where(*scoped(params, workflow=Application.workflow, district=Application.district))
            .group_by(Application.workflow, Application.state)
            .order_by(Application.workflow, Application.state)
        )
        with ims.runtime.sessions() as session:
            rows = tuple((wf, state, n) for wf, state, n in session.execute(query))
        chart = ChartSpec("bar", x="state", y=("count",), series="workflow", y_label="applications")
        return ReportResult(("workflow", "state", "count"), rows, self.title, chart)


class Throughput:
    """Per week or month: applications entered (created), decided, approved and rejected.

    Entered counts ``applications.created_at``; a decision is an entry into a final
    state, read from ``state_periods`` on its ``(workflow, state, entered_at)`` index
    (see :func:`ims.reports._scope.outcome_of`).  Filters: ``workflow``,
    ``district``; the dates bound both moments.
    """

    name = "throughput"
    title = "Throughput: applications entered and decided"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        config = ims.config
        with ims.runtime.sessions() as session:
            d = dialect(session, ims, params)
            created = d.period(Application.created_at, params.period).label("period")
            entered_q = (
                select(created, func.count())
                .where(*in_range(Application.created_at, params))
                .where(*scoped(params, workflow=Application.workflow, district=Application.district))
                .group_by(created)
            )
            decided = d.period(StatePeriod.entered_at, params.period).label("period")
            decided_q = (
                select(decided, StatePeriod.workflow, StatePeriod.state, func.count())
                .where(pairs_in(StatePeriod.workflow, StatePeriod.state, final_states(config, params)))
                .where(*in_range(StatePeriod.entered_at, params))
                .where(
                    *scoped(params, workflow=StatePeriod.workflow, application_id=StatePeriod.application_id)
                )
                .group_by(decided, StatePeriod.workflow, StatePeriod.state)
            )
            table: dict[str, list[int]] = {}
            for period, n in session.execute(entered_q):
                table.setdefault(period, [0, 0, 0, 0])[0] += n
            for period, workflow, state, n in session.execute(decided_q):
                counts = table.setdefault(period, [0, 0, 0, 0])
                counts[1] += n
                counts[2 if outcome_of(config, workflow, state) == "approved" else 3] += n
        rows = tuple((period, *table[period]) for period in sorted(table))
        chart = ChartSpec("bar", x="period", y=("entered", "approved", "rejected"), y_label="applications")
        return ReportResult(("period", "entered", "decided", "approved", "rejected"), rows, self.title, chart)


class DecisionOutcomes:
    """Decisions by final state: how many, their share, and the mean days from creation.

    Read from ``state_periods`` (entries into final states, on the
    ``(workflow, state, entered_at)`` index) joined to their applications by key.
    Filters: ``workflow``, ``district``; the dates bound the decision time.
    """

    name = "decision_outcomes"
    title = "Decision outcomes"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        config = ims.config
        with ims.runtime.sessions() as session:
            d = dialect(session, ims, params)
            days = func.avg(seconds_between(d, Application.created_at, StatePeriod.entered_at)) / 86400.0
            query = (
                select(StatePeriod.workflow, StatePeriod.state, func.count(), days)
                .join(Application, Application.id == StatePeriod.application_id)
                .where(pairs_in(StatePeriod.workflow, StatePeriod.state, final_states(config, params)))
                .where(*in_range(StatePeriod.entered_at, params))
                .where(
                    *scoped(params, workflow=StatePeriod.workflow, application_id=StatePeriod.application_id)
                )
                .group_by(StatePeriod.workflow, StatePeriod.state)
                .order_by(StatePeriod.workflow, StatePeriod.state)
            )
            found = session.execute(query).all()
        total = sum(n for _, _, n, _ in found) or 1
        rows = tuple(
            (wf, state, outcome_of(config, wf, state), n, round(100.0 * n / total, 1), one_decimal(mean_days))
            for wf, state, n, mean_days in found
        )
        columns = ("workflow", "state", "outcome", "decisions", "share_pct", "mean_days_to_decision")
        chart = ChartSpec("bar", x="state", y=("decisions",), series="workflow", y_label="decisions")
        return ReportResult(columns, rows, self.title, chart)
