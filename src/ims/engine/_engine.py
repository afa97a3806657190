"""The engine: (definition, snapshot, actor, action, now) -> decision.  Pure: no I/O, no clock.

The constructor compiles every workflow into lookup tables (state -> action ->
transition, role sets, required inputs, SLA, entry effects) and every
condition (cached on the models), so :meth:`Engine.decide` only looks things
up and evaluates the gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ims.config.models import PREVIOUS_STATE, label_for
from ims.engine._decision import ActionOption, Decision
from ims.engine._effects import (
    Build,
    CloseTasksEffect,
    EffectInstance,
    OpenTaskEffect,
    PauseTasksEffect,
    ResumeTasksEffect,
    compile_effects,
)
from ims.rules import Actor, EvalContext, FailedCondition, Predicate, Snapshot, evaluate
from ims.rules._facts import holds_any_role
from ims.rules._phrases import say
from ims.rules._sentences import lower_first, only_roles_may
from ims.sla import SlaTimes, times_for

if TYPE_CHECKING:
    from ims.config.models import ImsConfig, Transition, Workflow
    from ims.rules import Condition


@dataclass(frozen=True, slots=True)
class _Move:
    """A transition compiled for the engine."""

    transition: Transition
    roles: frozenset[str]
    #: a state name or ``@previous``
    to: str
    #: the transition's inputs plus the target state's (when the target is fixed)
    requires: tuple[str, ...]
    gate: Condition | None
    #: target state -> its compiled effects (every state for ``@previous``)
    builds: Mapping[str, Build]


@dataclass(frozen=True, slots=True)
class _Plan:
    """A workflow compiled for the engine."""

    workflow: Workflow
    #: state -> action -> move (the first transition of that name leaving the state)
    moves: dict[str, dict[str, _Move]]
    #: the final states: every action in them is refused
    closed: frozenset[str]
    #: state -> closing its tasks when it is left
    close: dict[str, CloseTasksEffect]
    #: state -> pausing its tasks when it is left for a hold state
    pause: dict[str, PauseTasksEffect]
    initial_effects: Build


def _requires(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))


def _compile(config: ImsConfig, workflow: Workflow, times: SlaTimes) -> _Plan:
    states = workflow.states

    def build(transition: Transition | None, target: str) -> Build:
        return compile_effects(
            () if transition is None else transition.effects,
            states[target].on_enter,
            state=target,
            sla=config.sla.for_state(workflow.name, target),
            times=times,
        )

    moves: dict[str, dict[str, _Move]] = {name: {} for name in states}
    for transition in workflow.transitions:
        target = states.get(transition.to)
        targets = list(states) if transition.to == PREVIOUS_STATE else [transition.to]
        move = _Move(
            transition=transition,
            roles=frozenset(transition.roles),
            to=transition.to,
            requires=_requires(transition.requires, target.requires if target else ()),
            gate=transition.when,  # parsed here, once
            builds={name: build(transition, name) for name in targets if name in states},
        )
        for source in workflow.sources_of(transition):
            moves.setdefault(source, {}).setdefault(transition.name, move)
    return _Plan(
        workflow=workflow,
        moves=moves,
        closed=frozenset(name for name, state in states.items() if state.final),
        close={name: CloseTasksEffect(name, "COMPLETED") for name in states},
        pause={name: PauseTasksEffect(name) for name in states},
        initial_effects=build(None, workflow.initial_state),
    )


class Engine:
    """Decides transitions of applications; built once per loaded configuration.

    Args:
        config: the loaded configuration.
        predicates: plugin predicates by name (``register_predicates`` hook).
        language: language of sentences and labels (``en``, ``nl``; others get English
            sentences); default ``settings.language``.
    """

    def __init__(
        self,
        config: ImsConfig,
        predicates: Mapping[str, Predicate] | None = None,
        *,
        language: str | None = None,
    ) -> None:
        self.config = config
        self.predicates: Mapping[str, Predicate] = dict(predicates or {})
        self.language = language or config.settings.language
        #: SLA arithmetic (business calendar) of this configuration
        self.sla_times = times_for(config)
        self._plans = {name: _compile(config, wf, self.sla_times) for name, wf in config.workflows.items()}
        for doc_type in config.reference.document_types.values():
            _ = doc_type.required_when  # parse now: a bad condition fails at start-up

    def _plan(self, workflow: str) -> _Plan:
        try:
            return self._plans[workflow]
        except KeyError:
            self.config.workflow(workflow)  # raises NotFound naming the known workflows
            raise

    # ----------------------------------------------------------------- public API

    def decide(
        self,
        snapshot: Snapshot,
        actor: Actor,
        action: str,
        *,
        now: datetime,
        reason: str | None = None,
        comment: str | None = None,
        language: str | None = None,
    ) -> Decision:
        """May ``actor`` do ``action`` on the application now; if so, to where and with what.

        Never raises for a snapshot of a known workflow (a refusal is a
        :class:`Decision` with ``allowed=False``), except
        :class:`~ims.errors.RuleError` from a gate that cannot be evaluated.
        """
        plan = self._plan(snapshot.workflow)
        state = snapshot.state
        lang = language or self.language
        moves = plan.moves.get(state)
        if moves is None or state in plan.closed:
            return Decision(action, False, state, None, None, (_not_open(plan, state, lang),))
        move = moves.get(action)
        if move is None:
            available = ", ".join(moves) or say(lang, "none")
            sentence = say(lang, "engine.unknown-action", action=action, state=state, available=available)
            failure = FailedCondition("unknown-action", sentence)
            return Decision(action, False, state, None, None, (failure,))
        to_state, failed = self._check(plan, move, snapshot, actor, now, lang)
        requires = _requires_into(plan, move, to_state)
        if "reason" in requires and not (reason and reason.strip()):
            failed.append(FailedCondition("reason-required", say(lang, "engine.reason-required")))
        if "comment" in requires and not (comment and comment.strip()):
            failed.append(FailedCondition("comment-required", say(lang, "engine.comment-required")))
        if failed or to_state is None:
            return Decision(action, False, state, to_state, move.transition, tuple(failed))
        effects = _leave(plan, snapshot, to_state, move.builds[to_state](snapshot, now))
        return Decision(action, True, state, to_state, move.transition, (), effects)

    def available_actions(
        self, snapshot: Snapshot, actor: Actor, *, now: datetime, language: str | None = None
    ) -> list[ActionOption]:
        """Every action of the current state, allowed or not, with the reasons.

        Roles and gates count; required inputs (``reason``, ``comment``) do
        not, they are listed in :attr:`ActionOption.requires`.
        """
        plan = self._plan(snapshot.workflow)
        moves = plan.moves.get(snapshot.state)
        if moves is None or snapshot.state in plan.closed:
            return []
        lang = language or self.language
        options = []
        for action, move in moves.items():
            to_state, failed = self._check(plan, move, snapshot, actor, now, lang)
            options.append(
                ActionOption(
                    action=action,
                    label=label_for(move.transition.label, lang, action),
                    to_state=to_state,
                    allowed=not failed,
                    reasons=tuple(f.message for f in failed),
                    requires=_requires_into(plan, move, to_state),
                )
            )
        return options

    def initial_effects(
        self, workflow: str, snapshot: Snapshot, *, now: datetime
    ) -> tuple[EffectInstance, ...]:
        """Effects of entering the workflow's initial state (its ``on_enter``)."""
        return self._plan(workflow).initial_effects(snapshot, now)

    # ----------------------------------------------------------------- internals

    def _check(
        self,
        plan: _Plan,
        move: _Move,
        snapshot: Snapshot,
        actor: Actor,
        now: datetime,
        language: str,
    ) -> tuple[str | None, list[FailedCondition]]:
        """The target state and the failed checks of roles, target and gate."""
        failed: list[FailedCondition] = []
        ctx: EvalContext | None = None
        to_state: str | None = move.to
        if to_state == PREVIOUS_STATE:
            to_state = snapshot.previous_state
            if to_state is None or to_state not in plan.workflow.states:
                sentence = _no_previous(to_state, language)
                failed.append(FailedCondition("no-previous-state", sentence))
                to_state = None
        if move.roles and not holds_any_role(actor, move.roles, snapshot):
            ctx = self._context(snapshot, actor, now, language)
            failed.append(FailedCondition("role", _role_sentence(move, ctx)))
        if move.gate is not None:
            ctx = ctx or self._context(snapshot, actor, now, language)
            failed.extend(evaluate(move.gate, ctx))
        return to_state, failed

    def _context(self, snapshot: Snapshot, actor: Actor, now: datetime, language: str) -> EvalContext:
        return EvalContext(snapshot, actor, now, self.config, self.predicates, language)


