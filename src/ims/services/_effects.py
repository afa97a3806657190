"""Apply the engine's effects inside the transition's transaction.

Steps are upserted (unique per application and name), tasks closed and opened,
notifications written to the ``notifications`` table (the in-app inbox is
delivered by the commit itself; other channels are delivered later from the
same rows by the outbox worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, and_, bindparam, case, insert, literal_column, select, update

from ims.config.models import label_for
from ims.engine import (
    CloseTasksEffect,
    NotifyEffect,
    OpenStepEffect,
    OpenTaskEffect,
    PauseTasksEffect,
    ResumeTasksEffect,
)
from ims.services import _messages
from ims.sla import pending, times_for
from ims.store.db import core
from ims.store.models import (
    OPEN_TASK_STATUSES,
    Application,
    ApplicationStep,
    Notification,
    Role,
    SlaNotice,
    Task,
    TaskRole,
    User,
    UserRole,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime

    from sqlalchemy.orm import Session

    from ims.config.models import ImsConfig

# Core statements built once: a transition runs each of them on the session's connection
# (see ims.store.db.core), which costs about half of building and running them through the ORM.
_tasks = cast(Table, Task.__table__)
_steps = cast(Table, ApplicationStep.__table__)
_notes = cast(Table, Notification.__table__)
_users = cast(Table, User.__table__)
_roles = cast(Table, Role.__table__)
_grants = cast(Table, UserRole.__table__)
_CLOSE_TASKS = (
    update(_tasks)
    .where(
        _tasks.c.application_id == bindparam("app_id"),
        _tasks.c.state == bindparam("task_state"),
        # constants written into the SQL: an IN list of parameters is re-rendered per execution
        _tasks.c.status.in_([literal_column(f"'{status}'") for status in OPEN_TASK_STATUSES]),
    )
    .values(
        status=bindparam("new_status"),
        completed_at=bindparam("now"),
        next_check_at=None,
        # finished late before any sweep saw it: it breached at its due time
        breached_at=case(
            (
                and_(
                    _tasks.c.breached_at.is_(None),
                    _tasks.c.paused_at.is_(None),
                    _tasks.c.due_at < bindparam("now"),
                ),
                _tasks.c.due_at,
            ),
            else_=_tasks.c.breached_at,
        ),
    )
)
_INSERT_TASK = insert(_tasks)
_INSERT_TASK_ROLE = insert(cast(Table, TaskRole.__table__))
_OPEN: list[Any] = [literal_column(f"'{status}'") for status in OPEN_TASK_STATUSES]
_PAUSE_TASKS = (
    update(_tasks)
    .where(
        _tasks.c.application_id == bindparam("app_id"),
        _tasks.c.state == bindparam("task_state"),
        _tasks.c.status.in_(_OPEN),
        _tasks.c.paused_at.is_(None),
    )
    .values(paused_at=bindparam("now"), next_check_at=None)
)
_PAUSED_TASKS = select(
    _tasks.c.id,
    _tasks.c.state,
    _tasks.c.due_at,
    _tasks.c.warn_at,
    _tasks.c.paused_at,
    _tasks.c.paused_seconds,
).where(
    _tasks.c.application_id == bindparam("app_id"),
    _tasks.c.state == bindparam("task_state"),
    _tasks.c.status.in_(_OPEN),
    _tasks.c.paused_at.is_not(None),
)
_notices = cast(Table, SlaNotice.__table__)
_FIRED = select(_notices.c.task_id, _notices.c.kind, _notices.c.level).where(
    _notices.c.task_id.in_(bindparam("ids", expanding=True))
)
_RESUME_TASK = (
    update(_tasks)
    .where(_tasks.c.id == bindparam("task_id"))
    .values(
        paused_at=None,
        due_at=bindparam("due"),
        warn_at=bindparam("warn"),
        paused_seconds=bindparam("paused"),
        next_check_at=bindparam("next_check"),
    )
)
_STEP_EXISTS = select(_steps.c.id).where(
    _steps.c.application_id == bindparam("app_id"), _steps.c.step_name == bindparam("step")
)
_INSERT_STEP = insert(_steps)
#: number of roles -> the query of their active holders (``IN (:role_0, :role_1, ...)``)
_ROLE_HOLDERS: dict[int, Any] = {}
_INSERT_NOTIFICATION = insert(_notes)


def apply_effects(
    session: Session,
    config: ImsConfig,
    app: Application,
    effects: Iterable[object],
    now: datetime,
    *,
    event_key: str,
    context: Mapping[str, Any] | None = None,
) -> None:
    """Apply ``effects``; ``context`` gives message templates ``action``, ``actor``,
    ``reason``, ``comment`` and ``previous_state`` (see :mod:`ims.services._messages`).

    Resumed tasks keep their own due time (moved on by the hold), which the messages
    of the same move then show as ``{due_at}``.
    """
    context = dict(context or {})
    for effect in effects:
        if isinstance(effect, CloseTasksEffect):
            close_tasks(session, app.id, effect.state, effect.status, now)
        elif isinstance(effect, OpenTaskEffect):
            open_task(session, app, effect, _task_title(config, app, effect), now)
        elif isinstance(effect, PauseTasksEffect):
            core(session).execute(_PAUSE_TASKS, {"app_id": app.id, "task_state": effect.state, "now": now})
        elif isinstance(effect, ResumeTasksEffect):
            dues = resume_tasks(session, config, app, effect.state, now)
            if dues:
                context["due_at"] = _messages.local_time(config, min(dues))
            elif dues is None:
                for reopen in effect.reopen:
                    open_task(session, app, reopen, _task_title(config, app, reopen), now)
        elif isinstance(effect, OpenStepEffect):
            ensure_step(session, app.id, effect.step, now)
        elif isinstance(effect, NotifyEffect):
            notify(session, config, app, effect, now, event_key=event_key, context=context)
        else:  # pragma: no cover - the engine only emits the kinds above
            raise TypeError(f"unknown effect {effect!r}")


def open_task(session: Session, app: Application, effect: OpenTaskEffect, title: str, now: datetime) -> int:
    """Insert the task and its role rows; the new task's id."""
    conn = core(session)
    result = conn.execute(
        _INSERT_TASK,
        {
            "application_id": app.id,
            "workflow": app.workflow,
            "state": effect.state,
            "title": title,
            "roles": list(effect.roles),
            "assignee": effect.assignee,
            "status": "PENDING",
            "due_at": effect.due_at,
            "warn_at": effect.warn_at,
            "next_check_at": effect.warn_at or effect.due_at,
            "paused_seconds": 0.0,
            "created_at": now,
        },
    )
    key = result.inserted_primary_key
    assert key is not None
    task_id = int(key[0])
    roles = list(dict.fromkeys(effect.roles))
    if roles:
        conn.execute(_INSERT_TASK_ROLE, [{"task_id": task_id, "role": role} for role in roles])
    return task_id


