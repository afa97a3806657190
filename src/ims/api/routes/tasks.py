"""``/tasks`` (work queues and task actions), ``/applications/{id}/tasks`` and ``/dashboard``.

Thin handlers over :class:`ims.services.tasks.TaskService` and
:class:`ims.services.dashboard.DashboardService`: the services check the permissions
(``tasks.assign``, ``tasks.cancel``, ``tasks.supervise``) and write the audit rows.
A task of an application the caller may not see is a 404, like the application.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Router, get, post
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from ims.api.deps import Caller, Ims, check_query
from ims.api.errors import error_responses
from ims.api.routes._common import AppRef, Limit, Offset
from ims.api.schemas import ReasonBody, TaskAssign, TaskComplete
from ims.facade import IMS
from ims.rules import Actor
from ims.services.applications import application_ref
from ims.services.dashboard import Dashboard
from ims.services.tasks import TaskPage, TaskView

TaskId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The task's id")]
Filter = Annotated[str | None, QueryParameter(max_length=100)]
#: ``state`` is a reserved parameter name in Litestar: the handler's name differs, the query's does not
StateFilter = Annotated[
    str | None, QueryParameter(name="state", max_length=100, description="Only tasks of this state")
]
Status = Annotated[
    Literal["PENDING", "IN_PROGRESS", "COMPLETED", "OVERDUE", "CANCELLED"] | None,
    QueryParameter(description="Only tasks with this status"),
]
#: ``scope`` is reserved too
QueueScope = Annotated[
    Literal["all", "mine", "unassigned"],
    QueryParameter(name="scope", description="mine, unassigned in my roles, or all (both)"),
]
DueBefore = Annotated[
    datetime | None, QueryParameter(description="Only tasks due before (with a time zone; 400 without)")
]


@get("/tasks", sync_to_thread=True, responses=error_responses(), summary="My work queue")
def queue(
    ims: Ims,
    actor: Caller,
    queue_scope: QueueScope = "all",
    task_state: StateFilter = None,
    status: Status = None,
    workflow: Filter = None,
    due_before: DueBefore = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TaskPage:
    """Open tasks assigned to the caller (``mine``), unassigned in one of the caller's roles
    (``unassigned``), or both (``all``); overdue first, then soonest due; ``total`` counts every match."""
    check_query(times={"due_before": due_before})
    return ims.tasks.queue(
        actor=actor,
        scope=queue_scope,
        state=task_state,
        status=status,
        workflow=workflow,
        due_before=due_before,
        limit=limit,
        offset=offset,
    )


@get("/tasks/all", sync_to_thread=True, responses=error_responses(403), summary="Every task (supervisors)")
def supervise(
    ims: Ims,
    actor: Caller,
    assignee: Filter = None,
    role: Filter = None,
    task_state: StateFilter = None,
    status: Status = None,
    workflow: Filter = None,
    due_before: DueBefore = None,
    include_closed: FromQuery[bool] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TaskPage:
    """Every open task (``include_closed``: completed and cancelled too); permission ``tasks.supervise``."""
    check_query(times={"due_before": due_before})
    return ims.tasks.list(
        actor=actor,
        assignee=assignee,
        role=role,
        state=task_state,
        status=status,
        workflow=workflow,
        due_before=due_before,
        include_closed=include_closed,
        limit=limit,
        offset=offset,
    )


def _visible_task(ims: IMS, task_id: int, actor: Actor) -> TaskView:
    task = ims.tasks.get(task_id)
    ims.applications.require_visible(task.application_id, actor=actor)
    return task


@get("/tasks/{task_id:int}", sync_to_thread=True, responses=error_responses(404), summary="A task")
def one(task_id: TaskId, ims: Ims, actor: Caller) -> TaskView:
    return _visible_task(ims, task_id, actor)


_ACTION_ERRORS = error_responses(403, 404, 409, 422)


@post(
    "/tasks/{task_id:int}/claim",
    sync_to_thread=True,
    status_code=200,
    responses=_ACTION_ERRORS,
    summary="Claim a task",
)
def claim(task_id: TaskId, ims: Ims, actor: Caller) -> TaskView:
    """Take an unassigned task of one of the caller's roles (409 when someone else has it)."""
    _visible_task(ims, task_id, actor)
    return ims.tasks.claim(task_id, actor=actor)


@post(
    "/tasks/{task_id:int}/assign",
    sync_to_thread=True,
    status_code=200,
    responses=_ACTION_ERRORS,
    summary="Assign or reassign a task",
)
def assign(task_id: TaskId, data: JSONBody[TaskAssign], ims: Ims, actor: Caller) -> TaskView:
    """Permission ``tasks.assign``; the new assignee is notified (``task_assigned``)."""
    _visible_task(ims, task_id, actor)
    return ims.tasks.assign(task_id, data.assignee, actor=actor)


@post(
    "/tasks/{task_id:int}/start",
    sync_to_thread=True,
    status_code=200,
    responses=_ACTION_ERRORS,
    summary="Start a task",
)
def start(task_id: TaskId, ims: Ims, actor: Caller) -> TaskView:
    _visible_task(ims, task_id, actor)
    return ims.tasks.start(task_id, actor=actor)


@post(
    "/tasks/{task_id:int}/complete",
    sync_to_thread=True,
    status_code=200,
    responses=_ACTION_ERRORS,
    summary="Complete a task",
)
def complete(
    task_id: TaskId, ims: Ims, actor: Caller, data: JSONBody[TaskComplete | None] = None
) -> TaskView:
    """By its assignee, or a supervisor (``tasks.assign``); late completion records the breach."""
    _visible_task(ims, task_id, actor)
    return ims.tasks.complete(task_id, actor=actor, comment=data.comment if data else None)


@post(
    "/tasks/{task_id:int}/cancel",
    sync_to_thread=True,
    status_code=200,
    responses=_ACTION_ERRORS,
    summary="Cancel a task",
)
def cancel(task_id: TaskId, data: JSONBody[ReasonBody], ims: Ims, actor: Caller) -> TaskView:
    """Permission ``tasks.cancel``; a reason is required."""
    _visible_task(ims, task_id, actor)
    return ims.tasks.cancel(task_id, actor=actor, reason=data.reason)


@get(
    "/applications/{app:str}/tasks",
    sync_to_thread=True,
    responses=error_responses(404),
    summary="Tasks of an application",
)
def of_application(app: AppRef, ims: Ims, actor: Caller) -> list[TaskView]:
    """Every task of the application, open and closed."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.tasks.for_application(ref)


@get("/dashboard", sync_to_thread=True, responses=error_responses(), summary="My dashboard")
def dashboard(ims: Ims, actor: Caller) -> Dashboard:
    """The numbers a landing page shows: my open, overdue and due-soon tasks, unassigned work in
    my roles, applications by state (an applicant: their own), this month's decisions."""
    return ims.dashboard.for_user(actor)


router = Router(
    "/",
    route_handlers=[queue, supervise, one, claim, assign, start, complete, cancel, of_application, dashboard],
    tags=["tasks"],
)
