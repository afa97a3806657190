"""Reports on open tasks: workload by role and user, and the overdue list."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, literal, select

from ims.hooks.protocols import ChartSpec, ReportResult
from ims.reports._scope import scoped
from ims.reports._sql import dialect, hours, in_range, one_decimal, seconds_between
from ims.store.models import OPEN_TASK_STATUSES, Application, Task, TaskRole

if TYPE_CHECKING:
    from ims.hooks.protocols import ReportParams

#: the ``user`` of the row counting a role's tasks nobody has taken
UNASSIGNED = "(unassigned)"


class Workload:
    """Open tasks per role and user: open, overdue, due within 24 hours.

    A task counts once for each of its roles (``task_roles``) under its assignee,
    or under ``(unassigned)``.  "Now" is the runtime clock.  Filters:
    ``workflow``, ``district``; the dates bound the task's creation.
    """

    name = "workload"
    title = "Workload: open tasks by role and user"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        now = ims.runtime.now()
        user = func.coalesce(Task.assignee, literal(UNASSIGNED)).label("user")
        overdue = func.sum(case((Task.due_at < now, 1), else_=0))
        soon = func.sum(case(((Task.due_at >= now) & (Task.due_at < now + timedelta(hours=24)), 1), else_=0))
        query = (
            select(TaskRole.role, user, func.count(), overdue, soon)
            .join(Task, Task.id == TaskRole.task_id)
            .where(Task.status.in_(OPEN_TASK_STATUSES))
            .where(*in_range(Task.created_at, params))
            .where(*scoped(params, workflow=Task.workflow, application_id=Task.application_id))
            .group_by(TaskRole.role, user)
            .order_by(TaskRole.role, user == UNASSIGNED, user)
        )
        with ims.runtime.sessions() as session:
            rows = tuple(
                (role, who, n, int(late or 0), int(due or 0))
                for role, who, n, late, due in session.execute(query)
            )
        chart = ChartSpec("bar", x="role", y=("open",), series="user", y_label="open tasks", stacked=True)
        return ReportResult(("role", "user", "open", "overdue", "due_24h"), rows, self.title, chart)


class Overdue:
    """Open tasks past their due time, the longest overdue first.

    Read through the ``(status, due_at)`` index: ``due_at < now`` for the open
    statuses.  Filters: ``workflow``, ``district``; the dates bound ``due_at``.
    """

    name = "overdue"
    title = "Overdue tasks"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        now = ims.runtime.now()
        with ims.runtime.sessions() as session:
            d = dialect(session, ims, params)
            late = hours(seconds_between(d, Task.due_at, literal(now, type_=Task.due_at.type)))
            query = (
                select(
                    Application.number,
                    Task.workflow,
                    Task.state,
                    Task.title,
                    Task.assignee,
                    Task.due_at,
                    late,
                    Application.district,
                )
                .join(Application, Application.id == Task.application_id)
                .where(Task.status.in_(OPEN_TASK_STATUSES), Task.due_at < now)
                .where(*in_range(Task.due_at, params))
                .where(*scoped(params, workflow=Task.workflow, application_id=Task.application_id))
                .order_by(Task.due_at, Task.id)
            )
            rows = tuple(tuple(row) for row in session.execute(query))
        columns = (
            "application",
            "workflow",
            "state",
            "task",
            "assignee",
            "due_at",
            "hours_overdue",
            "district",
        )
        return ReportResult(columns, rows, self.title)
