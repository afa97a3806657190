"""Tasks and work queues: who does what, by when.

Entering a state opens its task (``open_task`` in the workflow): for the state's roles,
or assigned to the user a data field names (``assignee_field``), due by the state's SLA.
Here people act on tasks:

* :meth:`TaskService.claim` takes an unassigned task of one of your roles;
* :meth:`TaskService.assign` gives (or takes back, or hands over) a task: the supervisor's
  action (permission ``tasks.assign``); the new assignee is notified (``task_assigned``);
* :meth:`TaskService.start`, :meth:`TaskService.complete` by the assignee (a supervisor may
  complete any task); :meth:`TaskService.cancel` with a reason (``tasks.cancel``).

Every action is audited on the application's chain in the transaction that makes it.
Queues are SQL: yours, and the unassigned ones of your roles (through ``task_roles``),
overdue first, then by due time, filtered and paged, with the total count.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import and_, case, exists, func, or_, select

from ims.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from ims.services import _records
from ims.services._actors import SYSTEM, ActorLike, require_permission, resolve_actor
from ims.services._effects import notify_event
from ims.services._messages import local_time
from ims.store import audit
from ims.store.models import OPEN_TASK_STATUSES, TASK_STATUSES, Application, Task, TaskRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.rules import Actor
    from ims.services._runtime import Runtime

#: permission to assign and reassign tasks (and complete anyone's)
ASSIGN = "tasks.assign"
#: permission to cancel a task
CANCEL = "tasks.cancel"
#: permission to list every task, not only one's own queue
SUPERVISE = "tasks.supervise"

Scope = Literal["all", "mine", "unassigned"]


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
    workflow: str = ""
    warn_at: datetime | None = None
    breached_at: datetime | None = None
    started_at: datetime | None = None
    completed_by: str | None = None
    #: set while the application is on hold (the SLA clock is stopped)
    paused_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def overdue_at(self, now: datetime) -> bool:
        """Past due at ``now`` (and still open, not on hold)."""
        if self.status == "OVERDUE":
            return True
        return self.open and self.paused_at is None and self.due_at is not None and self.due_at <= now


@dataclass(frozen=True)
class TaskPage:
    """One page of a queue: the tasks, the total matching, and the page asked for."""

    items: builtins.list[TaskView]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


class TaskService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    # ------------------------------------------------------------------ reading

    def get(self, task_id: int, *, session: Session | None = None) -> TaskView:
        with self._rt.reading(session) as s:
            row = s.execute(_SELECT.where(Task.id == task_id)).first()
            if row is None:
                raise NotFound(f"task {task_id} does not exist")
            return _view(row[0], row[1])

    def for_application(
        self, ref: _records.ApplicationRef, *, session: Session | None = None
    ) -> builtins.list[TaskView]:
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            query = _SELECT.where(Task.application_id == app.id).order_by(Task.id)
            return [_view(t, n) for t, n in s.execute(query).all()]

    def queue(
        self,
        *,
        actor: ActorLike,
        scope: Scope = "all",
        state: str | None = None,
        status: str | None = None,
        workflow: str | None = None,
        due_before: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        session: Session | None = None,
    ) -> TaskPage:
        """The actor's work queue: open tasks assigned to them (``mine``), unassigned in one
        of their roles (``unassigned``), or both (``all``); overdue first, then soonest due."""
        _check_page(limit, offset)
        with self._rt.reading(session) as s:
            who = resolve_actor(s, actor)
            mine = Task.assignee == who.username
            in_my_roles = and_(
                Task.assignee.is_(None),
                exists().where(TaskRole.task_id == Task.id, TaskRole.role.in_(sorted(who.roles))),
            )
            where: builtins.list[Any] = [Task.status.in_(OPEN_TASK_STATUSES)]
            where.append({"mine": mine, "unassigned": in_my_roles, "all": or_(mine, in_my_roles)}[scope])
            return self._page(s, where, state, status, workflow, due_before, limit, offset)

    def list(
        self,
        *,
        actor: ActorLike,
        state: str | None = None,
        status: str | None = None,
        workflow: str | None = None,
        assignee: str | None = None,
        role: str | None = None,
        due_before: datetime | None = None,
        include_closed: bool = False,
        limit: int = 50,
        offset: int = 0,
        session: Session | None = None,
    ) -> TaskPage:
        """Every task (permission ``tasks.supervise``): open ones unless ``include_closed``
        or a closed ``status`` is asked; overdue first, then soonest due."""
        _check_page(limit, offset)
        with self._rt.reading(session) as s:
            who = resolve_actor(s, actor)
            require_permission(self._rt.config, who, SUPERVISE, "listing every task")
            where: builtins.list[Any] = []
            if not include_closed and status is None:
                where.append(Task.status.in_(OPEN_TASK_STATUSES))
            if assignee is not None:
                where.append(Task.assignee == assignee)
            if role is not None:
                where.append(exists().where(TaskRole.task_id == Task.id, TaskRole.role == role))
            return self._page(s, where, state, status, workflow, due_before, limit, offset)

    def open_count(self, *, session: Session | None = None) -> int:
        with self._rt.reading(session) as s:
            query = select(func.count()).select_from(Task).where(Task.status.in_(OPEN_TASK_STATUSES))
            return int(s.execute(query).scalar_one())

    def _page(
        self,
        s: Session,
        where: builtins.list[Any],
        state: str | None,
        status: str | None,
        workflow: str | None,
        due_before: datetime | None,
        limit: int,
        offset: int,
    ) -> TaskPage:
        if status is not None:
            if status not in TASK_STATUSES:
                raise ValidationFailed(
                    "status", [f"unknown task status '{status}' (one of {', '.join(TASK_STATUSES)})"]
                )
            where.append(Task.status == status)
        if state is not None:
            where.append(Task.state == state)
        if workflow is not None:
            where.append(Task.workflow == workflow)
        if due_before is not None:
            where.append(Task.due_at < due_before)
        now = self._rt.now()
        overdue_first = case(
            (Task.status == "OVERDUE", 0),
            (and_(Task.due_at <= now, Task.paused_at.is_(None)), 0),
            else_=1,
        )
        query = _SELECT.where(*where).order_by(overdue_first, Task.due_at.is_(None), Task.due_at, Task.id)
        total = int(s.execute(select(func.count()).select_from(Task).where(*where)).scalar_one())
        rows = s.execute(query.limit(limit).offset(offset)).all()
        return TaskPage([_view(t, n) for t, n in rows], total, limit, offset)

    # ------------------------------------------------------------------ acting

    def claim(self, task_id: int, *, actor: ActorLike, session: Session | None = None) -> TaskView:
        """Take an unassigned task of one of your roles (it leaves the others' queues)."""
        with self._acting(task_id, actor, session) as (s, who, task, app):
            if task.assignee == who.username:
                return self._done(s, task, app)
            if task.assignee is not None:
                raise Conflict(
                    f"task {task.id} is already assigned to {task.assignee}; ask a supervisor to reassign it"
                )
            if not (who.roles & set(task.roles or ())) and not _may(self._rt, who, ASSIGN):
                raise PermissionDenied(
                    f"task {task.id} is for {', '.join(task.roles) or 'nobody'}; {who.username} has "
                    f"{', '.join(sorted(who.roles)) or 'no roles'}"
                )
            task.assignee = who.username
            self._audit(s, app, who, "task-claimed", task)
            return self._done(s, task, app)

    def assign(
        self,
        task_id: int,
        assignee: str | None,
        *,
        actor: ActorLike,
        session: Session | None = None,
    ) -> TaskView:
        """Assign or reassign a task (``None``: back to its roles' queue); permission
        ``tasks.assign``.  The new assignee must be an active user holding one of the task's
        roles, and is notified (template ``task_assigned``)."""
        with self._acting(task_id, actor, session) as (s, who, task, app):
            require_permission(self._rt.config, who, ASSIGN, "assigning a task")
            if assignee is not None:
                self._check_assignee(s, task, assignee)
            before = task.assignee
            if before == assignee:
                return self._done(s, task, app)
            task.assignee = assignee
            if assignee is None and task.status == "IN_PROGRESS":
                task.status, task.started_at = "PENDING", None
            action = "task-reassigned" if before else "task-assigned"
            entry = self._audit(s, app, who, action, task, previous_assignee=before)
            if assignee is not None and assignee != who.username:
                extra = {"task_title": task.title, "actor": who.username}
                if task.due_at is not None:
                    extra["due_at"] = local_time(self._rt.config, task.due_at)
                notify_event(
                    s,
                    self._rt.config,
                    app,
                    "task_assigned",
                    [assignee],
                    self._rt.now(),
                    f"audit{entry}",
                    extra,
                )
            return self._done(s, task, app)

    def start(self, task_id: int, *, actor: ActorLike, session: Session | None = None) -> TaskView:
        """Mark your task IN_PROGRESS (an unassigned task of your roles is claimed first)."""
        with self._acting(task_id, actor, session) as (s, who, task, app):
            if task.assignee is None and who.roles & set(task.roles or ()):
                task.assignee = who.username
            if task.assignee != who.username:
                raise PermissionDenied(
                    f"task {task.id} is assigned to {task.assignee or 'nobody'}, not {who.username}"
                )
            if task.status == "IN_PROGRESS":
                return self._done(s, task, app)
            if task.started_at is None:
                task.started_at = self._rt.now()
            if task.status == "PENDING":
                task.status = "IN_PROGRESS"
            self._audit(s, app, who, "task-started", task)
            return self._done(s, task, app)

    def complete(
        self, task_id: int, *, actor: ActorLike, comment: str | None = None, session: Session | None = None
    ) -> TaskView:
        """Mark a task done: by its assignee (an unassigned task: by a holder of its roles), or
        by a supervisor (``tasks.assign``).  Late completion records ``breached_at``."""
        with self._acting(task_id, actor, session) as (s, who, task, app):
            own = task.assignee == who.username or (
                task.assignee is None and who.roles & set(task.roles or ())
            )
            if not own and not _may(self._rt, who, ASSIGN):
                raise PermissionDenied(
                    f"task {task.id} is assigned to {task.assignee or 'its roles'}; completing someone "
                    f"else's task needs permission '{ASSIGN}'"
                )
            now = self._rt.now()
            task.status, task.completed_at, task.completed_by = "COMPLETED", now, who.username
            task.assignee = task.assignee or who.username
            if (
                task.breached_at is None
                and task.due_at is not None
                and task.due_at < now
                and task.paused_at is None
            ):
                task.breached_at = task.due_at
            task.next_check_at = None
            self._audit(s, app, who, "task-completed", task, comment=comment)
            return self._done(s, task, app)

    def cancel(
        self, task_id: int, *, actor: ActorLike, reason: str, session: Session | None = None
    ) -> TaskView:
        """Cancel a task that is not needed (permission ``tasks.cancel``; a reason is required)."""
        if not (reason and reason.strip()):
            raise ValidationFailed("reason", ["cancelling a task needs a reason"])
        with self._acting(task_id, actor, session) as (s, who, task, app):
            require_permission(self._rt.config, who, CANCEL, "cancelling a task")
            task.status, task.completed_at, task.next_check_at = "CANCELLED", self._rt.now(), None
            self._audit(s, app, who, "task-cancelled", task, reason=reason)
            return self._done(s, task, app)

    # ------------------------------------------------------------------ internals

    def _acting(self, task_id: int, actor: ActorLike, session: Session | None) -> _Acting:
        return _Acting(self._rt, task_id, actor, session)

    def _check_assignee(self, s: Session, task: Task, username: str) -> None:
        user = resolve_actor(s, username)
        roles = set(task.roles or ())
        if roles and not user.roles & roles:
            raise ValidationFailed(
                "assignee",
                [f"{username} holds none of the task's roles ({', '.join(sorted(roles))})"],
            )

    def _audit(self, s: Session, app: Application, who: Actor, action: str, task: Task, **extra: Any) -> int:
        payload: dict[str, Any] = {
            "number": app.number,
            "task_id": task.id,
            "state": task.state,
            "assignee": task.assignee,
            "status": task.status,
        }
        payload.update({k: v for k, v in extra.items() if v is not None})
        s.flush()
        entry = audit.append(
            s,
            chain=f"application:{app.id}",
            application_id=app.id,
            actor=who.username,
            action=action,
            payload=payload,
            now=self._rt.now(),
            row_locked=True,
        )
        return int(entry.id)

    def _done(self, s: Session, task: Task, app: Application) -> TaskView:
        s.flush()
        return _view(task, app.number)


class _Acting:
    """``with`` block of a task action: a transaction, the actor, the task and its application.

    The application's row is locked first (``FOR NO KEY UPDATE`` on PostgreSQL: the
    application's audit chain is written under that lock, as transitions do; it does not
    block the SLA sweep's inserts), then the task's; a closed task refuses every action.
    """

    def __init__(self, rt: Runtime, task_id: int, actor: ActorLike, session: Session | None) -> None:
        self._rt, self._task_id, self._actor, self._session = rt, task_id, actor, session

    def __enter__(self) -> tuple[Session, Actor, Task, Application]:
        self._cm = self._rt.transaction(self._session)
        s = self._cm.__enter__()
        try:
            who = resolve_actor(s, self._actor)
            app_id = s.scalar(select(Task.application_id).where(Task.id == self._task_id))
            if app_id is None:
                raise NotFound(f"task {self._task_id} does not exist")
            app = s.scalars(
                select(Application).where(Application.id == app_id).with_for_update(key_share=True)
            ).one()
            task = s.scalars(select(Task).where(Task.id == self._task_id).with_for_update()).one()
            if task.status not in OPEN_TASK_STATUSES:
                raise Conflict(f"task {task.id} is {task.status}: it can no longer be changed")
        except BaseException as exc:
            self._cm.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return s, who, task, app

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)


def _may(rt: Runtime, who: Actor, permission: str) -> bool:
    if who is SYSTEM:
        return True
    allowed = rt.config.roles.permissions.get(permission)
    return allowed is not None and bool(who.roles & set(allowed))


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= 1000:
        raise ValidationFailed("limit", [f"limit must be 1 to 1000 (is {limit})"])
    if offset < 0:
        raise ValidationFailed("offset", [f"offset must not be negative (is {offset})"])


_SELECT = select(Task, Application.number).join(Application, Application.id == Task.application_id)


def _view(t: Task, number: str) -> TaskView:
    return TaskView(
        id=t.id,
        application_id=t.application_id,
        application_number=number,
        state=t.state,
        title=t.title,
        roles=tuple(t.roles or ()),
        assignee=t.assignee,
        status=t.status,
        due_at=t.due_at,
        created_at=t.created_at,
        completed_at=t.completed_at,
        workflow=t.workflow,
        warn_at=t.warn_at,
        breached_at=t.breached_at,
        started_at=t.started_at,
        completed_by=t.completed_by,
        paused_at=t.paused_at,
    )


__all__ = ["ASSIGN", "CANCEL", "SUPERVISE", "TaskPage", "TaskService", "TaskView"]
