"""``/inbox``: the caller's in-app notifications."""

from __future__ import annotations

from litestar import Router, get, post
from litestar.params import FromQuery, JSONBody

from ims.api.deps import Caller, Ims
from ims.api.errors import error_responses
from ims.api.routes._common import Limit
from ims.api.schemas import MarkedRead, MarkRead
from ims.services.notifications import InboxItem


@get("/", sync_to_thread=True, responses=error_responses(), summary="My notifications")
def inbox(ims: Ims, actor: Caller, unread: FromQuery[bool] = False, limit: Limit = 50) -> list[InboxItem]:
    """The caller's notifications, newest first (``unread=true``: only unread ones)."""
    return ims.notifications.inbox(actor=actor, unread_only=unread, limit=limit)


@post("/read", sync_to_thread=True, status_code=200, responses=error_responses(), summary="Mark read")
def mark_read(data: JSONBody[MarkRead], ims: Ims, actor: Caller) -> MarkedRead:
    """Mark some of the caller's notifications read (others' ids are ignored); how many changed."""
    return MarkedRead(ims.notifications.mark_read(list(data.ids), actor=actor))


router = Router("/inbox", route_handlers=[inbox, mark_read], tags=["inbox"])