def resume_tasks(
    session: Session, config: ImsConfig, app: Application, state: str, now: datetime
) -> list[datetime] | None:
    """Restart the clock of the tasks of ``state`` paused by a hold; their new due times
    (``None`` when no task was paused).

    Due and warning times move on by the SLA time spent on hold (working time when the
    state's SLA counts working hours); ``next_check_at`` becomes the next SLA event not
    sent yet.
    """
    conn = core(session)
    rows = conn.execute(_PAUSED_TASKS, {"app_id": app.id, "task_state": state}).all()
    if not rows:
        return None
    times = times_for(config)
    sla = config.sla.for_state(app.workflow, state)
    fired: dict[int, set[tuple[str, int]]] = {}
    for task_id, kind, level in conn.execute(_FIRED, {"ids": [r.id for r in rows]}):
        fired.setdefault(task_id, set()).add((kind, level))
    updates = []
    for row in rows:
        due = times.resume(sla, row.due_at, row.paused_at, now) if row.due_at else None
        warn = times.resume(sla, row.warn_at, row.paused_at, now) if row.warn_at else None
        next_check = None
        if sla is not None and due is not None:
            left = pending(times.milestones(sla, warn, due), fired.get(row.id, set()))
            next_check = left[0].at if left else None
        paused = row.paused_seconds + times.paused_hours(sla, row.paused_at, now) * 3600.0
        updates.append(
            {"task_id": row.id, "due": due, "warn": warn, "paused": paused, "next_check": next_check}
        )
    conn.execute(_RESUME_TASK, updates)
    return [u["due"] for u in updates if u["due"] is not None]


def _task_title(config: ImsConfig, app: Application, effect: OpenTaskEffect) -> str:
    return label_for(dict(effect.title), config.settings.language, "") or _state_label(
        config, app.workflow, effect.state
    )


