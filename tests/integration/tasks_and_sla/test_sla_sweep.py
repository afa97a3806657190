"""The SLA sweep: each warning, breach and escalation once, across reruns and crashes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sla_support import START, intake, open_task
from sqlalchemy import func, select, text

from ims import IMS
from ims.services import sla as sla_module
from ims.store.models import Notification, SlaNotice, Task
from ims.testing.fixtures import Clock


def notices(ims: IMS) -> list[tuple[str, int, list[str]]]:
    with ims.runtime.sessions() as s:
        rows = s.scalars(select(SlaNotice).order_by(SlaNotice.id)).all()
        return [(r.kind, r.level, r.recipients) for r in rows]


def sla_messages(ims: IMS) -> list[tuple[str | None, str]]:
    with ims.runtime.sessions() as s:
        rows = s.execute(
            select(Notification.recipient, Notification.template)
            .where(Notification.template.like("sla_%"))
            .order_by(Notification.id)
        ).all()
        return [(r, t) for r, t in rows]


def test_warning_breach_and_escalations_fire_once_each(ims: IMS, clock: Clock) -> None:
    number = intake(ims)  # INTAKE_REVIEW: 48 h, warning at 80 % (38.4 h), escalations at +0 h and +24 h
    task_id = open_task(ims, number)
    assert ims.sla.sweep().examined == 0  # nothing due: an idle sweep reads nothing

    clock.set(START + timedelta(hours=38))
    assert ims.sla.sweep().warnings == 0
    clock.set(START + timedelta(hours=38, minutes=30))
    first = ims.sla.sweep()
    assert (first.examined, first.warnings, first.breaches, first.escalations) == (1, 1, 0, 0)
    assert notices(ims) == [("WARNING", 0, ["anna", "fenna", "frank"])]  # unassigned: its roles' holders

    ims.tasks.claim(task_id, actor="fenna")
    clock.set(START + timedelta(hours=48))
    second = ims.sla.sweep()
    assert (second.breaches, second.escalations, second.marked_overdue) == (1, 1, 1)
    task = ims.tasks.get(task_id)
    assert (task.status, task.breached_at) == ("OVERDUE", START + timedelta(hours=48))
    clock.set(START + timedelta(hours=72))
    assert ims.sla.sweep().escalations == 1
    assert notices(ims) == [
        ("WARNING", 0, ["anna", "fenna", "frank"]),
        ("BREACH", 0, ["fenna"]),  # assigned now: the assignee only
        ("ESCALATION", 1, ["anna"]),  # admin
        ("ESCALATION", 2, ["dirk"]),  # director
    ]
    # nothing is left to fire: reruns, now and much later, send nothing
    for later in (0, 1000):
        clock.set(START + timedelta(hours=72 + later))
        again = ims.sla.sweep()
        assert (again.examined, again.warnings, again.breaches, again.escalations) == (0, 0, 0, 0)
    assert sla_messages(ims) == [
        ("anna", "sla_warning"),
        ("fenna", "sla_warning"),
        ("frank", "sla_warning"),
        ("fenna", "sla_breach"),
        ("anna", "sla_escalation"),
        ("dirk", "sla_escalation"),
    ]
    with ims.runtime.sessions() as s:
        assert s.scalar(select(Task.next_check_at).where(Task.id == task_id)) is None
        body = s.scalar(
            select(Notification.body)
            .where(Notification.template == "sla_escalation")
            .order_by(Notification.id.desc())
            .limit(1)
        )
    assert body is not None and number in body and "24 hours past its deadline" in body


def test_a_late_sweep_skips_the_overtaken_warning(ims: IMS, clock: Clock) -> None:
    intake(ims)
    clock.set(START + timedelta(days=30))  # the worker was down for a month
    result = ims.sla.sweep()
    assert (result.warnings, result.breaches, result.escalations) == (0, 1, 2)
    assert [k for k, _, _ in notices(ims)] == ["BREACH", "ESCALATION", "ESCALATION"]


def test_completed_and_cancelled_tasks_fire_nothing(ims: IMS, clock: Clock) -> None:
    done, cancelled = intake(ims, "A"), intake(ims, "B")
    ims.tasks.complete(open_task(ims, done), actor="fenna")
    ims.tasks.cancel(open_task(ims, cancelled), actor="anna", reason="duplicate")
    clock.set(START + timedelta(days=10))
    assert ims.sla.sweep().examined == 0


def test_leaving_the_state_stops_the_clock(ims: IMS, clock: Clock) -> None:
    number = intake(ims)
    clock.set(START + timedelta(hours=40))
    assert ims.sla.sweep().warnings == 1
    ims.workflow.transition(number, "reject", actor="fenna", reason="Outside the subsidy area.")
    clock.set(START + timedelta(days=10))
    assert ims.sla.sweep().examined == 0
    (task,) = [t for t in ims.tasks.for_application(number) if t.state == "INTAKE_REVIEW"]
    assert (task.status, task.breached_at) == ("COMPLETED", None)


def test_a_crash_before_the_commit_sends_nothing_and_the_next_sweep_sends_once(
    ims: IMS, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for first in ("A", "B", "C"):
        intake(ims, first)
    clock.set(START + timedelta(hours=49))
    real = sla_module._messages.insert_rows
    calls = []

    def crash(*args: object, **kwargs: object) -> None:
        calls.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]  # the rows are written, the notices too ...
        raise RuntimeError("worker killed")  # ... and the process dies before the commit

    monkeypatch.setattr(sla_module._messages, "insert_rows", crash)
    with pytest.raises(RuntimeError, match="worker killed"):
        ims.sla.sweep(batch_size=2)
    assert calls == [1]
    assert notices(ims) == [] and sla_messages(ims) == []  # rolled back: nothing was sent
    monkeypatch.setattr(sla_module._messages, "insert_rows", real)
    result = ims.sla.sweep(batch_size=2)
    assert (result.examined, result.breaches, result.escalations, result.batches) == (3, 3, 3, 2)
    assert ims.sla.sweep().examined == 0
    assert len(notices(ims)) == 6
    assert len(sla_messages(ims)) == 3 * 3 + 3  # breach to the 3 queue holders, escalation to anna


def test_the_unique_notice_key_refuses_a_second_copy(ims: IMS, clock: Clock) -> None:
    """Even if the bookkeeping were wrong, the database refuses to record a notice twice."""
    from ims.errors import ImsError

    number = intake(ims)
    task_id = open_task(ims, number)
    app_id = ims.applications.get(number).id
    clock.set(START + timedelta(hours=40))
    assert ims.sla.sweep().warnings == 1
    with pytest.raises(ImsError, match="sla_notices"), ims.runtime.transaction() as s:
        s.add(
            SlaNotice(
                task_id=task_id, application_id=app_id, kind="WARNING", level=0, due_at=START, fired_at=START
            )
        )
        s.flush()
    # a sweep told to look again finds the warning sent and sends nothing
    with ims.runtime.sessions.begin() as s:
        s.execute(text("UPDATE tasks SET next_check_at = :t WHERE id = :id"), {"t": START, "id": task_id})
    again = ims.sla.sweep()
    assert (again.examined, again.warnings) == (1, 0)
    assert len(notices(ims)) == 1


def test_many_due_tasks_in_batches(ims: IMS, clock: Clock) -> None:
    for i in range(12):
        ims.applications.create(
            "bouwsubsidie", {"applicant": {"first_name": f"P{i}", "last_name": "Q"}}, actor="fenna"
        )
    clock.set(START + timedelta(hours=60))  # DRAFT: 72 h; the warning at 57.6 h
    result = ims.sla.sweep(batch_size=5)
    assert (result.examined, result.warnings, result.batches) == (12, 12, 3)
    assert ims.sla.due_count() == 0
    clock.set(START + timedelta(hours=72))
    assert ims.sla.due_count() == 12
    assert ims.sla.sweep(batch_size=5, max_batches=1).examined == 5
    assert ims.sla.due_count() == 7


def test_the_sweep_reads_due_tasks_through_the_index(ims: IMS) -> None:
    """The cost follows the tasks due: the query is a range scan of ix_tasks_next_check_at."""
    from ims.services.sla import _DUE

    with ims.runtime.sessions() as s:
        for i in range(3):
            ims.applications.create(
                "bouwsubsidie",
                {"applicant": {"first_name": f"P{i}", "last_name": "Q"}},
                actor="fenna",
                session=s,
            )
        s.commit()
        conn = s.connection()
        statement = _DUE.params(now=START + timedelta(days=1), batch=10)
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        if conn.dialect.name == "sqlite":
            plan = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            assert "ix_tasks_next_check_at" in " ".join(str(r) for r in plan)
        else:
            conn.execute(text("SET enable_seqscan = off"))  # a tiny table would be scanned anyway
            plan = conn.execute(text(f"EXPLAIN {compiled}")).all()
            assert "ix_tasks_next_check_at" in " ".join(str(r) for r in plan)
    with ims.runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 3
