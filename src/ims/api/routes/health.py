"""``/health/live`` and ``/health/ready`` (no credentials; restrict them at the network level)."""

from __future__ import annotations

from litestar import Response, Router, get
from litestar.openapi import ResponseSpec

from ims.api.deps import Ims
from ims.api.schemas import HealthOut, Live


@get("/live", exclude_from_auth=True, summary="Liveness")
async def live() -> Live:
    """The process answers."""
    return Live()


@get(
    "/ready",
    sync_to_thread=True,
    exclude_from_auth=True,
    summary="Readiness",
    responses={
        503: ResponseSpec(HealthOut, description="A check failed (same body)", generate_examples=False)
    },
)
def ready(ims: Ims) -> Response[HealthOut]:
    """Database reachable, migrations current, plugins loaded, outbox backlog, worker heartbeat.

    200 when no check failed (warnings included), 503 otherwise; the body is the same.
    """
    report = ims.health.check()
    body = HealthOut(report.status, report.ready, report.checked_at, list(report.checks))
    return Response(body, status_code=200 if report.ready else 503)


router = Router("/health", route_handlers=[live, ready], tags=["health"])
