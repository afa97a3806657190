"""Steps: named pieces of work on an application, with data validated by the workflow's schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ims.config.models import OpenStep
from ims.errors import NotFound, ValidationFailed
from ims.services import _records
from ims.services._actors import ActorLike, require_permission, resolve_actor
from ims.services._validation import validate
from ims.store.models import ApplicationStep

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import Workflow
    from ims.services._runtime import Runtime

STEP_STATUSES = ("PENDING", "COMPLETED")


@dataclass(frozen=True)
class StepView:
    name: str
    status: str
    data: dict[str, Any]
    completed_by: str | None
    completed_at: datetime | None
    updated_at: datetime


class StepService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def record(
        self,
        ref: _records.ApplicationRef,
        step: str,
        data: dict[str, Any],
        *,
        actor: ActorLike,
        complete: bool = True,
        expected_version: int | None = None,
        session: Session | None = None,
    ) -> StepView:
        """Save a step's data and, by default, mark it COMPLETED.

        A step is recorded once the workflow has opened it (an ``open_step`` effect of a
        state entered or a transition taken) and until the application is closed;
        before that, and in a final state, the answer is ValidationFailed.
        """
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            app = _records.load_application(s, ref)
            definition = rt.config.workflow(app.workflow)
            step_def = definition.steps.get(step)
            if step_def is None:
                known = ", ".join(sorted(definition.steps)) or "none"
                raise NotFound(f"workflow {app.workflow} has no step '{step}' (steps: {known})")
            if step_def.permission:
                require_permission(rt.config, who, step_def.permission, f"recording step '{step}'")
            if app.state in definition.final_states:
                raise ValidationFailed(
                    f"step '{step}'", [f"application {app.number} is closed ({app.state})"]
                )
            row = s.scalar(
                select(ApplicationStep).where(
                    ApplicationStep.application_id == app.id, ApplicationStep.step_name == step
                )
            )
            if row is None:
                raise ValidationFailed(f"step '{step}'", [_not_open(definition, step, app.number, app.state)])
            _records.check_version(app, expected_version)
            validate(step_def.data_schema, data, f"data of step '{step}'")
            _records.touch(s, app, now)
            row.data = data
            row.updated_at = now
            row.status = "COMPLETED" if complete else "PENDING"
            row.completed_by = who.username if complete else None
            row.completed_at = now if complete else None
            _records.record(
                s,
                app,
                who,
                "step-completed" if complete else "step-saved",
                now,
                data={"step": step},
            )
            s.flush()
            return _view(row)

    def list(self, ref: _records.ApplicationRef, *, session: Session | None = None) -> list[StepView]:
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            rows = s.scalars(
                select(ApplicationStep)
                .where(ApplicationStep.application_id == app.id)
                .order_by(ApplicationStep.id)
            )
            return [_view(r) for r in rows]


def _not_open(definition: Workflow, step: str, number: str, state: str) -> str:
    """Why ``step`` cannot be recorded yet, and where the workflow opens it."""
    states = [
        name
        for name, st in definition.states.items()
        if any(isinstance(e, OpenStep) and e.step == step for e in st.on_enter)
    ]
    transitions = [
        t.name
        for t in definition.transitions
        if any(isinstance(e, OpenStep) and e.step == step for e in t.effects)
    ]
    where = []
    if states:
        where.append(f"on entering {' or '.join(states)}")
    if transitions:
        where.append(f"with {' or '.join(repr(t) for t in dict.fromkeys(transitions))}")
    opened = (
        f"the workflow opens it {' or '.join(where)}" if where else "no open_step of the workflow names it"
    )
    return f"application {number} has not opened it yet (it is in {state}; {opened})"


def _view(row: ApplicationStep) -> StepView:
    return StepView(
        row.step_name,
        row.status,
        dict(row.data or {}),
        row.completed_by,
        row.completed_at,
        row.updated_at,
    )