def _leave(
    plan: _Plan, snapshot: Snapshot, to_state: str, entering: tuple[EffectInstance, ...]
) -> tuple[EffectInstance, ...]:
    """What leaving the current state does to tasks, then the effects of ``entering``.

    * into a hold state: the open tasks are paused (their SLA clock stops);
    * from a hold state back to the state it left: the paused tasks resume (the
      state's ``open_task`` effects apply only when nothing was paused);
    * from a hold state elsewhere: the paused tasks are cancelled;
    * otherwise: the open tasks of the state left are completed.
    """
    states = plan.workflow.states
    state = snapshot.state
    if states[to_state].hold:
        return (plan.pause[state], *entering)
    if not states[state].hold:
        return (plan.close[state], *entering)
    previous = snapshot.previous_state
    if to_state == previous:
        reopen = tuple(e for e in entering if isinstance(e, OpenTaskEffect))
        rest = tuple(e for e in entering if not isinstance(e, OpenTaskEffect))
        return (plan.close[state], ResumeTasksEffect(to_state, reopen), *rest)
    cancel = (CloseTasksEffect(previous, "CANCELLED"),) if previous else ()
    return (plan.close[state], *cancel, *entering)


def _not_open(plan: _Plan, state: str, language: str) -> FailedCondition:
    if state in plan.closed:
        return FailedCondition("closed", say(language, "engine.closed", state=state))
    sentence = say(language, "engine.unknown-state", state=state, workflow=plan.workflow.name)
    return FailedCondition("unknown-state", sentence)


def _requires_into(plan: _Plan, move: _Move, to_state: str | None) -> tuple[str, ...]:
    """The inputs a move needs; for ``@previous`` the resumed state's are added."""
    if move.to == PREVIOUS_STATE and to_state is not None:
        return _requires(move.requires, plan.workflow.states[to_state].requires)
    return move.requires


def _no_previous(state: str | None, language: str) -> str:
    if state is None:
        return say(language, "engine.no-previous")
    return say(language, "engine.previous-unknown", state=state)


def _role_sentence(move: _Move, ctx: EvalContext) -> str:
    """``only front office may submit (you are: staff)``."""
    transition = move.transition
    action = lower_first(label_for(transition.label, ctx.language, transition.name))
    return only_roles_may(transition.roles, action, ctx)
