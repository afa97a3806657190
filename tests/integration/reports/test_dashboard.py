"""``ims.dashboard.for_user``: the landing page's numbers per role, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from conftest import History, create
from ims import IMS, PermissionDenied
from ims.services.dashboard import StateCount
from ims.store.models import Task
from ims.testing.fixtures import Clock

ALL = (
    StateCount("bouwsubsidie", "CLOSURE", 1),
    StateCount("bouwsubsidie", "DRAFT", 1),
    StateCount("bouwsubsidie", "INTAKE_REVIEW", 1),
    StateCount("bouwsubsidie", "REJECTED", 1),
)


def assign_fresh_draft_to_fenna(ims: IMS, history: History) -> None:
    app_id = ims.applications.get(history.fresh).id
    with ims.runtime.sessions.begin() as s:
        s.execute(
            update(Task).where(Task.application_id == app_id, Task.state == "DRAFT").values(assignee="fenna")
        )


def test_front_office(ims: IMS, history: History, clock: Clock) -> None:
    assign_fresh_draft_to_fenna(ims, history)
    board = ims.dashboard.for_user("fenna")
    assert board.username == "fenna"
    assert board.roles == ("front_office",)
    assert board.as_of == clock.now
    # the fresh draft (due in 10 h: due soon), assigned to fenna; the late intake review is unassigned
    assert (board.my_open_tasks, board.my_overdue, board.due_soon) == (1, 0, 1)
    assert board.unassigned_in_my_roles == 1
    assert board.applications_by_state == ALL
    assert board.decisions_this_month == {"approved": 1, "rejected": 1}
    clock.advance(hours=11)
    later = ims.dashboard.for_user("fenna")
    assert (later.my_open_tasks, later.my_overdue, later.due_soon) == (1, 1, 0)


def test_other_roles(ims: IMS, history: History) -> None:
    admin = ims.dashboard.for_user("anna")
    assert (admin.my_open_tasks, admin.unassigned_in_my_roles) == (0, 1)  # the intake review
    minister = ims.dashboard.for_user("mina")
    assert (minister.my_open_tasks, minister.unassigned_in_my_roles) == (0, 0)
    assert minister.applications_by_state == ALL


def test_applicant_sees_only_their_own(ims: IMS, history: History) -> None:
    board = ims.dashboard.for_user("paul")
    assert board.applications_by_state == (
        StateCount("bouwsubsidie", "CLOSURE", 1),
        StateCount("bouwsubsidie", "INTAKE_REVIEW", 1),
    )
    assert board.decisions_this_month == {"approved": 1, "rejected": 0}
    assert (board.my_open_tasks, board.unassigned_in_my_roles) == (0, 0)


def test_decisions_of_this_month_only(ims: IMS, history: History, clock: Clock) -> None:
    clock.advance(days=30)  # December
    assert ims.dashboard.for_user("anna").decisions_this_month == {"approved": 0, "rejected": 0}


def test_office_counts_are_cached_for_half_a_minute(ims: IMS, history: History, clock: Clock) -> None:
    assert ims.dashboard.for_user("anna").applications_by_state == ALL
    create(ims, "wanica")
    clock.advance(seconds=20)
    assert ims.dashboard.for_user("sara").applications_by_state == ALL
    clock.advance(seconds=11)
    fresh = ims.dashboard.for_user("sara").applications_by_state
    assert StateCount("bouwsubsidie", "DRAFT", 2) in fresh
    ims.dashboard.cache_seconds = 0
    create(ims, "wanica")
    assert StateCount("bouwsubsidie", "DRAFT", 3) in ims.dashboard.for_user("sara").applications_by_state


def test_unknown_user(ims: IMS) -> None:
    with pytest.raises(PermissionDenied, match="unknown user 'nobody'"):
        ims.dashboard.for_user("nobody")
