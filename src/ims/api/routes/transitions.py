"""``/applications/{id}/actions`` and ``/transitions``: what the caller may do, and doing it."""

from __future__ import annotations

from litestar import Response, Router, get, post
from litestar.params import JSONBody

from ims.api.deps import Caller, IfMatch, Ims, etag, expected_version
from ims.api.errors import error_responses
from ims.api.metrics import transitions_counter
from ims.api.routes._common import AppRef
from ims.api.schemas import TransitionRequest
from ims.engine import ActionOption
from ims.errors import Conflict, NotFound, TransitionRefused
from ims.facade import IMS
from ims.services.applications import ApplicationRef, application_ref
from ims.services.workflow import TransitionResult


@get(
    "/{app:str}/actions",
    sync_to_thread=True,
    responses=error_responses(404),
    summary="Actions available to the caller",
)
def actions(app: AppRef, ims: Ims, actor: Caller) -> list[ActionOption]:
    """Every action of the current state: allowed or not, and for a blocked one the reasons."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.workflow.available_actions(ref, actor=actor)


@post(
    "/{app:str}/transitions",
    sync_to_thread=True,
    status_code=201,
    responses=error_responses(404, 409, 422),
    summary="Perform an action",
)
def transition(
    app: AppRef, data: JSONBody[TransitionRequest], ims: Ims, actor: Caller, if_match: IfMatch = None
) -> Response[TransitionResult]:
    """Perform ``action``; the engine decides the next state.

    Give the version read (``If-Match: "3"`` or ``version``): if someone changed the
    application since, nothing is written and the answer is 409.  A refused action is
    a 422 whose ``details.reasons`` say why.
    """
    version = expected_version(if_match, data.version)
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    try:
        result = ims.workflow.transition(
            ref,
            data.action,
            actor=actor,
            reason=data.reason,
            comment=data.comment,
            expected_version=version,
        )
    except Exception as exc:
        count_transition(ims, ref, _OUTCOMES.get(type(exc), "error"))
        raise
    transitions_counter().labels(result.application.workflow, "applied").inc()
    return Response(result, status_code=201, headers=etag(result.application.version))


_OUTCOMES: dict[type[Exception], str] = {
    TransitionRefused: "refused",
    Conflict: "conflict",
    NotFound: "not_found",
}


def count_transition(ims: IMS, ref: ApplicationRef, outcome: str) -> None:
    """Count a failed transition under its application's workflow (``unknown`` when there is none)."""
    try:
        workflow = ims.applications.get(ref).workflow
    except Exception:
        workflow = "unknown"
    transitions_counter().labels(workflow, outcome).inc()


router = Router("/applications", route_handlers=[actions, transition], tags=["transitions"])
