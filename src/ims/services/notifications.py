"""The in-app inbox: notifications addressed to a user, unread or read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ims.services._actors import ActorLike, resolve_actor
from ims.store.models import Notification

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime


@dataclass(frozen=True)
class InboxItem:
    id: int
    application_id: int | None
    event: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None


class NotificationService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def inbox(
        self,
        *,
        actor: ActorLike,
        unread_only: bool = False,
        limit: int = 50,
        session: Session | None = None,
    ) -> list[InboxItem]:
        with self._rt.reading(session) as s:
            who = resolve_actor(s, actor)
            query = (
                select(Notification)
                .where(Notification.channel == "inbox", Notification.recipient == who.username)
                .order_by(Notification.id.desc())
                .limit(limit)
            )
            if unread_only:
                query = query.where(Notification.read_at.is_(None))
            return [
                InboxItem(n.id, n.application_id, n.event, n.subject, n.body, n.created_at, n.read_at)
                for n in s.scalars(query)
            ]

    def mark_read(self, ids: list[int], *, actor: ActorLike, session: Session | None = None) -> int:
        """Mark the actor's own notifications read; returns how many changed."""
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            result = s.execute(
                update(Notification)
                .where(
                    Notification.id.in_(ids),
                    Notification.recipient == who.username,
                    Notification.read_at.is_(None),
                )
                .values(read_at=now)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)
