"""Claim, assign, reassign, start, complete, cancel: permitted by role, audited, notified."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sla_support import intake, open_task
from sqlalchemy import select

from ims import IMS, PermissionDenied, ValidationFailed
from ims.errors import Conflict, NotFound
from ims.store.models import AuditLog, Notification, StatePeriod
from ims.testing.fixtures import Clock


def audit_actions(ims: IMS, number: str) -> list[tuple[str, str]]:
    app = ims.applications.get(number)
    with ims.runtime.sessions() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.application_id == app.id).order_by(AuditLog.id))
        return [(r.action, r.actor) for r in rows if r.action.startswith("task-")]


def test_claim_start_complete_by_the_assignee(ims: IMS, clock: Clock) -> None:
    number = intake(ims)
    task_id = open_task(ims, number)
    assert ims.tasks.claim(task_id, actor="fenna").assignee == "fenna"
    assert ims.tasks.claim(task_id, actor="fenna").assignee == "fenna"  # claiming again changes nothing
    clock.advance(hours=1)
    started = ims.tasks.start(task_id, actor="fenna")
    assert (started.status, started.started_at) == ("IN_PROGRESS", clock.now)
    clock.advance(hours=1)
    done = ims.tasks.complete(task_id, actor="fenna", comment="checked")
    assert (done.status, done.completed_by, done.completed_at, done.breached_at) == (
        "COMPLETED",
        "fenna",
        clock.now,
        None,
    )
    assert audit_actions(ims, number) == [
        ("task-claimed", "fenna"),
        ("task-started", "fenna"),
        ("task-completed", "fenna"),
    ]
    assert ims.audit.verify().ok
    with pytest.raises(Conflict, match="COMPLETED"):
        ims.tasks.start(task_id, actor="fenna")


def test_claim_needs_one_of_the_tasks_roles(ims: IMS) -> None:
    task_id = open_task(ims, intake(ims))
    with pytest.raises(PermissionDenied, match="front_office, admin; sara has staff"):
        ims.tasks.claim(task_id, actor="sara")
    ims.tasks.claim(task_id, actor="frank")
    with pytest.raises(Conflict, match="already assigned to frank"):
        ims.tasks.claim(task_id, actor="fenna")
    with pytest.raises(PermissionDenied, match="assigned to frank, not fenna"):
        ims.tasks.start(task_id, actor="fenna")
    with pytest.raises(PermissionDenied, match=r"needs permission 'tasks\.assign'"):
        ims.tasks.complete(task_id, actor="fenna")
    with pytest.raises(NotFound):
        ims.tasks.claim(999, actor="fenna")


def test_assign_and_reassign_by_the_supervisor_notify_the_assignee(ims: IMS) -> None:
    number = intake(ims)
    task_id = open_task(ims, number)
    with pytest.raises(PermissionDenied, match=r"assigning a task needs permission 'tasks\.assign'"):
        ims.tasks.assign(task_id, "fenna", actor="fenna")
    with pytest.raises(ValidationFailed, match="sara holds none of the task's roles"):
        ims.tasks.assign(task_id, "sara", actor="anna")
    with pytest.raises(PermissionDenied, match="unknown user 'nobody'"):
        ims.tasks.assign(task_id, "nobody", actor="anna")
    assert ims.tasks.assign(task_id, "fenna", actor="anna").assignee == "fenna"
    ims.tasks.start(task_id, actor="fenna")
    moved = ims.tasks.assign(task_id, "frank", actor="anna")
    assert (moved.assignee, moved.status) == ("frank", "IN_PROGRESS")
    back = ims.tasks.assign(task_id, None, actor="anna")  # back to the queue: not started by anyone
    assert (back.assignee, back.status) == (None, "PENDING")
    assert audit_actions(ims, number) == [
        ("task-assigned", "anna"),
        ("task-started", "fenna"),
        ("task-reassigned", "anna"),
        ("task-reassigned", "anna"),
    ]
    with ims.runtime.sessions() as s:
        notes = s.scalars(select(Notification).where(Notification.template == "task_assigned")).all()
        assert sorted(n.recipient for n in notes) == ["fenna", "frank"]
        assert all(number in n.subject for n in notes)
    assert "Review the intake" in notes[0].body


def test_supervisor_completes_and_cancels(ims: IMS, clock: Clock) -> None:
    number = intake(ims)
    task_id = open_task(ims, number)
    ims.tasks.claim(task_id, actor="fenna")
    clock.advance(hours=50)  # past the 48 h: completing late records the breach
    done = ims.tasks.complete(task_id, actor="anna")
    assert (done.completed_by, done.breached_at) == ("anna", done.due_at)
    other = open_task(ims, intake(ims, "Bert"))
    with pytest.raises(ValidationFailed, match="needs a reason"):
        ims.tasks.cancel(other, actor="anna", reason=" ")
    with pytest.raises(PermissionDenied, match=r"cancelling a task needs permission 'tasks\.cancel'"):
        ims.tasks.cancel(other, actor="fenna", reason="duplicate")
    cancelled = ims.tasks.cancel(other, actor="anna", reason="duplicate")
    assert cancelled.status == "CANCELLED"
    assert ims.tasks.queue(actor="fenna").total == 0


def test_transitions_close_tasks_and_record_state_periods(ims: IMS, clock: Clock) -> None:
    number = intake(ims)
    clock.advance(hours=3)
    ims.workflow.transition(number, "hold", actor="dirk", reason="papers")
    clock.advance(hours=5)
    ims.workflow.transition(number, "resume", actor="dirk")
    app = ims.applications.get(number)
    assert app.district == "paramaribo"
    with ims.runtime.sessions() as s:
        periods = s.scalars(
            select(StatePeriod).where(StatePeriod.application_id == app.id).order_by(StatePeriod.id)
        ).all()
        assert [(p.state, p.seconds, p.exit_transition, p.next_state) for p in periods] == [
            ("DRAFT", 0.0, "submit", "INTAKE_REVIEW"),
            ("INTAKE_REVIEW", 3 * 3600.0, "hold", "ON_HOLD"),
            ("ON_HOLD", 5 * 3600.0, "resume", "INTAKE_REVIEW"),
            ("INTAKE_REVIEW", None, None, None),
        ]
        assert periods[-1].entered_at == clock.now and periods[-1].exited_at is None
    ims.applications.update_data(
        number, {"applicant": {**app.data["applicant"], "district": "wanica"}}, actor="fenna"
    )
    assert ims.applications.get(number).district == "wanica"


def test_a_task_of_an_application_on_hold_is_shown_on_hold(ims: IMS, clock: Clock) -> None:
    number = intake(ims)
    task_id = open_task(ims, number)
    ims.workflow.transition(number, "hold", actor="dirk", reason="papers")
    clock.advance(hours=100)
    task = ims.tasks.get(task_id)
    assert task.paused_at is not None and not task.overdue_at(clock.now)
    assert task.due_at is not None and task.due_at < clock.now - timedelta(hours=40)
