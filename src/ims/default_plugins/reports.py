"""Built-in reports, computed in SQL.

``applications_by_state``: how many applications each workflow has in each state.
Filters: ``workflow``; ``date_from`` / ``date_to`` on the creation time (from
inclusive, to exclusive); ``district`` on ``applicant.district`` in the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ims.hooks import hookimpl
from ims.hooks.protocols import ReportResult

if TYPE_CHECKING:
    from collections.abc import Callable

    from ims.hooks.protocols import Report, ReportParams


class ApplicationsByState:
    """Count per workflow and state (one ``GROUP BY``, whatever the number of applications)."""

    name = "applications_by_state"
    title = "Applications by workflow and state"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        from sqlalchemy import func, select  # not at import: `ims check` loads this plugin too

        from ims.store.models import Application

        count = func.count(Application.id)
        query = (
            select(Application.workflow, Application.state, count)
            .group_by(Application.workflow, Application.state)
            .order_by(Application.workflow, Application.state)
        )
        if params.workflow is not None:
            query = query.where(Application.workflow == params.workflow)
        if params.district is not None:
            query = query.where(Application.data[("applicant", "district")].as_string() == params.district)
        if params.date_from is not None:
            query = query.where(Application.created_at >= params.date_from)
        if params.date_to is not None:
            query = query.where(Application.created_at < params.date_to)
        with ims.runtime.sessions() as session:
            rows = tuple((workflow, state, n) for workflow, state, n in session.execute(query))
        return ReportResult(("workflow", "state", "count"), rows, self.title)


@hookimpl(trylast=True)
def register_reports(register: Callable[[Report], None]) -> None:
    register(ApplicationsByState())
