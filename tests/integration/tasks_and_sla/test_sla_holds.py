"""ON_HOLD pauses the task's SLA clock; resuming restarts it where it stopped."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sla_support import REPO, START, intake, open_task

from ims import IMS
from ims.demo import USERS
from ims.testing.fixtures import Clock


def test_hold_pauses_and_resume_moves_the_due_time(ims: IMS, clock: Clock) -> None:
    number = intake(ims)  # due START + 48 h, warning at + 38.4 h
    task_id = open_task(ims, number)
    clock.set(START + timedelta(hours=10))
    ims.workflow.transition(number, "hold", actor="dirk", reason="Waiting for the court.")
    clock.set(START + timedelta(hours=200))  # long past the original due time: nothing fires on hold
    assert ims.sla.sweep().examined == 0
    assert ims.tasks.get(task_id).status == "PENDING"
    ims.workflow.transition(number, "resume", actor="dirk")
    task = ims.tasks.get(task_id)
    assert (task.status, task.paused_at) == ("PENDING", None)
    assert task.due_at == START + timedelta(hours=48 + 190)  # 38 h left when paused, 38 h left now
    assert task.warn_at == START + timedelta(hours=38.4 + 190)
    clock.set(START + timedelta(hours=38 + 190))
    assert ims.sla.sweep().warnings == 0
    clock.set(START + timedelta(hours=39 + 190))
    assert ims.sla.sweep().warnings == 1
    clock.set(START + timedelta(hours=48 + 190))
    assert ims.sla.sweep().breaches == 1
    with ims.runtime.sessions() as s:
        from sqlalchemy import select

        from ims.store.models import Task

        assert s.scalar(select(Task.paused_seconds).where(Task.id == task_id)) == 190 * 3600


def test_hold_after_the_breach_delays_the_next_escalation(ims: IMS, clock: Clock) -> None:
    number = intake(ims)
    task_id = open_task(ims, number)
    clock.set(START + timedelta(hours=50))
    assert ims.sla.sweep().breaches == 1  # and escalation 1; escalation 2 is due at + 72 h
    ims.workflow.transition(number, "hold", actor="dirk", reason="Waiting.")
    clock.set(START + timedelta(hours=150))
    ims.workflow.transition(number, "resume", actor="mina")
    task = ims.tasks.get(task_id)
    assert (task.status, task.breached_at) == (
        "OVERDUE",
        START + timedelta(hours=48),
    )  # a breach stays a fact
    clock.set(START + timedelta(hours=72 + 99))
    assert ims.sla.sweep().escalations == 0
    clock.set(START + timedelta(hours=72 + 100))
    assert ims.sla.sweep().escalations == 1


# --------------------------------------------------------------------------- working hours


@pytest.fixture
def working_ims(db_url: str, tmp_path: Path) -> Iterator[tuple[IMS, Clock]]:
    """The reference deployment with INTAKE_REVIEW counted in working hours (16 = two days)."""
    for folder in ("config", "workflows", "plugins"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    sla = tmp_path / "config" / "sla.yaml"
    sla.write_text(
        sla.read_text().replace(
            "    INTAKE_REVIEW:\n      hours: 48", "    INTAKE_REVIEW:\n      working_hours: 16"
        )
    )
    # Friday 2026-11-20, 13:00 in Paramaribo (16:00 UTC); office hours 07:00-15:00, Mon-Fri
    clock = Clock(datetime(2026, 11, 20, 16, 0, tzinfo=UTC))
    with IMS.from_config(
        tmp_path / "config" / "ims.yaml",
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(tmp_path / "data")},
        database_url=db_url,
        clock=clock,
        auto_upgrade=True,
    ) as instance:
        for username, (name, role) in USERS.items():
            instance.users.create(username, display_name=name, roles=[role])
        yield instance, clock


def test_working_hours_skip_the_weekend_and_holidays(working_ims: tuple[IMS, Clock]) -> None:
    ims, clock = working_ims
    number = intake(ims)
    task = ims.tasks.get(open_task(ims, number))
    # Friday 2 h, Monday 8 h, Tuesday 6 h (Wednesday 25 November is Independence Day): Tuesday 13:00 local
    assert task.due_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # Monday night: 10 working hours gone
    assert ims.sla.sweep().warnings == 0
    clock.set(datetime(2026, 11, 24, 14, 0, tzinfo=UTC))  # Tuesday 11:00 local: 14 h gone, past 12.8
    assert ims.sla.sweep().warnings == 1


def test_a_hold_over_the_weekend_costs_no_working_time(working_ims: tuple[IMS, Clock]) -> None:
    ims, clock = working_ims
    number = intake(ims)
    task_id = open_task(ims, number)
    clock.set(datetime(2026, 11, 20, 18, 0, tzinfo=UTC))  # Friday 15:00 local: closing time
    ims.workflow.transition(number, "hold", actor="dirk", reason="Waiting for the weekend to pass.")
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # Monday 06:00 local: before opening
    ims.workflow.transition(number, "resume", actor="dirk")
    assert ims.tasks.get(task_id).due_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # unchanged
    # a hold of one working day (Monday 07:00 - Tuesday 07:00) moves it a working day on
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    ims.workflow.transition(number, "hold", actor="dirk", reason="Again.")
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    ims.workflow.transition(number, "resume", actor="dirk")
    # Tuesday 13:00 + 8 working hours, over the Wednesday holiday: Thursday 13:00 local
    assert ims.tasks.get(task_id).due_at == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def test_hold_and_resume_messages_say_what_happened(ims: IMS, clock: Clock) -> None:
    """The hold's message gives the reason (not an empty task line); the resume's message
    gives the resumed task's real due time, moved on by the hold."""
    from ims.services._messages import local_time

    number = intake(ims)  # the intake task is due START + 48 h
    clock.set(START + timedelta(hours=10))
    ims.workflow.transition(number, "hold", actor="dirk", reason="Waiting for the court.")
    held = [m for m in ims.notifications.inbox(actor="mina") if number in m.subject]  # newest first
    assert held and "Waiting for the court." in held[0].body
    assert "Task: ," not in held[0].body and "Taak: ," not in held[0].body
    clock.set(START + timedelta(hours=70))
    ims.workflow.transition(number, "resume", actor="dirk")
    due = START + timedelta(hours=48 + 60)
    resumed = [m for m in ims.notifications.inbox(actor="fenna") if number in m.subject]
    assert local_time(ims.config, due) in resumed[0].body
