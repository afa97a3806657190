"""``/applications/{id}/steps`` and ``/history``."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, put
from litestar.params import JSONBody, PathParameter

from ims.api.deps import Caller, IfMatch, Ims, expected_version
from ims.api.errors import error_responses
from ims.api.routes._common import AppRef
from ims.api.schemas import StepRecord
from ims.services.applications import application_ref
from ims.services.steps import StepView
from ims.services.workflow import HistoryEntry

StepName = Annotated[str, PathParameter(min_length=1, max_length=100, description="The step's name")]


@get("/{app:str}/steps", sync_to_thread=True, responses=error_responses(404), summary="Steps")
def steps(app: AppRef, ims: Ims, actor: Caller) -> list[StepView]:
    """The application's steps (pending and completed) with their data."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.steps.list(ref)


@put(
    "/{app:str}/steps/{step:str}",
    sync_to_thread=True,
    responses=error_responses(403, 404, 409, 422),
    summary="Record a step",
)
def record_step(
    app: AppRef,
    step: StepName,
    data: JSONBody[StepRecord],
    ims: Ims,
    actor: Caller,
    if_match: IfMatch = None,
) -> StepView:
    """Save a step's data (validated by the workflow) and, by default, complete it."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.steps.record(
        ref,
        step,
        data.data,
        actor=actor,
        complete=data.complete,
        expected_version=expected_version(if_match, data.version),
    )


@get("/{app:str}/history", sync_to_thread=True, responses=error_responses(404), summary="History")
def history(app: AppRef, ims: Ims, actor: Caller) -> list[HistoryEntry]:
    """Everything that happened to the application, oldest first."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.workflow.history(ref)


router = Router("/applications", route_handlers=[steps, record_step, history], tags=["steps and history"])
