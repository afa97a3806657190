"""application_steps: one row per (application, step), written by upsert."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as SessionMaker

from ims.errors import Conflict
from ims.store.db import wrap_errors
from ims.store.models import Application, ApplicationStep
from ims.store.steps import open_step, record_step

NewApplication = Callable[..., Application]


def _count(session: Session, app_id: int) -> int:
    return session.scalar(select(func.count()).where(ApplicationStep.application_id == app_id)) or 0


def test_open_then_record_then_reopen(
    sessionmaker: SessionMaker[Session], new_application: NewApplication, now: datetime
) -> None:
    later = now + timedelta(hours=1)
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
        step = open_step(s, application_id=app_id, step_name="control_visit", now=now)
        assert (step.status, step.data, step.created_at) == ("PENDING", {}, now)
        same = open_step(s, application_id=app_id, step_name="control_visit", now=now)
        assert same is step
        assert _count(s, app_id) == 1

    with sessionmaker.begin() as s:
        done = record_step(
            s,
            application_id=app_id,
            step_name="control_visit",
            data={"visit_date": "2026-12-01"},
            actor="control1",
            now=later,
        )
        assert done.status == "COMPLETED"
        assert (done.completed_by, done.completed_at) == ("control1", later)
        assert done.created_at == now  # the row was updated, not replaced

    with sessionmaker.begin() as s:
        reopened = open_step(s, application_id=app_id, step_name="control_visit", now=later)
        assert reopened.status == "PENDING"
        assert reopened.data == {"visit_date": "2026-12-01"}  # data is kept
        assert reopened.completed_by is None and reopened.completed_at is None
        assert _count(s, app_id) == 1


def test_record_without_open_creates_the_row(
    sessionmaker: SessionMaker[Session], new_application: NewApplication, now: datetime
) -> None:
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
        step = record_step(
            s,
            application_id=app_id,
            step_name="social_report",
            data={"draft": True},
            actor="staff1",
            now=now,
            status="PENDING",
        )
        assert (step.status, step.completed_by, step.completed_at) == ("PENDING", None, None)


def test_record_refuses_unknown_status(
    sessionmaker: SessionMaker[Session], new_application: NewApplication, now: datetime
) -> None:
    with sessionmaker.begin() as s, pytest.raises(ValueError, match="step status"):
        record_step(
            s,
            application_id=new_application(s).id,
            step_name="x",
            data={},
            actor="a",
            now=now,
            status="DONE",
        )


def test_plain_duplicate_insert_is_a_conflict(
    sessionmaker: SessionMaker[Session], new_application: NewApplication, now: datetime
) -> None:
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
        s.add(ApplicationStep(application_id=app_id, step_name="visit", created_at=now))
    with (
        pytest.raises(Conflict, match="uq_application_steps_application_id_step_name"),
        wrap_errors(),
        sessionmaker.begin() as s,
    ):
        s.add(ApplicationStep(application_id=app_id, step_name="visit", created_at=now))


def test_concurrent_upserts_leave_one_row(
    sessionmaker: SessionMaker[Session], new_application: NewApplication, now: datetime
) -> None:
    with sessionmaker.begin() as s:
        app_id = new_application(s).id

    def work(i: int) -> None:
        with wrap_errors(), sessionmaker.begin() as s:
            if i % 2:
                open_step(s, application_id=app_id, step_name="visit", now=now)
            else:
                record_step(
                    s,
                    application_id=app_id,
                    step_name="visit",
                    data={"by": i},
                    actor=f"u{i}",
                    now=now,
                )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(40)))

    with sessionmaker.begin() as s:
        assert _count(s, app_id) == 1
