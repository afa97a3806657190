"""``/audit``: the audit log, read-only (``audit.read``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import QueryParameter

from ims.api.deps import Caller, Ims
from ims.api.errors import error_responses
from ims.services.applications import application_ref
from ims.services.audit import AuditEntry


@get("/", sync_to_thread=True, responses=error_responses(403, 404), summary="Audit entries")
def entries(
    ims: Ims,
    actor: Caller,
    application: Annotated[
        str | None,
        QueryParameter(
            min_length=1,
            max_length=100,
            pattern=r"^[A-Za-z0-9._~-]+$",
            description="An application's id or number; omitted: the system chain",
        ),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> list[AuditEntry]:
    """One application's audit chain, or the system chain (users, roles, keys, reference data)."""
    ref = None if application is None else application_ref(application)
    return ims.audit.entries(ref, actor=actor, limit=limit)


router = Router("/audit", route_handlers=[entries], tags=["audit"])
