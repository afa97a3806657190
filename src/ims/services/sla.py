"""The SLA sweep: warnings, breaches and escalations of open tasks, each sent exactly once.

Every open task with an SLA carries ``next_check_at``, the moment its next SLA event
(warning, breach, escalation level) falls due.  :meth:`SlaService.sweep` reads only the
rows with ``next_check_at <= now`` through that column's index, in batches, so its cost
follows the tasks due, not the tasks open.  Per batch, in one transaction:

1. claim the rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: concurrent sweepers take
   disjoint batches; on SQLite writers are serialised by ``BEGIN IMMEDIATE``);
2. for each task, the SLA events due and not sent yet (``sla_notices``) fire: one
   ``sla_notices`` row, and the notification rows of its recipients (inbox and outbox);
   a breach marks the task ``OVERDUE`` and sets ``breached_at``;
3. ``next_check_at`` moves to the next event, or ``NULL`` when none is left.

A sweep that crashes before its commit sends nothing; the next sweep finds the same
rows due.  ``sla_notices`` is unique per (task, kind, level): even a bug in the
bookkeeping above could not send a notice twice.  See docs/reference/tasks-and-sla.md.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, Table, bindparam, func, select, text, update

from ims.services import _messages
from ims.services._effects import users_with_roles
from ims.sla import BREACH, ESCALATION, WARNING, Milestone, pending, times_for
from ims.store.bulk import bulk_insert
from ims.store.db import core
from ims.store.models import Application, SlaNotice, Task

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import StateSla
    from ims.services._runtime import Runtime

#: tasks claimed per transaction
DEFAULT_BATCH = 1000

_tasks = cast(Table, Task.__table__)
_apps = cast(Table, Application.__table__)
_notices = cast(Table, SlaNotice.__table__)
_DUE = (
    select(
        _tasks.c.id,
        _tasks.c.application_id,
        _tasks.c.workflow,
        _tasks.c.state,
        _tasks.c.title,
        _tasks.c.roles,
        _tasks.c.assignee,
        _tasks.c.status,
        _tasks.c.due_at,
        _tasks.c.warn_at,
        _tasks.c.breached_at,
    )
    .where(_tasks.c.next_check_at <= bindparam("now"))
    .order_by(_tasks.c.next_check_at, _tasks.c.id)
    .limit(bindparam("batch", type_=Integer))
    .with_for_update(skip_locked=True)
)
_APPS = select(
    _apps.c.id,
    _apps.c.number,
    _apps.c.workflow,
    _apps.c.data,
    _apps.c.assignee,
    _apps.c.applicant,
    _apps.c.previous_state,
).where(_apps.c.id.in_(bindparam("ids", expanding=True)))
_FIRED = select(_notices.c.task_id, _notices.c.kind, _notices.c.level).where(
    _notices.c.task_id.in_(bindparam("ids", expanding=True))
)
_UPDATE_TASK = (
    update(_tasks)
    .where(_tasks.c.id == bindparam("task_id"))
    .values(
        status=bindparam("new_status"), breached_at=bindparam("breached"), next_check_at=bindparam("next")
    )
)
#: PostgreSQL: every task of a batch in one UPDATE over arrays
_UPDATE_TASKS_PG = text(
    "UPDATE tasks SET status = v.status, breached_at = v.breached, next_check_at = v.next "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:statuses AS varchar[]), "
    "CAST(:breached AS timestamptz[]), CAST(:nexts AS timestamptz[])) AS v(id, status, breached, next) "
    "WHERE tasks.id = v.id"
)
#: the notification template of each kind of notice
TEMPLATES = {WARNING: "sla_warning", BREACH: "sla_breach", ESCALATION: "sla_escalation"}


@dataclass(frozen=True)
class SweepResult:
    """What one :meth:`SlaService.sweep` did."""

    #: tasks read because something fell due
    examined: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    #: tasks whose status became OVERDUE
    marked_overdue: int = 0
    #: notification rows written (inbox and channels)
    notifications: int = 0
    batches: int = 0
    seconds: float = 0.0
    #: ``(application number, kind, level, recipients)`` of every notice sent
    notices: tuple[tuple[str, str, int, tuple[str, ...]], ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "examined": self.examined,
            "warnings": self.warnings,
            "breaches": self.breaches,
            "escalations": self.escalations,
            "marked_overdue": self.marked_overdue,
            "notifications": self.notifications,
            "batches": self.batches,
            "seconds": round(self.seconds, 6),
        }


@dataclass
class _Tally:
    examined: int = 0
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    marked_overdue: int = 0
    notifications: int = 0
    batches: int = 0
    notices: list[tuple[str, str, int, tuple[str, ...]]] = field(default_factory=list)


class SlaService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def sweep(
        self, *, now: datetime | None = None, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None
    ) -> SweepResult:
        """Send the SLA warnings, breaches and escalations due at ``now`` (default: the clock).

        Each batch of ``batch_size`` tasks is its own transaction; the sweep ends when a
        batch comes back short (or after ``max_batches``).  Safe to run concurrently and
        to rerun: every notice is sent once.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        started = time.perf_counter()
        at = now or self._rt.now()
        tally = _Tally()
        while max_batches is None or tally.batches < max_batches:
            with self._rt.transaction() as s:
                claimed = self._sweep_batch(s, at, batch_size, tally)
            if claimed:
                tally.batches += 1
            if claimed < batch_size:
                break
        return SweepResult(
            examined=tally.examined,
            warnings=tally.warnings,
            breaches=tally.breaches,
            escalations=tally.escalations,
            marked_overdue=tally.marked_overdue,
            notifications=tally.notifications,
            batches=tally.batches,
            seconds=time.perf_counter() - started,
            notices=tuple(tally.notices),
        )

    def due_count(self, *, now: datetime | None = None, session: Session | None = None) -> int:
        """How many tasks have an SLA event due (what the next sweep would examine)."""
        at = now or self._rt.now()
        with self._rt.reading(session) as s:
            query = select(func.count()).select_from(_tasks).where(_tasks.c.next_check_at <= at)
            return int(s.execute(query).scalar_one())

    def notices(
        self, *, application_id: int | None = None, session: Session | None = None
    ) -> list[dict[str, Any]]:
        """The notices sent, oldest first (optionally for one application)."""
        query = select(_notices).order_by(_notices.c.id)
        if application_id is not None:
            query = query.where(_notices.c.application_id == application_id)
        with self._rt.reading(session) as s:
            return [dict(row._mapping) for row in s.execute(query)]

    # ------------------------------------------------------------------ internals

    def _sweep_batch(self, s: Session, now: datetime, batch: int, tally: _Tally) -> int:
        rt = self._rt
        conn = core(s)
        rows = conn.execute(_DUE, {"now": now, "batch": batch}).all()
        if not rows:
            return 0
        tally.examined += len(rows)
        ids = [r.id for r in rows]
        # plain rows, not ORM objects: the message templates read a handful of attributes
        apps = {
            r.id: cast(Application, r)
            for r in conn.execute(_APPS, {"ids": sorted({r.application_id for r in rows})})
        }
        fired: dict[int, set[tuple[str, int]]] = {}
        for task_id, kind, level in conn.execute(_FIRED, {"ids": ids}):
            fired.setdefault(task_id, set()).add((kind, level))
        times = times_for(rt.config)

        plans: list[tuple[Any, StateSla | None, list[Milestone], Milestone | None]] = []
        roles_wanted: set[str] = set()
        for row in rows:
            sla = rt.config.sla.for_state(row.workflow, row.state)
            if sla is None or row.due_at is None:
                plans.append((row, None, [], None))
                continue
            left = pending(times.milestones(sla, row.warn_at, row.due_at), fired.get(row.id, set()))
            due = [m for m in left if m.at <= now]
            if any(m.kind == BREACH for m in due):  # a warning overtaken by its breach is not sent
                due = [m for m in due if m.kind != WARNING]
            later = next((m for m in left if m.at > now), None)
            plans.append((row, sla, due, later))
            for m in due:
                if m.kind == ESCALATION and m.escalation is not None:
                    roles_wanted.update(m.escalation.notify)
                elif not row.assignee:
                    roles_wanted.update(row.roles or ())
        holders = users_with_roles(s, sorted(roles_wanted))
        everyone = sorted({u for users in holders.values() for u in users} | _named(plans))
        emails = _messages.user_emails(s, everyone) if rt.config.notifications.channels else {}

        notice_rows: list[dict[str, Any]] = []
        message_rows: list[dict[str, Any]] = []
        task_updates: list[dict[str, Any]] = []
        for row, sla, due, later in plans:
            status, breached = row.status, row.breached_at
            app = apps[row.application_id]
            for m in due:
                targets = _targets(m, row, holders)
                names = tuple(u or f"role:{r}" for u, r in targets)
                notice_rows.append(
                    {
                        "task_id": row.id,
                        "application_id": row.application_id,
                        "kind": m.kind,
                        "level": m.level,
                        "due_at": m.at,
                        "fired_at": now,
                        "recipients": list(names),
                    }
                )
                template = TEMPLATES[m.kind]
                message_rows += _messages.message_rows(
                    s,
                    rt.config,
                    app,
                    event=template.replace("_", "-"),
                    template=template,
                    state=row.state,
                    targets=targets,
                    to_applicant=False,
                    now=now,
                    event_key=f"sla-task{row.id}-{m.kind.lower()}{m.level}",
                    context=_context(rt, row, m, sla, now),
                    emails=emails,
                )
                tally.notices.append((app.number, m.kind, m.level, names))
                if m.kind == WARNING:
                    tally.warnings += 1
                elif m.kind == BREACH:
                    tally.breaches += 1
                    breached = breached or m.at
                    if status != "OVERDUE":
                        status = "OVERDUE"
                        tally.marked_overdue += 1
                else:
                    tally.escalations += 1
            task_updates.append(
                {
                    "task_id": row.id,
                    "new_status": status,
                    "breached": breached,
                    "next": later.at if later else None,
                }
            )
        bulk_insert(conn, _notices, notice_rows)
        _messages.insert_rows(s, message_rows)
        if conn.dialect.name == "postgresql":
            conn.execute(
                _UPDATE_TASKS_PG,
                {
                    "ids": [u["task_id"] for u in task_updates],
                    "statuses": [u["new_status"] for u in task_updates],
                    "breached": [u["breached"] for u in task_updates],
                    "nexts": [u["next"] for u in task_updates],
                },
            )
        else:  # SQLite: executemany in process, as fast
            conn.execute(_UPDATE_TASK, task_updates)
        tally.notifications += len(message_rows)
        return len(rows)


