"""Several sweepers at once (threads, each with its own IMS and connections): every notice once.

On PostgreSQL the sweepers claim disjoint batches with ``FOR UPDATE SKIP LOCKED``; on SQLite
``BEGIN IMMEDIATE`` serialises them.  Either way the totals must come out exact.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sla_support import REFERENCE_CONFIG, START
from sqlalchemy import func, select

from ims import IMS
from ims.services import SweepResult
from ims.store.models import Notification, SlaNotice, Task
from ims.testing.fixtures import Clock

TASKS = 60
SWEEPERS = 4


def test_concurrent_sweepers_send_each_notice_once(
    ims: IMS, clock: Clock, db_url: str, tmp_path: Path
) -> None:
    with ims.runtime.sessions.begin() as s:
        for i in range(TASKS):  # DRAFT tasks: 72 h, escalations at + 0 h (admin) and + 24 h (director)
            ims.applications.create(
                "bouwsubsidie",
                {"applicant": {"first_name": f"P{i}", "last_name": "Q"}},
                actor="fenna",
                session=s,
            )
    clock.set(START + timedelta(hours=100))  # everything due: breach, escalation 1, escalation 2
    sweepers = [
        IMS.from_config(
            REFERENCE_CONFIG,
            env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(tmp_path / f"data{i}")},
            database_url=db_url,
            clock=clock,
        )
        for i in range(SWEEPERS)
    ]
    start = threading.Barrier(SWEEPERS)
    results: list[SweepResult] = []
    errors: list[BaseException] = []

    def run(instance: IMS) -> None:
        try:
            start.wait()
            for _ in range(3):  # and sweep again: the reruns find nothing
                results.append(instance.sla.sweep(batch_size=7))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(instance,)) for instance in sweepers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for instance in sweepers:
        instance.close()
    assert errors == []
    assert sum(r.examined for r in results) == TASKS
    assert sum(r.breaches for r in results) == TASKS
    assert sum(r.escalations for r in results) == 2 * TASKS
    assert sum(r.marked_overdue for r in results) == TASKS
    with ims.runtime.sessions() as s:
        kinds = s.execute(
            select(SlaNotice.kind, SlaNotice.level, func.count()).group_by(SlaNotice.kind, SlaNotice.level)
        ).all()
        assert sorted(kinds) == [("BREACH", 0, TASKS), ("ESCALATION", 1, TASKS), ("ESCALATION", 2, TASKS)]
        # breach to fenna and frank (front_office), escalation 1 to anna, escalation 2 to dirk
        per_user = s.execute(
            select(Notification.recipient, func.count())
            .where(Notification.template.like("sla_%"))
            .group_by(Notification.recipient)
        ).all()
        assert sorted(per_user) == [("anna", TASKS), ("dirk", TASKS), ("fenna", TASKS), ("frank", TASKS)]
        assert s.scalar(select(func.count()).select_from(Task).where(Task.status == "OVERDUE")) == TASKS
        assert s.scalar(select(func.count()).select_from(Task).where(Task.next_check_at.is_not(None))) == 0
    if ims.db.dialect.name == "postgresql":  # the work was shared, not done by one sweeper alone
        assert sum(1 for r in results if r.examined) >= 2
