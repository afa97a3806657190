"""The SLA sweep against a bare-SQL floor doing the same writes, on a loaded PostgreSQL database.

``bench/sla_and_reports.py`` compares the sweep with one ``UPDATE`` of the due tasks.
The sweep does more: per notice an ``sla_notices`` row and its notification rows.  This
bench adds the floor that writes the same rows in bare SQL (one statement: the
``UPDATE ... RETURNING`` of the due tasks feeding an ``INSERT`` of two notices per task,
feeding an ``INSERT`` of as many notification rows as the sweep writes), so the ratio
measures ims's overhead, not the extra work.

Load the database first (it is kept)::

    python bench/sla_and_reports.py --pg postgresql://postgres@127.0.0.1:5432/postgres --keep
    python bench/sla_sweep_floor.py postgresql://postgres@127.0.0.1:5432/ims_bench_sla

Every run is restored afterwards (tasks, notices, notifications), so runs repeat.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any

from sla_and_reports import CONFIG, NOW
from sqlalchemy import text

from ims import IMS

FLOOR_UPDATE = (
    "UPDATE tasks SET breached_at = coalesce(breached_at, :now), status = 'OVERDUE', next_check_at = NULL "
    "WHERE id IN (SELECT id FROM tasks WHERE next_check_at <= :now ORDER BY next_check_at LIMIT 100000) "
    "RETURNING id, application_id, state"
)
FLOOR_SAME_WRITES = """WITH due AS (
  UPDATE tasks SET breached_at = coalesce(breached_at, due_at), status = 'OVERDUE', next_check_at = NULL
  WHERE id IN (SELECT id FROM tasks WHERE next_check_at <= :now ORDER BY next_check_at LIMIT 100000
               FOR UPDATE SKIP LOCKED)
  RETURNING id, application_id, state, due_at),
n AS (INSERT INTO sla_notices (task_id, application_id, kind, level, due_at, fired_at, recipients)
  SELECT id, application_id, k.kind, k.level, due_at, :now, '["fenna"]'::jsonb
  FROM due, (VALUES ('BREACH', 0), ('ESCALATION', 1)) k(kind, level)
  RETURNING task_id, application_id, kind, level)
INSERT INTO notifications (application_id, event, template, channel, recipient, recipient_role, subject,
  body, payload, status, attempts, idempotency_key, created_at, sent_at)
SELECT n.application_id, 'sla', 'sla_breach', 'inbox', r.u, 'front_office',
  'Deadline exceeded: application ' || n.application_id,
  'The deadline for application ' || n.application_id || ' has passed.',
  jsonb_build_object('number', n.application_id, 'state', 'X'),
  'SENT', 0, 'floor-' || n.task_id || n.kind || n.level || r.u, :now, :now
FROM n, (VALUES ('fenna'), ('x')) r(u) WHERE r.u = 'fenna' OR n.task_id % 10 < 3"""


def floor_ms(ims: IMS, statement: str, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat + 1):
        with ims.db.connect() as conn:
            start = time.perf_counter()
            rows = conn.execute(text(statement), {"now": NOW}).rowcount
            times.append((time.perf_counter() - start) * 1000)
            conn.rollback()
    return statistics.median(times[1:]), rows


def sweep_ms(ims: IMS, repeat: int) -> tuple[float, Any]:
    with ims.db.begin() as conn:
        saved = conn.execute(
            text("SELECT id, status, breached_at, next_check_at FROM tasks WHERE next_check_at <= :now"),
            {"now": NOW},
        ).all()
    times, result = [], None
    for _ in range(repeat + 1):
        start = time.perf_counter()
        result = ims.sla.sweep()
        times.append((time.perf_counter() - start) * 1000)
        with ims.db.begin() as conn:
            conn.execute(text("DELETE FROM sla_notices"))
            conn.execute(text("DELETE FROM notifications"))
            conn.execute(
                text("UPDATE tasks SET status = :s, breached_at = :b, next_check_at = :n WHERE id = :id"),
                [{"s": r.status, "b": r.breached_at, "n": r.next_check_at, "id": r.id} for r in saved],
            )
    return statistics.median(times[1:]), result


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/ims_bench_sla"
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    clock = [NOW]
    env = {"IMS_LANGUAGE": "en", "IMS_DATA_DIR": tempfile.mkdtemp(prefix="ims-bench-")}
    with IMS.from_config(CONFIG, env=env, database_url=url, clock=lambda: clock[0]) as ims:
        with ims.db.connect() as conn:
            open_tasks = conn.execute(
                text("SELECT count(*) FROM tasks WHERE status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE')")
            ).scalar_one()
            first_due = conn.execute(text("SELECT min(next_check_at) FROM tasks")).scalar_one()
        update_ms, due = floor_ms(ims, FLOOR_UPDATE, repeat)
        same_ms, written = floor_ms(ims, FLOOR_SAME_WRITES, repeat)
        ims_ms, result = sweep_ms(ims, repeat)
        clock[0] = first_due - timedelta(seconds=1)
        idle = []
        for _ in range(11):
            start = time.perf_counter()
            ims.sla.sweep()
            idle.append((time.perf_counter() - start) * 1000)
    print(f"open tasks {open_tasks:,}, due {due:,}; the sweep: {result}")
    print(f"floor, UPDATE only:         {update_ms:8.1f} ms")
    print(f"floor, same writes ({written:,} notification rows): {same_ms:8.1f} ms")
    print(f"ims.sla.sweep():            {ims_ms:8.1f} ms  ratio {ims_ms / same_ms:.2f} (same writes)")
    print(f"idle sweep (nothing due):   {statistics.median(idle[1:]):8.2f} ms")


if __name__ == "__main__":
    main()