def _named(plans: list[tuple[Any, StateSla | None, list[Milestone], Milestone | None]]) -> set[str]:
    """Usernames named directly (assignees, escalation users) in a batch's plans."""
    names: set[str] = set()
    for row, _sla, due, _later in plans:
        if due and row.assignee:
            names.add(row.assignee)
        for m in due:
            if m.escalation is not None:
                names.update(m.escalation.users)
    return names


def _targets(m: Milestone, row: Any, holders: dict[str, list[str]]) -> list[tuple[str | None, str | None]]:
    """``(username, role it came through)`` of a notice; ``(None, role)`` for a role nobody holds.

    A warning or breach goes to the task's assignee, else to the holders of its roles (its
    queue); an escalation to its roles, users and (``assignee: true``) the assignee.
    """
    recipients: dict[str, str | None] = {}
    orphans: list[str] = []
    if m.kind == ESCALATION and m.escalation is not None:
        roles: tuple[str, ...] = m.escalation.notify
        named = [*m.escalation.users, *([row.assignee] if m.escalation.assignee and row.assignee else [])]
    elif row.assignee:
        roles, named = (), [row.assignee]
    else:
        roles, named = tuple(row.roles or ()), []
    for role in roles:
        users = holders.get(role, [])
        if not users:
            orphans.append(role)
        for username in users:
            recipients.setdefault(username, role)
    for username in named:
        recipients.setdefault(username, None)
    return [*sorted(recipients.items()), *((None, r) for r in orphans)]


def _context(rt: Runtime, row: Any, m: Milestone, sla: StateSla | None, now: datetime) -> dict[str, Any]:
    overdue = max((now - row.due_at).total_seconds() / 3600.0, 0.0)
    return {
        "due_at": _local(rt.config.settings.timezone, row.due_at),
        "sla_hours": f"{sla.allowed_hours:g}" if sla else "",
        "task_title": row.title,
        "level": m.level,
        "overdue_hours": f"{overdue:.0f}",
    }


@functools.lru_cache(maxsize=4096)
def _local(zone: str, moment: datetime) -> str:
    """A due time as messages show it (many tasks of a bulk share one: cached)."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
