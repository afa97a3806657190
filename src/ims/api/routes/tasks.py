"""``/tasks`` (the caller's work queue) and ``/applications/{id}/tasks``."""

from __future__ import annotations

from litestar import Router, get

from ims.api.deps import Caller, Ims
from ims.api.errors import error_responses
from ims.api.routes._common import AppId, Limit, Offset
from ims.services.tasks import TaskView


@get("/tasks", sync_to_thread=True, responses=error_responses(), summary="My work queue")
def queue(ims: Ims, actor: Caller, limit: Limit = 50, offset: Offset = 0) -> list[TaskView]:
    """Open tasks assigned to the caller, or unassigned in one of the caller's roles; soonest due first."""
    return ims.tasks.queue(actor=actor, limit=limit, offset=offset)


@get(
    "/applications/{app_id:int}/tasks",
    sync_to_thread=True,
    responses=error_responses(404),
    summary="Tasks of an application",
)
def of_application(app_id: AppId, ims: Ims, actor: Caller) -> list[TaskView]:
    """Every task of the application, open and closed."""
    ims.applications.require_visible(app_id, actor=actor)
    return ims.tasks.for_application(app_id)


router = Router("/", route_handlers=[queue, of_application], tags=["tasks"])
