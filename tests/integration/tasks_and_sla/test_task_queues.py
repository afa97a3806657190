"""Work queues in SQL: mine, unassigned in my roles, overdue first, filters, paging, totals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sla_support import START, intake, open_task

from ims import IMS, PermissionDenied, ValidationFailed
from ims.testing.fixtures import Clock


def numbers(page: object) -> list[str]:
    return [t.application_number for t in page.items]  # type: ignore[attr-defined]


def test_a_new_task_is_in_every_queue_of_its_roles_until_claimed(ims: IMS) -> None:
    number = intake(ims)
    task_id = open_task(ims, number)
    for user in ("fenna", "frank", "anna"):  # front_office, front_office, admin
        assert numbers(ims.tasks.queue(actor=user)) == [number]
    assert ims.tasks.queue(actor="sara").total == 0  # staff: not hers
    ims.tasks.claim(task_id, actor="frank")
    assert numbers(ims.tasks.queue(actor="frank", scope="mine")) == [number]
    assert ims.tasks.queue(actor="frank", scope="unassigned").total == 0
    assert ims.tasks.queue(actor="fenna").total == 0  # someone else's now
    assert ims.tasks.queue(actor="anna").total == 0


def test_overdue_first_then_soonest_due(ims: IMS, clock: Clock) -> None:
    first = intake(ims, "Anna")  # due START + 48 h
    clock.advance(hours=10)
    second = intake(ims, "Bert")  # due START + 58 h
    clock.advance(hours=1)
    draft = ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "C", "last_name": "D"}}, actor="fenna"
    )
    # DRAFT task: due START + 11 h + 72 h; the intake tasks come first (sooner)
    assert numbers(ims.tasks.queue(actor="fenna")) == [first, second, draft.number]
    # the second one is marked OVERDUE by a sweep; the first is past due as well, without a sweep
    clock.set(START + timedelta(hours=59))
    ims.sla.sweep()
    page = ims.tasks.queue(actor="fenna")
    assert [(t.application_number, t.status) for t in page.items] == [
        (first, "OVERDUE"),
        (second, "OVERDUE"),
        (draft.number, "PENDING"),
    ]
    assert [t.overdue_at(clock.now) for t in page.items] == [True, True, False]


def test_filters_and_paging(ims: IMS, clock: Clock) -> None:
    made = []
    for i in range(7):
        made.append(intake(ims, f"Person{i}"))
        clock.advance(minutes=5)
    ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "E", "last_name": "F"}}, actor="fenna"
    )
    page = ims.tasks.queue(actor="fenna", state="INTAKE_REVIEW", limit=3)
    assert (page.total, numbers(page), page.has_more) == (7, made[:3], True)
    page = ims.tasks.queue(actor="fenna", state="INTAKE_REVIEW", limit=3, offset=6)
    assert (numbers(page), page.has_more) == (made[6:], False)
    assert ims.tasks.queue(actor="fenna").total == 8
    assert ims.tasks.queue(actor="fenna", state="DRAFT").total == 1
    assert ims.tasks.queue(actor="fenna", workflow="bouwsubsidie").total == 8
    assert ims.tasks.queue(actor="fenna", workflow="other").total == 0
    assert ims.tasks.queue(actor="fenna", status="IN_PROGRESS").total == 0
    due = START + timedelta(hours=48, minutes=12)  # the first three are due before this
    assert numbers(ims.tasks.queue(actor="fenna", due_before=due)) == made[:3]
    ims.tasks.start(open_task(ims, made[2]), actor="fenna")
    assert numbers(ims.tasks.queue(actor="fenna", status="IN_PROGRESS")) == [made[2]]
    with pytest.raises(ValidationFailed, match="unknown task status"):
        ims.tasks.queue(actor="fenna", status="DONE")
    with pytest.raises(ValidationFailed, match="limit"):
        ims.tasks.queue(actor="fenna", limit=0)


def test_supervisor_list_sees_every_task(ims: IMS) -> None:
    a, b = intake(ims, "A"), intake(ims, "B")
    ims.tasks.claim(open_task(ims, a), actor="fenna")
    assert ims.tasks.list(actor="anna").total == 2
    assert numbers(ims.tasks.list(actor="dirk", assignee="fenna")) == [a]
    assert ims.tasks.list(actor="anna", role="admin").total == 2
    assert ims.tasks.list(actor="anna", role="staff").total == 0
    # closed tasks (the DRAFT ones, completed by submit) only when asked
    assert ims.tasks.list(actor="anna", include_closed=True).total == 4
    assert numbers(ims.tasks.list(actor="anna", status="COMPLETED")) == [a, b]
    with pytest.raises(PermissionDenied, match=r"tasks\.supervise"):
        ims.tasks.list(actor="fenna")


def test_queue_query_uses_the_role_table(ims: IMS) -> None:
    """Roles live in task_roles, one row each: the queue finds them by index, in SQL."""
    from sqlalchemy import select

    from ims.store.models import TaskRole

    number = intake(ims)
    task_id = open_task(ims, number)
    with ims.runtime.sessions() as s:
        rows = s.execute(select(TaskRole.role).where(TaskRole.task_id == task_id).order_by(TaskRole.role))
        assert [r for (r,) in rows] == ["admin", "front_office"]
