"""The housing-subsidy workflow, path by path: each gate refuses, then allows."""

from __future__ import annotations

from typing import Any

import pytest

from ims import IMS, PermissionDenied, TransitionRefused, ValidationFailed
from ims.demo import REQUIRED_ALWAYS, Demo, applicant_data

EMPLOYED_DOCS = (*REQUIRED_ALWAYS, "pay_slip", "employer_declaration")


def refused(ims: IMS, number: str, action: str, actor: str, **kwargs: Any) -> list[str]:
    with pytest.raises(TransitionRefused) as info:
        ims.workflow.transition(number, action, actor=actor, **kwargs)
    return info.value.reasons


def add_docs(ims: IMS, number: str, types: tuple[str, ...], actor: str = "fenna") -> None:
    for t in types:
        ims.documents.add(number, t, f"{t}.pdf", actor=actor, content=b"x")


def draft(ims: IMS, **data: Any) -> str:
    full = applicant_data("Maria", "Doe")
    full.update(data)
    return ims.applications.create("bouwsubsidie", full, actor="fenna", applicant="paul").number


def at_control_assign(ims: IMS) -> str:
    number = draft(ims)
    add_docs(ims, number, EMPLOYED_DOCS)
    ims.workflow.transition(number, "submit", actor="fenna")
    ims.workflow.transition(number, "accept_intake", actor="fenna")
    return number


def test_number_follows_the_pattern(ims: IMS) -> None:
    number = draft(ims)
    assert number.startswith("BS-2026-")
    assert len(number) == len("BS-2026-000001")


def test_leaving_draft_needs_complete_data_and_a_document(ims: IMS) -> None:
    app = ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "A", "last_name": "B"}}, actor="fenna"
    )
    reasons = refused(ims, app.number, "submit", "fenna")
    text = "\n".join(reasons)
    assert "national id" in text
    assert "upload at least one document" in reasons
    assert len(reasons) > 5
    ims.applications.update_data(app.number, applicant_data("A", "B"), actor="fenna")
    assert refused(ims, app.number, "submit", "fenna") == ["upload at least one document"]
    add_docs(ims, app.number, ("national_declaration",))
    result = ims.workflow.transition(app.number, "submit", actor="fenna")
    assert (result.from_state, result.to_state) == ("DRAFT", "INTAKE_REVIEW")


def test_bad_data_is_refused_with_its_path(ims: IMS) -> None:
    number = draft(ims)
    with pytest.raises(ValidationFailed) as info:
        ims.applications.update_data(number, {"requested_amount": 0}, actor="fenna")
    assert any(p.startswith("/requested_amount:") for p in info.value.problems)


def test_only_the_acting_role_may_submit(ims: IMS) -> None:
    number = draft(ims)
    add_docs(ims, number, ("national_declaration",))
    reasons = refused(ims, number, "submit", "sara")
    assert len(reasons) == 1
    assert "sara" in reasons[0] or "staff" in reasons[0].lower() or "front" in reasons[0].lower()


def test_intake_needs_the_required_documents_and_conditions_apply(ims: IMS) -> None:
    number = draft(ims)
    add_docs(ims, number, ("national_declaration",))
    ims.workflow.transition(number, "submit", actor="fenna")
    reasons = refused(ims, number, "accept_intake", "fenna")
    assert len(reasons) == 1
    # employed, owner, no mortgage: 6 always + pay slip + employer declaration
    assert reasons[0].startswith("7 of 8 required documents are not uploaded")
    items = {i.document_type.code: i for i in ims.documents.checklist(number) if i.required}
    assert "owner_permission" not in items and "aov_declaration" not in items
    assert "pay_slip" in items
    ims.applications.update_data(
        number,
        {"applicant": {"employment_status": "retired"}, "property": {"applicant_is_owner": False}},
        actor="fenna",
    )
    items = {i.document_type.code: i for i in ims.documents.checklist(number) if i.required}
    assert {"owner_permission", "aov_declaration", "pension_statement"} <= set(items)
    assert "pay_slip" not in items
    add_docs(
        ims,
        number,
        (*REQUIRED_ALWAYS[1:], "owner_permission", "aov_declaration", "pension_statement"),
    )
    assert ims.workflow.transition(number, "accept_intake", actor="fenna").to_state == "CONTROL_ASSIGN"


