"""Which rows a report looks at: workflow and district filters, decided outcomes from the config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select

from ims.store.models import Application

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from ims.config.models import ImsConfig
    from ims.hooks.protocols import ReportParams

Outcome = Literal["approved", "rejected"]


def outcome_of(config: ImsConfig, workflow: str, state: str) -> Outcome | None:
    """``approved`` or ``rejected`` for a final state; ``None`` for any other.

    Entering a final state is a decision.  A final state that every way in must
    give a reason for (``requires: [reason]``: REJECTED) is a rejection, as a
    refusal must be reasoned; every other final state (CLOSURE) is an approval.
    """
    wf = config.workflows.get(workflow)
    if wf is None or state not in wf.final_states:
        return None
    return "rejected" if "reason" in wf.states[state].requires else "approved"


def final_states(
    config: ImsConfig, params: ReportParams, outcome: Outcome | None = None
) -> list[tuple[str, str]]:
    """``(workflow, state)`` of every final state (of one outcome) in the workflows the report covers."""
    return sorted(
        (name, state)
        for name, wf in config.workflows.items()
        if params.workflow in (None, name)
        for state in wf.final_states
        if outcome is None or outcome_of(config, name, state) == outcome
    )


def pairs_in(workflow: Any, state: Any, pairs: list[tuple[str, str]]) -> ColumnElement[bool]:
    """``(workflow, state) IN (...)``, written as a plain ``OR`` list of ``state IN`` per workflow."""
    from sqlalchemy import and_, false, or_

    by_workflow: dict[str, list[str]] = {}
    for wf, st in pairs:
        by_workflow.setdefault(wf, []).append(st)
    if not by_workflow:
        return false()
    return or_(*(and_(workflow == wf, state.in_(states)) for wf, states in by_workflow.items()))


def scoped(
    params: ReportParams, *, workflow: Any, application_id: Any = None, district: Any = None
) -> list[ColumnElement[bool]]:
    """Workflow filter on the row's own column; district on the row's own ``district``
    column, else through its application (``application_id IN (...)``)."""
    out: list[ColumnElement[bool]] = []
    if params.workflow is not None:
        out.append(workflow == params.workflow)
    if params.district is not None:
        if district is not None:
            out.append(district == params.district)
        else:
            of_district = select(Application.id).where(Application.district == params.district)
            out.append(application_id.in_(of_district))
    return out


__all__ = ["Outcome", "final_states", "outcome_of", "pairs_in", "scoped"]
