"""Concurrent transitions of the same applications: one winner per version, nothing half-written."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from ims import IMS, Conflict, TransitionRefused
from ims.demo import applicant_data
from ims.store.models import AuditLog, WorkflowEvent

THREADS = 8
APPS = 4
ROUNDS = 6


def test_one_winner_per_version(ims: IMS) -> None:
    numbers = []
    for i in range(APPS):
        number = ims.applications.create("bouwsubsidie", applicant_data(f"A{i}", "B"), actor="fenna").number
        ims.documents.add(number, "national_declaration", "n.pdf", actor="fenna", content=b"x")
        ims.workflow.transition(number, "submit", actor="fenna")
        numbers.append(number)
    baseline = sum(ims.applications.get(n).version for n in numbers)
    # Each round: every thread reads the version, then all race to put it on hold or resume it.
    outcome: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(k: int) -> None:
        for r in range(ROUNDS):
            number = numbers[(k + r) % APPS]
            app = ims.applications.get(number)
            action = "resume" if app.state == "ON_HOLD" else "hold"
            barrier.wait()
            try:
                ims.workflow.transition(
                    number,
                    action,
                    actor="dirk",
                    reason="concurrency test",
                    expected_version=app.version,
                )
                result = "won"
            except Conflict:
                result = "conflict"
            except TransitionRefused:
                result = "refused"
            with lock:
                outcome[result] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["won"] + outcome["conflict"] + outcome["refused"] == THREADS * ROUNDS
    assert outcome["refused"] == 0
    assert outcome["won"] >= ROUNDS  # at least one winner per round
    with ims.runtime.sessions() as s:
        changes = (
            s.scalar(
                select(func.count())
                .select_from(WorkflowEvent)
                .where(WorkflowEvent.action.in_(["hold", "resume"]))
            )
            or 0
        )
        audits = (
            s.scalar(
                select(func.count()).select_from(AuditLog).where(AuditLog.action.in_(["hold", "resume"]))
            )
            or 0
        )
    assert changes == audits == outcome["won"]
    total_versions = sum(ims.applications.get(n).version for n in numbers)
    assert total_versions - baseline == outcome["won"]
    assert ims.audit.verify().broken == []