def test_control_needs_officer_visit_date_visit_and_photos(ims: IMS) -> None:
    number = at_control_assign(ims)
    reasons = refused(ims, number, "schedule_visit", "anna")
    assert reasons == ["no control officer is assigned yet", "the visit date is missing"]
    ims.applications.update_data(
        number, {"control_officer": "carlos", "visit_date": "2026-12-01"}, actor="anna"
    )
    ims.workflow.transition(number, "schedule_visit", actor="anna")
    tasks = [t for t in ims.tasks.for_application(number) if t.status == "PENDING"]
    assert [(t.state, t.assignee) for t in tasks] == [("CONTROL_VISIT_SCHEDULED", "carlos")]
    ims.workflow.transition(number, "start_visit", actor="carlos")
    reasons = refused(ims, number, "to_technical_review", "carlos")
    assert reasons[0] == "the control visit has not been recorded"
    assert "4" in reasons[1]
    ims.steps.record(
        number,
        "control_visit",
        {"visit_date": "2026-12-01", "completed": True, "findings": "Roof leaks badly."},
        actor="carlos",
    )
    for i in range(4):
        ims.documents.add(number, "photo", f"p{i}.jpg", actor="carlos", content=b"x")
    assert (
        ims.workflow.transition(number, "to_technical_review", actor="carlos").to_state == "TECHNICAL_REVIEW"
    )


def at_director_review(ims: IMS) -> str:
    """An application through control and both reviews, its documents verified."""
    number = at_control_assign(ims)
    ims.applications.update_data(
        number, {"control_officer": "carlos", "visit_date": "2026-12-01"}, actor="anna"
    )
    ims.workflow.transition(number, "schedule_visit", actor="anna")
    ims.workflow.transition(number, "start_visit", actor="carlos")
    visit = {"visit_date": "2026-12-01", "completed": True, "findings": "Roof leaks badly."}
    ims.steps.record(number, "control_visit", visit, actor="carlos")
    for i in range(4):
        ims.documents.add(number, "photo", f"p{i}.jpg", actor="carlos", content=b"x")
    ims.workflow.transition(number, "to_technical_review", actor="carlos")
    report = {"summary": "Roof must be replaced.", "recommendation": "approve"}
    ims.steps.record(number, "technical_report", {**report, "estimated_cost": 40000}, actor="sara")
    ims.steps.record(number, "social_report", report, actor="sara")
    for doc in ims.documents.list(number):
        ims.documents.verify(doc.id, actor="sara" if doc.document_type == "photo" else "fenna")
    ims.workflow.transition(number, "to_director", actor="sara")
    return number


def test_decisions_must_agree_with_the_recorded_step(ims: IMS) -> None:
    number = at_director_review(ims)
    # nothing recorded yet: neither way out
    assert refused(ims, number, "recommend", "dirk") == [
        "the director has not recorded the recommendation 'approve'"
    ]
    ims.steps.record(number, "director_recommendation", {"recommendation": "approve"}, actor="dirk")
    assert refused(ims, number, "reject", "dirk", reason="No budget.") == [
        "the director has not recorded the recommendation 'reject'"
    ]
    ims.workflow.transition(number, "recommend", actor="dirk")
    # the minister records 'reject': approving is refused, rejecting (with a reason) is not
    assert refused(ims, number, "approve", "mina") == ["the minister has not recorded the decision 'approve'"]
    ims.steps.record(
        number, "minister_decision", {"decision": "reject", "note": "Budget spent."}, actor="mina"
    )
    assert refused(ims, number, "approve", "mina") == ["the minister has not recorded the decision 'approve'"]
    options = {o.action: o for o in ims.workflow.available_actions(number, actor="mina")}
    assert (options["approve"].allowed, options["reject"].allowed) == (False, True)
    assert refused(ims, number, "reject", "mina") == ["a reason is required"]
    result = ims.workflow.transition(number, "reject", actor="mina", reason="Budget spent.")
    assert (result.from_state, result.to_state) == ("MINISTER_DECISION", "REJECTED")


def test_photos_need_the_photo_permission(ims: IMS) -> None:
    number = draft(ims)
    with pytest.raises(PermissionDenied):
        ims.documents.add(number, "photo", "x.jpg", actor="fenna", content=b"x")


