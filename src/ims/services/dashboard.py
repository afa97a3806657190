"""The numbers a landing page shows a user: ``ims.dashboard.for_user(actor)``.

Five small aggregate queries in one read transaction, each on an index:

* the user's open tasks, overdue and due soon: ``tasks (assignee, status)``;
* open tasks nobody took in the user's roles: the partial index
  ``ix_tasks_open_unassigned (workflow, state)``, over the states whose task the
  workflow gives to one of those roles;
* applications by workflow and state: ``applications (workflow, state)``, or
  ``applications (applicant)`` for an applicant, who sees only their own;
* this month's decisions: entries into final states in ``state_periods
  (workflow, state, entered_at)``.

The office-wide count by state is the same for every staff user, so it is kept
for ``cache_seconds`` (default 30, by the runtime clock; 0 turns it off): a
page load then costs the four per-user queries only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal_column, select, text

from ims.config.models import OpenTask
from ims.reports._scope import outcome_of, pairs_in
from ims.services._actors import ActorLike, resolve_actor
from ims.store.models import OPEN_TASK_STATUSES, Application, StatePeriod, Task
from ims.store.models._tasks import OPEN_UNASSIGNED

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import ImsConfig
    from ims.rules import Actor
    from ims.services._runtime import Runtime

#: a task is "due soon" when its SLA warning point has passed, or it is due within this
DUE_SOON = timedelta(hours=24)
#: the role whose holders see only their own applications
APPLICANT_ROLE = "applicant"


@dataclass(frozen=True)
class StateCount:
    workflow: str
    state: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    """What a user's landing page shows; every count is exact at ``as_of``
    (``applications_by_state`` for staff: at most ``cache_seconds`` old)."""

    username: str
    roles: tuple[str, ...]
    as_of: datetime
    #: open tasks assigned to the user
    my_open_tasks: int
    #: of those, past their due time
    my_overdue: int
    #: of those, not yet overdue but past the SLA warning point or due within 24 hours
    due_soon: int
    #: open tasks assigned to nobody in the states whose task is for one of the user's roles
    unassigned_in_my_roles: int
    #: applications per workflow and state the user may see (an applicant: their own)
    applications_by_state: tuple[StateCount, ...]
    #: decisions (entries into final states) since the first of this month, local time
    decisions_this_month: dict[str, int] = field(default_factory=dict)


class DashboardService:
    def __init__(self, runtime: Runtime, *, cache_seconds: float = 30.0) -> None:
        self._rt = runtime
        self.cache_seconds = cache_seconds
        self._office_counts: tuple[datetime, tuple[StateCount, ...]] | None = None

    def for_user(self, actor: ActorLike, *, session: Session | None = None) -> Dashboard:
        """The dashboard of ``actor`` (a username or an :class:`ims.rules.Actor`).

        Raises:
            PermissionDenied: an unknown or inactive user.
        """
        now = self._rt.now()
        with self._rt.reading(session) as s:
            who = resolve_actor(s, actor)
            own_only = _sees_only_own(who)
            mine, late, soon = _my_tasks(s, who.username, now)
            return Dashboard(
                username=who.username,
                roles=tuple(sorted(who.roles)),
                as_of=now,
                my_open_tasks=mine,
                my_overdue=late,
                due_soon=soon,
                unassigned_in_my_roles=_unassigned(s, self._rt.config, who),
                applications_by_state=(
                    _by_state(s, who.username) if own_only else self._office_by_state(s, now)
                ),
                decisions_this_month=self._decisions(s, who.username if own_only else None, now),
            )

    def _office_by_state(self, s: Session, now: datetime) -> tuple[StateCount, ...]:
        cached = self._office_counts
        if cached is not None and timedelta(0) <= now - cached[0] < timedelta(seconds=self.cache_seconds):
            return cached[1]
        counts = _by_state(s, None)
        self._office_counts = (now, counts)
        return counts

    def _decisions(self, s: Session, applicant: str | None, now: datetime) -> dict[str, int]:
        config = self._rt.config
        zone = ZoneInfo(config.settings.timezone)
        local = now.astimezone(zone)
        month_start = datetime.combine(local.date().replace(day=1), time(), zone)
        out = {"approved": 0, "rejected": 0}
        for name, wf in config.workflows.items():
            if not wf.final_states:
                continue
            query = (
                select(StatePeriod.state, func.count())
                .where(
                    StatePeriod.workflow == name,
                    StatePeriod.state.in_(sorted(wf.final_states)),
                    StatePeriod.entered_at >= month_start,
                    StatePeriod.entered_at <= now,
                )
                .group_by(StatePeriod.state)
            )
            if applicant is not None:
                query = query.join(Application, Application.id == StatePeriod.application_id).where(
                    Application.applicant == applicant
                )
            for state, n in s.execute(query):
                outcome = outcome_of(config, name, state)
                if outcome is not None:
                    out[outcome] += n
        return out


def _sees_only_own(who: Actor) -> bool:
    return bool(who.roles) and who.roles <= {APPLICANT_ROLE}


def _my_tasks(s: Session, username: str, now: datetime) -> tuple[int, int, int]:
    late = Task.due_at < now
    soon = (Task.due_at >= now) & ((Task.warn_at <= now) | (Task.due_at < now + DUE_SOON))
    query = select(
        func.count(), func.sum(case((late, 1), else_=0)), func.sum(case((soon, 1), else_=0))
    ).where(Task.assignee == username, Task.status.in_(OPEN_TASK_STATUSES))
    n, overdue, due_soon = s.execute(query).one()
    return int(n), int(overdue or 0), int(due_soon or 0)


def _unassigned(s: Session, config: ImsConfig, who: Actor) -> int:
    pairs = task_states_for(config, who.roles - {APPLICANT_ROLE})
    if not pairs:
        return 0
    # the partial index's own condition, word for word, so the databases may use it; SQLite's
    # planner prefers (assignee, status) for `assignee IS NULL` and would read every open task,
    # so it is told which index to use
    source = "tasks INDEXED BY ix_tasks_open_unassigned" if s.get_bind().dialect.name == "sqlite" else "tasks"
    query = (
        select(func.count())
        .select_from(text(source))
        .where(text(OPEN_UNASSIGNED))
        .where(pairs_in(literal_column("workflow"), literal_column("state"), pairs))
    )
    return int(s.execute(query).scalar_one())


def task_states_for(config: ImsConfig, roles: frozenset[str] | set[str]) -> list[tuple[str, str]]:
    """``(workflow, state)`` whose task (an ``open_task`` on entering the state, or on a
    transition into it) is for one of ``roles``."""
    pairs: set[tuple[str, str]] = set()
    for name, wf in config.workflows.items():
        for state_name, state in wf.states.items():
            if any(isinstance(e, OpenTask) and set(e.roles) & roles for e in state.on_enter):
                pairs.add((name, state_name))
        for transition in wf.transitions:
            if transition.to in wf.states and any(
                isinstance(e, OpenTask) and set(e.roles) & roles for e in transition.effects
            ):
                pairs.add((name, transition.to))
    return sorted(pairs)


def _by_state(s: Session, applicant: str | None) -> tuple[StateCount, ...]:
    query = (
        select(Application.workflow, Application.state, func.count())
        .group_by(Application.workflow, Application.state)
        .order_by(Application.workflow, Application.state)
    )
    if applicant is not None:
        query = query.where(Application.applicant == applicant)
    return tuple(StateCount(wf, state, n) for wf, state, n in s.execute(query))