def close_tasks(session: Session, application_id: int, state: str, status: str, now: datetime) -> None:
    """Close the open tasks of ``state`` with ``status`` (COMPLETED or CANCELLED)."""
    core(session).execute(
        _CLOSE_TASKS, {"app_id": application_id, "task_state": state, "new_status": status, "now": now}
    )


def ensure_step(session: Session, application_id: int, step: str, now: datetime) -> None:
    """:func:`open_step` without loading the row: an existing step is left as it is."""
    conn = core(session)
    if conn.execute(_STEP_EXISTS, {"app_id": application_id, "step": step}).first() is None:
        conn.execute(
            _INSERT_STEP,
            {
                "application_id": application_id,
                "step_name": step,
                "status": "PENDING",
                "data": {},
                "created_at": now,
                "updated_at": now,
            },
        )


def open_step(session: Session, application_id: int, step: str, now: datetime) -> ApplicationStep:
    """Upsert: an existing step (and its data) is kept; a new one starts PENDING."""
    row = session.scalar(
        select(ApplicationStep).where(
            ApplicationStep.application_id == application_id, ApplicationStep.step_name == step
        )
    )
    if row is None:
        row = ApplicationStep(
            application_id=application_id,
            step_name=step,
            status="PENDING",
            data={},
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    return row


def _state_label(config: ImsConfig, workflow: str, state: str) -> str:
    st = config.workflows[workflow].states.get(state)
    return label_for(dict(st.label), config.settings.language, state) if st else state


def users_with_roles(session: Session, roles: Iterable[str]) -> dict[str, list[str]]:
    wanted = list(roles)
    if not wanted:
        return {}
    statement = _ROLE_HOLDERS.get(len(wanted))
    if statement is None:
        statement = _ROLE_HOLDERS[len(wanted)] = (
            select(_roles.c.name, _users.c.username)
            .select_from(_roles)
            .join(_grants, _grants.c.role_id == _roles.c.id)
            .join(_users, _users.c.id == _grants.c.user_id)
            .where(
                _roles.c.name.in_([bindparam(f"role_{i}") for i in range(len(wanted))]),
                _users.c.active.is_(True),
            )
        )
    params = {f"role_{i}": role for i, role in enumerate(wanted)}
    rows = core(session).execute(statement, params).all()
    out: dict[str, list[str]] = {r: [] for r in wanted}
    for role, username in rows:
        out[role].append(username)
    return out


def notify(
    session: Session,
    config: ImsConfig,
    app: Application,
    effect: NotifyEffect,
    now: datetime,
    *,
    event_key: str,
    context: Mapping[str, Any] | None = None,
) -> None:
    """One inbox row per recipient (a role nobody holds keeps one role-addressed row),
    and one outbox row per enabled channel per recipient with an address."""
    recipients: dict[str, str | None] = {}  # username -> role it came through
    orphan_roles: list[str] = []
    for role, users in users_with_roles(session, effect.roles).items():
        if not users:
            orphan_roles.append(role)
        for username in users:
            recipients.setdefault(username, role)
    for named in (*effect.users, effect.assignee, effect.applicant):
        if named:
            recipients.setdefault(named, None)
    targets: list[tuple[str | None, str | None]] = [(u, r) for u, r in sorted(recipients.items())]
    targets += [(None, r) for r in orphan_roles]
    _messages.enqueue(
        session,
        config,
        app,
        event=effect.event,
        template=effect.template,
        state=effect.state,
        targets=targets,
        to_applicant=effect.to_applicant,
        now=now,
        event_key=event_key,
        context=context,
    )


def notify_event(
    session: Session,
    config: ImsConfig,
    app: Application,
    template: str,
    recipients: Iterable[str | None],
    now: datetime,
    event_key: str,
    extra: Mapping[str, Any] | None = None,
    *,
    to_applicant: bool = False,
) -> None:
    """Enqueue ``template`` about ``app`` outside a transition (e.g. ``document_rejected``).

    ``recipients`` are usernames (``None`` entries and duplicates are skipped);
    ``to_applicant`` adds the applicant, by the address in the application data when
    they have no account.  ``extra`` adds template values (``reason``,
    ``document_type``, ...).  Call it in the transaction making the change.
    """
    names = sorted({r for r in recipients if r})
    _messages.enqueue(
        session,
        config,
        app,
        event=template.replace("_", "-"),
        template=template,
        state=app.state,
        targets=[(n, None) for n in names],
        to_applicant=to_applicant,
        now=now,
        event_key=event_key,
        context=extra,
    )
