"""Tasks opened by entering states: list them per application or per work queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from ims.services import _records
from ims.services._actors import ActorLike, resolve_actor
from ims.services._effects import OPEN_TASK_STATUSES
from ims.store.models import Application, Task

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime


@dataclass(frozen=True)
class TaskView:
    id: int
    application_id: int
    application_number: str
    state: str
    title: str
    roles: tuple[str, ...]
    assignee: str | None
    status: str
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None


class TaskService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def for_application(
        self, ref: _records.ApplicationRef, *, session: Session | None = None
    ) -> list[TaskView]:
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            query = (
                select(Task, Application.number)
                .join(Application, Application.id == Task.application_id)
                .where(Task.application_id == app.id)
                .order_by(Task.id)
            )
            return [_view(t, n) for t, n in s.execute(query).all()]

    def queue(
        self, *, actor: ActorLike, limit: int = 50, offset: int = 0, session: Session | None = None
    ) -> list[TaskView]:
        """Open tasks assigned to the actor or unassigned in one of the actor's roles; soonest due first."""
        with self._rt.reading(session) as s:
            who = resolve_actor(s, actor)
            query = (
                select(Task, Application.number)
                .join(Application, Application.id == Task.application_id)
                .where(Task.status.in_(OPEN_TASK_STATUSES))
                .order_by(Task.due_at.is_(None), Task.due_at, Task.id)
            )
            rows = s.execute(query).all()
            mine = [
                (t, n)
                for t, n in rows
                if t.assignee == who.username or (t.assignee is None and who.roles & set(t.roles or []))
            ]
            return [_view(t, n) for t, n in mine[offset : offset + limit]]

    def open_count(self, *, session: Session | None = None) -> int:
        with self._rt.reading(session) as s:
            return len(
                s.scalars(select(Task.id).where(or_(*(Task.status == st for st in OPEN_TASK_STATUSES)))).all()
            )


def _view(t: Task, number: str) -> TaskView:
    return TaskView(
        t.id,
        t.application_id,
        number,
        t.state,
        t.title,
        tuple(t.roles or ()),
        t.assignee,
        t.status,
        t.due_at,
        t.created_at,
        t.completed_at,
    )
