"""Reports on open tasks: workload by role and user, and the overdue list."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, literal, select, true

from ims.hooks.protocols import ChartSpec, ReportResult
from ims.reports._scope import scoped
from ims.reports._sql import dialect, hours, in_range, seconds_between
from ims.store.models import OPEN_TASK_STATUSES, Application, Task

if TYPE_CHECKING:
    from ims.hooks.protocols import ReportParams

#: the ``user`` of the row counting a role's tasks nobody has taken
UNASSIGNED = "(unassigned)"


class Workload:
    """Open tasks per role and user: open, overdue, due within 24 hours.

    A task counts once for each of its roles (its ``roles`` list, unnested with
    ``jsonb_array_elements_text`` / ``json_each``) under its assignee, or under
    ``(unassigned)``.  "Now" is the runtime clock.  Filters:
    ``workflow``, ``district``; the dates bound the task's creation.
    """

    name = "workload"
    title = "Workload: open tasks by role and user"

    def run(self, ims: Any, params: ReportParams) -> ReportResult:
        now = ims.runtime.now()
        user = func.coalesce(Task.assignee, literal(UNASSIGNED)).label("user")
        overdue = func.sum(case((Task.due_at < now, 1), else_=0))
        soon = func.sum(case(((Task.due_at >= now) & (Task.due_at < now + timedelta(hours=24)), 1), else_=0))
        with ims.runtime.sessions() as session:
            # the open tasks' own role lists, unnested (the open tasks are few next to all of
            # task_roles, which also holds every completed task's roles)
            if dialect(session, ims, params).is_pg:
                roles = func.jsonb_array_elements_text(Task.roles).table_valued("value").alias("r")
            else:
                roles = func.json_each(Task.roles).table_valued("value").alias("r")
            role = roles.c.value.label("role")
            query = (
                select(role, user, func.count(), overdue, soon)
                .select_from(Task)
                .join(roles, true())
                .where(Task.status.in_(OPEN_TASK_STATUSES))
                .where(*in_range(Task.created_at, params))
                .where(*scoped(params, workflow=Task.workflow, application_id=Task.application_id))
                .group_by(role, user)
                .order_by(role, user == UNASSIGNED, user)
            )
            rows = tuple(
                (r, who, n, int(late or 0), int(due or 0)) for r, who, n, late, due in session.execute(query)
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
                .where(*scoped(params, workflow=Task.workflow, district=Application.district))
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
