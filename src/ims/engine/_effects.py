"""Concrete effects of a decision: what the service must do in the same transaction.

The workflow declares effect *templates* (``open_task``, ``open_step``,
``notify``); the engine instantiates them for one application at one moment
(due times from the SLA, the assignee from the data, the applicant's name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Literal

from ims.config.models import Notify, OpenStep, OpenTask
from ims.rules._evaluate import value_at

if TYPE_CHECKING:
    from ims.config.models import Effect, StateSla
    from ims.rules import Snapshot
    from ims.sla import SlaTimes

#: ``event`` of notifications from a state's ``on_enter``.
STATE_ENTERED = "state-entered"
#: ``event`` of notifications from a transition's ``effects``.
TRANSITION = "transition"


@dataclass(frozen=True, slots=True)
class CloseTasksEffect:
    """Close the open tasks of ``state``.

    ``COMPLETED`` when the application leaves the state; ``CANCELLED`` for the tasks
    paused by a hold when the application leaves the hold state for another state
    than the one it left.
    """

    kind: ClassVar[str] = "close_tasks"
    state: str
    status: Literal["COMPLETED", "CANCELLED"] = "COMPLETED"


@dataclass(frozen=True, slots=True)
class PauseTasksEffect:
    """Stop the SLA clock of the open tasks of ``state`` (the application goes on hold)."""

    kind: ClassVar[str] = "pause_tasks"
    state: str


@dataclass(frozen=True, slots=True)
class ResumeTasksEffect:
    """Restart the SLA clock of the tasks of ``state`` paused by a hold.

    Their due times move on by the time spent on hold.  When none is paused (the task
    was completed before the hold, or the hold predates SLA pauses), ``reopen`` (the
    state's ``open_task`` effects) are applied instead.
    """

    kind: ClassVar[str] = "resume_tasks"
    state: str
    reopen: tuple[OpenTaskEffect, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenTaskEffect:
    """Open a task for ``state``, due ``sla_hours`` after the decision (no SLA: no due time)."""

    kind: ClassVar[str] = "open_task"
    state: str
    roles: tuple[str, ...]
    assignee: str | None
    due_at: datetime | None
    sla_hours: float | None
    #: ``{language: title}`` as declared (may be empty)
    title: Mapping[str, str] = field(hash=False)
    #: when the SLA warning is due (``None``: no SLA)
    warn_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpenStepEffect:
    """Upsert the step with status PENDING (keeping its data if it exists)."""

    kind: ClassVar[str] = "open_step"
    step: str


@dataclass(frozen=True, slots=True)
class NotifyEffect:
    """Enqueue a notification; ``assignee``/``applicant`` are resolved usernames or ``None``."""

    kind: ClassVar[str] = "notify"
    #: ``state-entered`` (from ``on_enter``) or ``transition`` (from the transition)
    event: str
    template: str
    #: the state entered
    state: str
    roles: tuple[str, ...]
    users: tuple[str, ...]
    assignee: str | None
    applicant: str | None
    #: the applicant is a recipient (``applicant`` is ``None`` when they have no account:
    #: channels then use the address in the application data)
    to_applicant: bool = False


EffectInstance = (
    CloseTasksEffect | PauseTasksEffect | ResumeTasksEffect | OpenTaskEffect | OpenStepEffect | NotifyEffect
)
_INSTANCES = (
    CloseTasksEffect,
    PauseTasksEffect,
    ResumeTasksEffect,
    OpenTaskEffect,
    OpenStepEffect,
    NotifyEffect,
)


#: Builds the concrete effects of one move for one snapshot at one moment.
Build = Callable[["Snapshot", datetime], tuple[EffectInstance, ...]]
_PartBuilder = Callable[["Snapshot", datetime], EffectInstance]
#: an effect known at compile time, or a function building it for a snapshot and ``now``
_Part = EffectInstance | _PartBuilder


def assignee_field(templates: tuple[Effect, ...]) -> str | None:
    """The first ``open_task.assignee_field`` among ``templates``."""
    for template in templates:
        if isinstance(template, OpenTask) and template.assignee_field:
            return template.assignee_field
    return None


def _username(snapshot: Snapshot, path: str | None) -> str | None:
    if path is None:
        return None
    value = value_at(snapshot.data, path)
    return value if isinstance(value, str) and value else None


def _open_task(template: OpenTask, state: str, sla: StateSla | None, times: SlaTimes | None) -> _Part:
    if sla is None and template.assignee_field is None:
        return OpenTaskEffect(state, template.roles, None, None, None, template.title)
    hours = None if sla is None else sla.allowed_hours

    def build(snapshot: Snapshot, now: datetime) -> EffectInstance:
        due_at = warn_at = None
        if sla is not None:
            if times is not None:
                warn_at, due_at = times.open(sla, now)
            else:  # wall-clock hours only
                warn_at = now + timedelta(hours=sla.allowed_hours * sla.warning)
                due_at = now + timedelta(hours=sla.allowed_hours)
        assignee = _username(snapshot, template.assignee_field)
        return OpenTaskEffect(state, template.roles, assignee, due_at, hours, template.title, warn_at)

    return build


def _notify(template: Notify, event: str, state: str, task_assignee_field: str | None) -> _Part:
    name, roles, users = template.template, template.roles, template.users
    if not (template.assignee or template.applicant):
        return NotifyEffect(event, name, state, roles, users, None, None)

    def build(snapshot: Snapshot, now: datetime) -> EffectInstance:
        assignee = None
        if template.assignee:
            assignee = _username(snapshot, task_assignee_field) or snapshot.assignee
        applicant = snapshot.applicant if template.applicant else None
        return NotifyEffect(event, name, state, roles, users, assignee, applicant, template.applicant)

    return build


def _parts(
    templates: tuple[Effect, ...],
    event: str,
    state: str,
    sla: StateSla | None,
    task_assignee_field: str | None,
    times: SlaTimes | None,
) -> list[_Part]:
    parts: list[_Part] = []
    for template in templates:
        if isinstance(template, OpenStep):
            parts.append(OpenStepEffect(template.step))
        elif isinstance(template, OpenTask):
            parts.append(_open_task(template, state, sla, times))
        else:
            parts.append(_notify(template, event, state, task_assignee_field))
    return parts


def compile_effects(
    transition_effects: tuple[Effect, ...],
    on_enter: tuple[Effect, ...],
    *,
    state: str,
    sla: StateSla | None,
    times: SlaTimes | None = None,
) -> Build:
    """Compile, once, what entering ``state`` does: the transition's effects
    (event ``transition``), then the state's ``on_enter`` (``state-entered``).

    Due times are ``now`` plus the state's SLA (no SLA: no due time): wall-clock
    ``hours``, or ``working_hours`` on the business calendar of ``times``.  A
    notification's ``assignee`` is the new task's assignee (the first
    ``open_task.assignee_field`` in the data), else the application's assignee.
    """
    task_field = assignee_field(transition_effects) or assignee_field(on_enter)
    parts = [
        *_parts(transition_effects, TRANSITION, state, sla, task_field, times),
        *_parts(on_enter, STATE_ENTERED, state, sla, task_field, times),
    ]
    if all(isinstance(part, _INSTANCES) for part in parts):
        fixed = tuple(part for part in parts if isinstance(part, _INSTANCES))
        return lambda snapshot, now: fixed

    def build(snapshot: Snapshot, now: datetime) -> tuple[EffectInstance, ...]:
        return tuple([p if isinstance(p, _INSTANCES) else p(snapshot, now) for p in parts])

    return build
