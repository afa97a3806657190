"""Engine.decide / available_actions / initial_effects on a bouwsubsidie-like workflow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from engine_support import NOW, RAW_CONFIG, actor, snap

from ims.config.models import ImsConfig
from ims.engine import (
    ActionOption,
    CloseTasksEffect,
    Decision,
    Engine,
    FailedCondition,
    NotifyEffect,
    OpenStepEffect,
    OpenTaskEffect,
    PauseTasksEffect,
    ResumeTasksEffect,
)
from ims.errors import NotFound, RuleError, TransitionRefused
from ims.rules import EvalContext

READY = {"data": {"applicant": {"national_id": "123"}}, "documents": (("plot_map", "PENDING"),)}


def test_role_refusal(engine: Engine) -> None:
    decision = engine.decide(snap(**READY), actor("staff"), "submit", now=NOW)
    assert not decision.allowed
    assert (decision.from_state, decision.to_state) == ("DRAFT", "INTAKE_REVIEW")
    assert (FailedCondition("role", "only front office may submit (you are: staff)"),) == decision.failed
    assert decision.effects == ()


def test_role_refusal_in_language(config: ImsConfig) -> None:
    engine = Engine(config, language="nl")
    decision = engine.decide(snap(**READY), actor("staff", "control"), "submit", now=NOW)
    assert decision.reasons == ["alleen NL Front office mag indienen (u bent: NL Control, NL Staff)"]
    english = engine.decide(snap(**READY), actor(), "submit", now=NOW, language="en")
    assert english.reasons == ["only front office may submit (you have no role)"]


def test_gate_refusal_then_allowed(engine: Engine) -> None:
    refused = engine.decide(snap(), actor("front_office"), "submit", now=NOW)
    assert refused.reasons == [
        "national id is required",
        "ID copies or plot map is needed (none uploaded)",
    ]
    assert [f.code for f in refused.failed] == ["field", "documents"]

    decision = engine.decide(snap(**READY), actor("front_office"), "submit", now=NOW)
    assert decision.allowed
    assert decision.to_state == "INTAKE_REVIEW"
    assert decision.transition is not None and decision.transition.name == "submit"
    assert (
        CloseTasksEffect("DRAFT", "COMPLETED"),
        OpenTaskEffect(
            "INTAKE_REVIEW",
            ("front_office", "admin"),
            None,
            NOW + timedelta(hours=48),
            48.0,
            {},
            NOW + timedelta(hours=48 * 0.8),
        ),
        NotifyEffect("state-entered", "state_entered", "INTAKE_REVIEW", ("admin",), (), None, None),
    ) == decision.effects


def test_every_failure_is_reported(engine: Engine) -> None:
    decision = engine.decide(snap("INTAKE_REVIEW"), actor("staff"), "reject", now=NOW)
    assert decision.reasons == [
        "only administrator or director may reject (you are: staff)",
        "a reason is required",
    ]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_required(engine: Engine, reason: str | None) -> None:
    decision = engine.decide(snap("INTAKE_REVIEW"), actor("admin"), "reject", now=NOW, reason=reason)
    assert (FailedCondition("reason-required", "a reason is required"),) == decision.failed


def test_reason_given(engine: Engine) -> None:
    decision = engine.decide(snap("INTAKE_REVIEW"), actor("admin"), "reject", now=NOW, reason="fraud")
    assert decision.allowed
    assert decision.to_state == "REJECTED"
    assert (CloseTasksEffect("INTAKE_REVIEW", "COMPLETED"),) == decision.effects


def test_comment_required_and_applicant_role(engine: Engine) -> None:
    mine = snap(applicant="ann")
    ann = actor("applicant", name="ann")
    # the transition requires a comment, its target (REJECTED) a reason
    assert (engine.decide(mine, ann, "withdraw", now=NOW).reasons) == [
        "a reason is required",
        "a comment is required",
    ]
    assert engine.decide(mine, ann, "withdraw", now=NOW, reason="moved", comment="abroad").allowed
    other = engine.decide(mine, actor("applicant", name="bob"), "withdraw", now=NOW, reason="x", comment="x")
    assert other.reasons == ["only applicant may withdraw (you are: applicant)"]
    # the username alone is not enough: the role is needed too
    staff_ann = actor("staff", name="ann")
    assert not engine.decide(mine, staff_ann, "withdraw", now=NOW, reason="x", comment="x").allowed


def test_unknown_action(engine: Engine) -> None:
    decision = engine.decide(snap(), actor("admin"), "fly", now=NOW)
    sentence = "'fly' is not an action of state DRAFT; available: submit, withdraw, hold"
    assert (
        Decision("fly", False, "DRAFT", None, None, (FailedCondition("unknown-action", sentence),))
        == decision
    )
    # an action of another state is unknown here too
    assert (engine.decide(snap(), actor("director"), "approve", now=NOW).reasons) == [
        "'approve' is not an action of state DRAFT; available: submit, withdraw, hold"
    ]


def test_final_state(engine: Engine) -> None:
    decision = engine.decide(snap("CLOSURE"), actor("director"), "hold", now=NOW, reason="x")
    assert (FailedCondition("closed", "application is closed (CLOSURE)"),) == decision.failed
    assert engine.available_actions(snap("REJECTED"), actor("director"), now=NOW) == []


def test_unknown_state_and_workflow(engine: Engine) -> None:
    assert (engine.decide(snap("GONE"), actor(), "submit", now=NOW).reasons) == [
        "application is in state GONE, which workflow demo lacks"
    ]
    with pytest.raises(NotFound, match=r"unknown workflow 'nope' \(known: demo\)"):
        engine.decide(replace(snap(), workflow="nope"), actor(), "x", now=NOW)


@pytest.mark.parametrize(
    "state", ["DRAFT", "INTAKE_REVIEW", "CONTROL_ASSIGN", "CONTROL_VISIT", "DIRECTOR_REVIEW"]
)
def test_wildcard_hold(engine: Engine, state: str) -> None:
    decision = engine.decide(snap(state), actor("director"), "hold", now=NOW, reason="missing funds")
    assert decision.allowed
    assert decision.to_state == "ON_HOLD"
    # entering a hold state pauses the open tasks' SLA clock; resuming restarts it
    assert (
        PauseTasksEffect(state),
        OpenTaskEffect("ON_HOLD", ("director",), None, None, None, {}),
    ) == decision.effects


def test_hold_requires_reason_of_target_state(engine: Engine) -> None:
    assert engine.decide(snap(), actor("minister"), "hold", now=NOW).reasons == ["a reason is required"]


def test_wildcard_excludes_hold_and_final(engine: Engine) -> None:
    held = engine.decide(snap("ON_HOLD", previous="DRAFT"), actor("director"), "hold", now=NOW, reason="x")
    assert held.reasons == ["'hold' is not an action of state ON_HOLD; available: resume, reject"]


def test_resume_to_previous(engine: Engine) -> None:
    held = snap(
        "ON_HOLD",
        previous="CONTROL_VISIT",
        data={"control": {"officer": "olga"}},
        applicant="ann",
        assignee="dirk",
    )
    decision = engine.decide(held, actor("minister"), "resume", now=NOW)
    assert decision.allowed
    assert (decision.from_state, decision.to_state) == ("ON_HOLD", "CONTROL_VISIT")
    # the paused task resumes; its open_task applies only when none was paused
    reopen = OpenTaskEffect(
        "CONTROL_VISIT",
        ("control",),
        "olga",
        NOW + timedelta(hours=168.5),
        168.5,
        {},
        NOW + timedelta(hours=134.8),
    )
    assert (
        CloseTasksEffect("ON_HOLD", "COMPLETED"),
        ResumeTasksEffect("CONTROL_VISIT", (reopen,)),
        OpenStepEffect("control_visit"),
        NotifyEffect("state-entered", "visit", "CONTROL_VISIT", (), (), "olga", "ann", True),
    ) == decision.effects


def test_leaving_hold_elsewhere_cancels_the_paused_tasks(engine: Engine) -> None:
    decision = engine.decide(
        snap("ON_HOLD", previous="DRAFT"), actor("director"), "reject", now=NOW, reason="x"
    )
    assert decision.allowed
    assert decision.effects[:2] == (CloseTasksEffect("ON_HOLD"), CloseTasksEffect("DRAFT", "CANCELLED"))


def test_resume_without_previous_state(engine: Engine) -> None:
    decision = engine.decide(snap("ON_HOLD"), actor("director"), "resume", now=NOW)
    assert not decision.allowed
    assert decision.to_state is None
    assert (
        FailedCondition("no-previous-state", "there is no previous state to return to"),
    ) == decision.failed
    bad = engine.decide(snap("ON_HOLD", previous="NOWHERE"), actor("director"), "resume", now=NOW)
    assert bad.reasons == ["the previous state NOWHERE is not a state of this workflow"]


def test_resume_into_state_that_requires_reason(engine: Engine) -> None:
    # resuming into a state whose entry needs a reason needs one too
    held = snap("ON_HOLD", previous="REJECTED")
    assert engine.decide(held, actor("director"), "resume", now=NOW).reasons == ["a reason is required"]


def test_same_name_disjoint_sources(engine: Engine) -> None:
    back = engine.decide(snap("INTAKE_REVIEW"), actor("staff"), "send_back", now=NOW, comment="incomplete")
    assert (back.allowed, back.to_state) == (True, "DRAFT")
    back = engine.decide(snap("DIRECTOR_REVIEW"), actor("director"), "send_back", now=NOW)
    assert (back.allowed, back.to_state) == (True, "CONTROL_VISIT")


def test_transition_effects_before_entry_effects(engine: Engine) -> None:
    ready = snap("CONTROL_ASSIGN", data={"control": {"officer": "olga"}}, assignee="adam")
    decision = engine.decide(ready, actor("admin"), "assign", now=NOW)
    assert [
        CloseTasksEffect("CONTROL_ASSIGN", "COMPLETED"),
        NotifyEffect("transition", "assigned", "CONTROL_VISIT", (), ("boss",), "olga", None),
        OpenTaskEffect(
            "CONTROL_VISIT",
            ("control",),
            "olga",
            NOW + timedelta(hours=168.5),
            168.5,
            {},
            NOW + timedelta(hours=134.8),
        ),
        OpenStepEffect("control_visit"),
        NotifyEffect("state-entered", "visit", "CONTROL_VISIT", (), (), "olga", None, True),
    ] == list(decision.effects)
    refused = engine.decide(snap("CONTROL_ASSIGN"), actor("admin"), "assign", now=NOW)
    assert refused.reasons == ["officer is required"]


def test_notify_assignee_falls_back_to_application_assignee(engine: Engine) -> None:
    visit = snap("CONTROL_VISIT", steps={"control_visit": "COMPLETED"}, assignee="dirk")
    decision = engine.decide(visit, actor("control"), "complete", now=NOW)
    assert (
        NotifyEffect("state-entered", "state_entered", "DIRECTOR_REVIEW", ("director",), (), "dirk", None)
        == (decision.effects[-1])
    )
    pending = snap("CONTROL_VISIT", steps={"control_visit": "PENDING"})
    assert (engine.decide(pending, actor("control"), "complete", now=NOW).reasons) == [
        "step 'control visit' is not completed (is pending)"
    ]


def test_required_documents_gate(engine: Engine) -> None:
    docs = (("id_copies", "PENDING"), ("plot_map", "VERIFIED"))
    intake = snap("INTAKE_REVIEW", data={"employed": True}, documents=docs)
    assert (engine.decide(intake, actor("front_office"), "accept", now=NOW).reasons) == [
        "1 of 3 required documents is not uploaded: pay slip"
    ]
    not_employed = snap("INTAKE_REVIEW", data={"employed": False}, documents=docs)
    assert engine.decide(not_employed, actor("front_office"), "accept", now=NOW).allowed


def test_available_actions(engine: Engine) -> None:
    options = engine.available_actions(snap("INTAKE_REVIEW"), actor("admin"), now=NOW)
    assert [
        ActionOption(
            "accept",
            "accept",
            "CONTROL_ASSIGN",
            False,
            ("2 of 2 required documents are not uploaded: ID copies, plot map",),
            (),
        ),
        ActionOption("send_back", "send_back", "DRAFT", True, (), ("comment",)),
        ActionOption("reject", "reject", "REJECTED", True, (), ("reason",)),
        ActionOption(
            "hold",
            "hold",
            "ON_HOLD",
            False,
            ("only director or minister may hold (you are: administrator)",),
            ("reason",),
        ),
    ] == options


def test_available_actions_labels_and_previous(engine: Engine) -> None:
    draft = engine.available_actions(snap(**READY), actor("front_office"), now=NOW, language="nl")
    assert (draft[0].action, draft[0].label, draft[0].allowed) == ("submit", "Indienen", True)
    held = engine.available_actions(snap("ON_HOLD", previous="DRAFT"), actor("director"), now=NOW)
    assert [(o.action, o.to_state, o.allowed, o.requires) for o in held] == [
        ("resume", "DRAFT", True, ()),
        ("reject", "REJECTED", True, ("reason",)),
    ]
    orphan = engine.available_actions(snap("ON_HOLD"), actor("director"), now=NOW)
    assert (
        orphan[0].to_state,
        orphan[0].allowed,
        orphan[0].reasons,
    ) == (None, False, ("there is no previous state to return to",))


def test_initial_effects(engine: Engine) -> None:
    assert (
        OpenTaskEffect(
            "DRAFT",
            ("front_office",),
            None,
            NOW + timedelta(hours=72),
            72.0,
            {"en": "Complete"},
            NOW + timedelta(hours=72 * 0.8),
        ),
    ) == engine.initial_effects("demo", snap(), now=NOW)


def test_raise_if_refused(engine: Engine) -> None:
    refused = engine.decide(snap(), actor("staff"), "submit", now=NOW)
    with pytest.raises(TransitionRefused) as info:
        refused.raise_if_refused()
    assert (info.value.action, info.value.state) == ("submit", "DRAFT")
    assert refused.reasons == info.value.reasons
    allowed = engine.decide(snap(**READY), actor("front_office"), "submit", now=NOW)
    assert allowed is allowed.raise_if_refused()


def test_determinism(config: ImsConfig, engine: Engine) -> None:
    args: dict[str, Any] = {"now": NOW, "reason": "r"}
    snapshot = snap("CONTROL_ASSIGN", data={"control": {"officer": "olga"}})
    first = engine.decide(snapshot, actor("admin"), "assign", **args)
    assert first == engine.decide(snapshot, actor("admin"), "assign", **args)
    assert first == Engine(config).decide(snapshot, actor("admin"), "assign", **args)
    later = engine.decide(snapshot, actor("admin"), "assign", now=NOW + timedelta(hours=1))
    assert first.effects != later.effects  # due times follow `now`, not the clock


def test_predicates(config: ImsConfig) -> None:
    raw = {**RAW_CONFIG}
    wf = {**raw["workflows"]["demo"]}
    wf["transitions"] = [
        {
            "name": "go",
            "from": ["DRAFT"],
            "to": "CLOSURE",
            "when": {"predicate": "budget", "args": {"max": 10}},
        }
    ]
    cfg = ImsConfig.model_validate({**raw, "workflows": {"demo": wf}})

    def budget(ctx: EvalContext, args: Mapping[str, Any]) -> str | None:
        amount = ctx.snapshot.data.get("amount", 0)
        return None if amount <= args["max"] else f"the budget allows at most {args['max']}"

    engine = Engine(cfg, {"budget": budget})
    assert engine.decide(snap(data={"amount": 5}), actor(), "go", now=NOW).allowed
    assert engine.decide(snap(data={"amount": 50}), actor(), "go", now=NOW).reasons == [
        "the budget allows at most 10"
    ]
    with pytest.raises(RuleError, match="unknown predicate 'budget'"):
        Engine(cfg).decide(snap(), actor(), "go", now=NOW)


def test_bad_condition_fails_at_construction() -> None:
    raw = {**RAW_CONFIG}
    wf = {
        **raw["workflows"]["demo"],
        "transitions": [{"name": "go", "from": ["DRAFT"], "to": "CLOSURE", "when": {"feild": 1}}],
    }
    cfg = ImsConfig.model_validate({**raw, "workflows": {"demo": wf}})
    with pytest.raises(RuleError, match="bad condition"):
        Engine(cfg)
