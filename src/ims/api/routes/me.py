"""``/me``: who the credentials stand for."""

from __future__ import annotations

from litestar import Router, get

from ims.api.deps import Caller
from ims.api.errors import error_responses
from ims.api.schemas import Me


@get("/me", responses=error_responses(), summary="The caller")
async def me(actor: Caller) -> Me:
    """The caller's username and roles."""
    return Me.of(actor)


router = Router("/", route_handlers=[me], tags=["identity"])
