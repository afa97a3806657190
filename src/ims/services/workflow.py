"""Transitions: the engine decides, one transaction writes everything or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ims.services import _records
from ims.services._actors import ActorLike, resolve_actor
from ims.services._effects import apply_effects
from ims.services._snapshots import snapshot_of
from ims.services._transition_hooks import announce, veto
from ims.services.applications import ApplicationView
from ims.store.models import WorkflowEvent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.engine import ActionOption
    from ims.services._runtime import Runtime


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    reason: str | None
    comment: str | None
    data: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True)
class TransitionResult:
    application: ApplicationView
    action: str
    from_state: str
    to_state: str
    event_id: int


class WorkflowService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def transition(
        self,
        ref: _records.ApplicationRef,
        action: str,
        *,
        actor: ActorLike,
        reason: str | None = None,
        comment: str | None = None,
        expected_version: int | None = None,
        session: Session | None = None,
    ) -> TransitionResult:
        """Perform ``action`` on an application.

        The engine, not the caller, decides the target state.  State, previous
        state, steps, tasks, notifications, history and audit commit together;
        a refused action raises :class:`ims.errors.TransitionRefused` and writes
        nothing; a concurrent change raises :class:`ims.errors.Conflict`.

        Plugins: ``before_transition`` may refuse an allowed action (before anything
        is written); ``after_transition`` runs after the commit, and only when ims
        opened the transaction: with ``session=`` the caller owns the commit, and
        the hook is not called.
        """
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            app = _records.read_application(s, ref)
            _records.check_version(app, expected_version)
            decision = rt.engine.decide(
                snapshot_of(s, app), who, action, now=now, reason=reason, comment=comment
            )
            decision.raise_if_refused()
            assert decision.to_state is not None
            veto(rt, app, who, action, decision)
            from_state = app.state
            final = decision.to_state in rt.config.workflow(app.workflow).final_states
            _records.move(s, app, decision.to_state, now, final=final, action=action)
            apply_effects(
                s,
                rt.config,
                app,
                decision.effects,
                now,
                event_key=f"app{app.id}-v{app.version}",
                context={
                    "action": action,
                    "actor": who.username,
                    "reason": reason,
                    "comment": comment,
                    "previous_state": from_state,
                },
            )
            event_id = _records.record(
                s,
                app,
                who,
                action,
                now,
                from_state=from_state,
                to_state=app.state,
                reason=reason,
                comment=comment,
            )
            result = TransitionResult(ApplicationView.of(app), action, from_state, app.state, event_id)
        if session is None:
            announce(
                rt,
                result.application,
                who,
                event_id=event_id,
                action=action,
                from_state=from_state,
                reason=reason,
                comment=comment,
                at=now,
            )
        return result

    def available_actions(
        self, ref: _records.ApplicationRef, *, actor: ActorLike, session: Session | None = None
    ) -> list[ActionOption]:
        """Every action of the current state, allowed or not, with why it is blocked."""
        rt = self._rt
        with rt.reading(session) as s:
            who = resolve_actor(s, actor)
            app = _records.load_application(s, ref)
            return rt.engine.available_actions(snapshot_of(s, app), who, now=rt.now())

    def history(self, ref: _records.ApplicationRef, *, session: Session | None = None) -> list[HistoryEntry]:
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            rows = s.scalars(
                select(WorkflowEvent).where(WorkflowEvent.application_id == app.id).order_by(WorkflowEvent.id)
            )
            return [
                HistoryEntry(
                    e.id,
                    e.action,
                    e.from_state,
                    e.to_state,
                    e.actor,
                    e.reason,
                    e.comment,
                    e.data,
                    e.created_at,
                )
                for e in rows
            ]