def test_full_demo_reaches_every_end(ims: IMS) -> None:
    lines: list[str] = []
    result = Demo(ims, lines.append).run()
    closed, rejected, held, late = result["applications"]
    assert ims.applications.get(closed).state == "CLOSURE"
    assert ims.applications.get(closed).closed_at is not None
    assert ims.applications.get(rejected).state == "REJECTED"
    assert ims.applications.get(held).state == "CONTROL_ASSIGN"
    # the SLA part: a warning, a breach and two escalation levels for the late application, once each
    assert [(n, k, lv) for n, k, lv, _ in result["sla_notices"]] == [
        (late, "WARNING", 0),
        (late, "BREACH", 0),
        (late, "ESCALATION", 1),
        (late, "ESCALATION", 2),
    ]
    assert [r for *_, r in result["sla_notices"]] == [("fenna",), ("fenna",), ("anna",), ("dirk",)]
    assert result["audit_ok"]
    assert result["refusals"] >= 5
    history = ims.workflow.history(rejected)
    assert history[-1].reason == "The plot lies outside the subsidy area."


def test_reject_needs_a_reason(ims: IMS) -> None:
    number = draft(ims)
    add_docs(ims, number, ("national_declaration",))
    ims.workflow.transition(number, "submit", actor="fenna")
    assert refused(ims, number, "reject", "fenna") == ["a reason is required"]
    assert refused(ims, number, "reject", "fenna", reason="   ") == ["a reason is required"]
    ims.workflow.transition(number, "reject", actor="fenna", reason="Outside the area.")
    assert ims.workflow.available_actions(number, actor="fenna") == []
    reasons = refused(ims, number, "submit", "fenna")
    assert "REJECTED" in reasons[0]


def test_hold_returns_to_the_state_it_left_and_tasks_follow(ims: IMS) -> None:
    number = at_control_assign(ims)
    assert refused(ims, number, "hold", "dirk") == ["a reason is required"]
    ims.workflow.transition(number, "hold", actor="dirk", reason="Court case about ownership.")
    app = ims.applications.get(number)
    assert (app.state, app.previous_state) == ("ON_HOLD", "CONTROL_ASSIGN")
    # the task stays open, its SLA clock paused
    (paused,) = [t for t in ims.tasks.for_application(number) if t.status == "PENDING"]
    assert paused.paused_at is not None
    ims.workflow.transition(number, "resume", actor="mina")
    app = ims.applications.get(number)
    assert app.state == "CONTROL_ASSIGN"
    open_tasks = [t for t in ims.tasks.for_application(number) if t.status == "PENDING"]
    assert [(t.id, t.state, t.paused_at) for t in open_tasks] == [(paused.id, "CONTROL_ASSIGN", None)]


def test_available_actions_explain_blocks(ims: IMS) -> None:
    number = draft(ims)
    options = {o.action: o for o in ims.workflow.available_actions(number, actor="fenna")}
    assert set(options) == {"submit", "hold"}
    assert options["submit"].allowed is False
    assert list(options["submit"].reasons) == ["upload at least one document"]
    assert options["hold"].allowed is False


def test_tasks_get_sla_due_times(ims: IMS, clock: Any) -> None:
    number = draft(ims)
    (task,) = ims.tasks.for_application(number)
    assert task.state == "DRAFT"
    assert task.due_at is not None
    assert (task.due_at - clock.now).total_seconds() == 72 * 3600


def test_notifications_reach_role_inboxes(ims: IMS) -> None:
    number = draft(ims)
    add_docs(ims, number, ("national_declaration",))
    ims.workflow.transition(number, "submit", actor="fenna")
    inbox = ims.notifications.inbox(actor="fenna")
    assert len(inbox) == 1
    assert number in inbox[0].subject
    assert ims.notifications.mark_read([inbox[0].id], actor="fenna") == 1
    assert ims.notifications.inbox(actor="fenna", unread_only=True) == []
    # someone else's id changes nothing
    assert ims.notifications.mark_read([inbox[0].id], actor="carlos") == 0


def test_stale_version_is_a_conflict(ims: IMS) -> None:
    from ims import Conflict

    number = draft(ims)
    version = ims.applications.get(number).version
    ims.applications.update_data(
        number,
        {"reason": "A different reason, long enough."},
        actor="fenna",
        expected_version=version,
    )
    with pytest.raises(Conflict):
        ims.applications.update_data(
            number,
            {"reason": "Yet another reason, long enough."},
            actor="fenna",
            expected_version=version,
        )
