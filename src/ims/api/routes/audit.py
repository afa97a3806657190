"""``/audit``: the audit log, read-only (``audit.read``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import QueryParameter

from ims.api.deps import Caller, Ims
from ims.api.errors import error_responses
from ims.services.audit import AuditEntry


@get("/", sync_to_thread=True, responses=error_responses(403, 404), summary="Audit entries")
def entries(
    ims: Ims,
    actor: Caller,
    application: Annotated[
        int | None,
        QueryParameter(ge=1, le=2_147_483_647, description="An application's id; omitted: the system chain"),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> list[AuditEntry]:
    """One application's audit chain, or the system chain (users, roles, keys, reference data)."""
    return ims.audit.entries(application, actor=actor, limit=limit)


router = Router("/audit", route_handlers=[entries], tags=["audit"])
