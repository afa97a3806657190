"""``/applications/{id}/steps`` and ``/history``."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, put
from litestar.params import JSONBody, PathParameter

from ims.api.deps import Caller, IfMatch, Ims, expected_version
from ims.api.errors import error_responses
from ims.api.routes._common import AppId
from ims.api.schemas import StepRecord
from ims.services.steps import StepView
from ims.services.workflow import HistoryEntry

StepName = Annotated[str, PathParameter(min_length=1, max_length=100, description="The step's name")]


@get("/{app_id:int}/steps", sync_to_thread=True, responses=error_responses(404), summary="Steps")
def steps(app_id: AppId, ims: Ims, actor: Caller) -> list[StepView]:
    """The application's steps (pending and completed) with their data."""
    ims.applications.require_visible(app_id, actor=actor)
    return ims.steps.list(app_id)


@put(
    "/{app_id:int}/steps/{step:str}",
    sync_to_thread=True,
    responses=error_responses(403, 404, 409, 422),
    summary="Record a step",
)
def record_step(
    app_id: AppId,
    step: StepName,
    data: JSONBody[StepRecord],
    ims: Ims,
    actor: Caller,
    if_match: IfMatch = None,
) -> StepView:
    """Save a step's data (validated by the workflow) and, by default, complete it."""
    ims.applications.require_visible(app_id, actor=actor)
    return ims.steps.record(
        app_id,
        step,
        data.data,
        actor=actor,
        complete=data.complete,
        expected_version=expected_version(if_match, data.version),
    )


@get("/{app_id:int}/history", sync_to_thread=True, responses=error_responses(404), summary="History")
def history(app_id: AppId, ims: Ims, actor: Caller) -> list[HistoryEntry]:
    """Everything that happened to the application, oldest first."""
    ims.applications.require_visible(app_id, actor=actor)
    return ims.workflow.history(app_id)


router = Router("/applications", route_handlers=[steps, record_step, history], tags=["steps and history"])
