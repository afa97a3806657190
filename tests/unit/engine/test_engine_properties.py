"""Properties of Engine.decide on random small workflows and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ims.config.models import ImsConfig
from ims.engine import Actor, DocumentFact, Engine, Snapshot

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACTIONS = ["a", "b", "c", "d"]
ROLES = ["r1", "r2", "applicant"]
USERS = ["u1", "u2"]
DOC_TYPES = ["t1", "t2"]
STEPS = ["s1"]

leaf_conditions = st.one_of(
    st.builds(lambda n: {"field": "x", "gte": n}, st.integers(-2, 2)),
    st.builds(lambda v: {"field": "y", "in": v}, st.lists(st.sampled_from(["p", "q", "r"]), max_size=2)),
    st.just({"field": "y", "present": True}),
    st.builds(
        lambda t, n: {"documents": {"type": t, "min": n}},
        st.sampled_from(DOC_TYPES),
        st.integers(0, 2),
    ),
    st.sampled_from([{"required_documents": "uploaded"}, {"required_documents": "verified"}]),
    st.just({"step": "s1"}),
    st.builds(lambda r: {"role": r}, st.sampled_from(ROLES)),
    st.builds(lambda h: {"time_in_state": {"min_hours": h}}, st.integers(0, 48)),
)
conditions = st.recursive(
    leaf_conditions,
    lambda inner: st.one_of(
        st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
    ),
    max_leaves=5,
)
requires = st.lists(st.sampled_from(["reason", "comment"]), unique=True, max_size=2)


@st.composite
def workflows(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 5))
    names = [f"S{i}" for i in range(n)]
    finals = set(draw(st.lists(st.sampled_from(names[1:]), max_size=2)))
    hold = draw(st.sampled_from([None, *[s for s in names[1:] if s not in finals]]))
    states = {
        s: {
            "name": s,
            "final": s in finals,
            "hold": s == hold,
            "requires": draw(requires),
            "on_enter": [{"kind": "open_task", "roles": ["r1"], "assignee_field": "owner"}],
        }
        for s in names
    }
    open_states = [s for s in names if s not in finals]
    transitions = []
    for _ in range(draw(st.integers(1, 8))):
        source = draw(
            st.one_of(
                st.just(["*"]),
                st.lists(st.sampled_from(open_states), min_size=1, max_size=3, unique=True),
            )
        )
        from_hold = hold is not None and source == [hold]
        target = draw(st.sampled_from([*names, *(["@previous"] if from_hold else [])]))
        transitions.append(
            {
                "name": draw(st.sampled_from(ACTIONS)),
                "from": source,
                "to": target,
                "roles": draw(st.lists(st.sampled_from(ROLES), unique=True, max_size=2)),
                "when": draw(st.none() | conditions),
                "requires": draw(requires),
                "effects": draw(st.sampled_from([[], [{"kind": "notify", "assignee": True}]])),
            }
        )
    return {"name": "w", "initial_state": "S0", "states": states, "transitions": transitions}


@st.composite
def cases(draw: st.DrawFn) -> tuple[Engine, Snapshot, Actor, str, str | None, str | None]:
    workflow = draw(workflows())
    config = ImsConfig.model_validate(
        {
            "root": "t",
            "settings": {},
            "roles": {"roles": {r: {"name": r} for r in ROLES}},
            "reference": {
                "document_types": {
                    t: {
                        "code": t,
                        "required": draw(st.booleans()),
                        "required_when": draw(
                            st.none() | leaf_conditions.filter(lambda c: "required_documents" not in c)
                        ),
                    }
                    for t in DOC_TYPES
                }
            },
            "sla": {"workflows": {"w": {"S0": {"hours": 5}}}},
            "workflows": {"w": workflow},
        }
    )
    names = list(workflow["states"])
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        data["x"] = draw(st.integers(-3, 3))
    if draw(st.booleans()):
        data["y"] = draw(st.sampled_from(["p", "q", "", None]))
    if draw(st.booleans()):
        data["owner"] = draw(st.sampled_from(USERS))
    snapshot = Snapshot(
        workflow="w",
        state=draw(st.sampled_from(names)),
        previous_state=draw(st.none() | st.sampled_from(names)),
        data=data,
        documents=tuple(
            DocumentFact(t, s)
            for t, s in draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(DOC_TYPES),
                        st.sampled_from(["PENDING", "VERIFIED", "REJECTED", "MISSING"]),
                    ),
                    max_size=4,
                )
            )
        ),
        steps=draw(st.dictionaries(st.sampled_from(STEPS), st.sampled_from(["PENDING", "COMPLETED"]))),
        state_entered_at=NOW - timedelta(hours=draw(st.integers(0, 72))),
        assignee=draw(st.none() | st.sampled_from(USERS)),
        applicant=draw(st.none() | st.sampled_from(USERS)),
    )
    actor = Actor(draw(st.sampled_from(USERS)), frozenset(draw(st.lists(st.sampled_from(ROLES)))))
    action = draw(st.sampled_from([*ACTIONS, "zzz"]))
    text = st.sampled_from([None, "", "  ", "because"])
    return Engine(config), snapshot, actor, action, draw(text), draw(text)


def _given(value: str | None) -> bool:
    return bool(value and value.strip())


@settings(max_examples=300, deadline=None)
@given(cases())
def test_decide_properties(
    case: tuple[Engine, Snapshot, Actor, str, str | None, str | None],
) -> None:
    engine, snapshot, actor, action, reason, comment = case
    workflow = engine.config.workflows["w"]

    decision = engine.decide(snapshot, actor, action, now=NOW, reason=reason, comment=comment)

    # determinism: the same inputs give the same decision
    assert decision == engine.decide(snapshot, actor, action, now=NOW, reason=reason, comment=comment)
    assert decision.from_state == snapshot.state
    assert decision.action == action
    if decision.allowed:
        assert decision.failed == ()
        assert decision.transition is not None
        assert decision.transition.name == action
        assert decision.to_state in workflow.states
        assert snapshot.state in workflow.sources_of(decision.transition)
        # leaving a state first closes its tasks, or pauses them when going on hold
        assert decision.effects[0].kind == (
            "pause_tasks" if workflow.states[decision.to_state].hold else "close_tasks"
        )
    else:
        assert decision.failed and decision.effects == ()
        assert all(reason_text for reason_text in decision.reasons)

    # allowed exactly when the menu allows it and the required inputs are given
    options = {o.action: o for o in engine.available_actions(snapshot, actor, now=NOW)}
    option = options.get(action)
    expected = (
        option is not None
        and option.allowed
        and ("reason" not in option.requires or _given(reason))
        and ("comment" not in option.requires or _given(comment))
    )
    assert decision.allowed == expected
    if option is not None:
        assert option.to_state == decision.to_state
