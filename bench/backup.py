"""Backup and restore benchmark: ``ims backup``/``ims restore`` against ``pg_dump``/``pg_restore``.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust auth, as in CI)::

    python bench/backup.py                 # 100,000 applications with their history
    python bench/backup.py --quick         # 2,000 applications, a smoke run (< 1 min)
    python bench/backup.py --apps 20000 --json out.json

What it does, in one run:

1. Creates a PostgreSQL database, migrates it, and fills it with bulk SQL
   (``INSERT ... SELECT generate_series``): per application 8 history events, 8 state
   periods, 8 audit rows, 2 steps, 2 tasks with their roles, 3 notifications and a
   ~700-byte JSON data column (34 rows), like an application that went through the
   reference workflow.
2. At a tenth of the size and at the full size, runs ``ims backup`` in a child
   process and records its time and peak RSS (``os.wait4``), to show that memory
   stays flat as the data grows.
3. At the full size, in the same run: ``pg_dump -Fc`` of the database and
   ``pg_restore`` into an empty one (the floor), ``ims restore`` into an empty
   PostgreSQL database, ``ims restore`` into SQLite, and ``ims backup`` of that
   SQLite database.

Every ims step is a fresh ``python`` process running the CLI's code path through
the Python API (``ims.backup.create`` / ``ims.backup.restore``), so the times include
start-up.  Figures go to ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "ims.yaml"
PG = "postgresql://postgres@127.0.0.1:5432"

_CHILD = """
import json, sys
from ims import IMS, backup
op, url, archive, data_dir = sys.argv[1:5]
env = {"IMS_DATA_DIR": data_dir, "IMS_LANGUAGE": "en"}
if op == "backup":
    with IMS.from_config(%(config)r, env=env, database_url=url, auto_upgrade=False) as ims:
        m = ims.backup.create(archive)
    print(json.dumps({"rows": m.total_rows}))
else:
    r = backup.restore(archive, config=%(config)r, env=env, database_url=url)
    print(json.dumps({"rows": r.rows}))
"""

_GENERATE = [
    # applications: ids offset..offset+n-1
    """
    INSERT INTO applications (id, number, workflow, workflow_version, state, previous_state, data, version,
        assignee, applicant, priority, created_by, created_at, updated_at, state_entered_at, closed_at,
        district)
    SELECT g, 'BS-2026-' || lpad(g::text, 7, '0'), 'bouwsubsidie', 1,
        (ARRAY['INTAKE_REVIEW','CONTROL_ASSIGN','TECHNICAL_REVIEW','DIRECTOR_REVIEW','CLOSURE'])[1 + g % 5],
        'DRAFT',
        jsonb_build_object(
          'applicant', jsonb_build_object('national_id', 'FB' || g, 'first_name', 'Maria',
             'last_name', 'Doe' || g,
             'date_of_birth', '1984-03-12', 'phone', '+597 8812345', 'email', 'maria' || g || '@example.sr',
             'address', 'Kernkampweg ' || g, 'marital_status', 'married', 'district', 'paramaribo',
             'employment_status', 'employed', 'spouse_name', 'R. Doe', 'income', 6500),
          'property', jsonb_build_object('address', 'Kernkampweg ' || g, 'applicant_is_owner', true,
             'has_mortgage', false),
          'requested_amount', 45000 + g % 1000,
          'reason', 'Roof replacement and an extra bedroom for the growing family.'),
        9, 'carlos', 'paul', 1 + g % 4, 'fenna',
        now() - interval '30 days', now(), now() - interval '1 day', NULL, 'paramaribo'
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g
    """,
    """
    INSERT INTO workflow_events (application_id, action, from_state, to_state, actor, reason, comment, data,
        created_at)
    SELECT g, 'action_' || k, 'STATE_' || k, 'STATE_' || (k + 1), 'fenna', NULL, 'step ' || k,
        jsonb_build_object('k', k), now() - interval '30 days' + k * interval '1 day'
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, generate_series(1, 8) AS k
    """,
    """
    INSERT INTO audit_log (chain, seq, application_id, actor, action, payload, created_at, prev_hash, hash)
    SELECT 'application:' || g, k, g, 'fenna', 'action_' || k,
        jsonb_build_object('from', 'STATE_' || k, 'to', 'STATE_' || (k + 1)),
        now() - interval '30 days' + k * interval '1 day',
        md5(g || ':' || (k - 1)) || md5('p' || g || ':' || (k - 1)),
        md5(g || ':' || k) || md5('p' || g || ':' || k)
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, generate_series(1, 8) AS k
    """,
    """
    INSERT INTO application_steps (application_id, step_name, status, data, completed_by, completed_at,
        created_at, updated_at)
    SELECT g, s, 'COMPLETED', jsonb_build_object('summary', 'Report for ' || g, 'recommendation', 'approve'),
        'sara', now(), now(), now()
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g,
        unnest(ARRAY['technical_report', 'social_report']) AS s
    """,
    """
    INSERT INTO tasks (id, application_id, workflow, state, title, roles, assignee, status, due_at, warn_at,
        next_check_at, created_at, completed_at)
    SELECT 2 * g + k - 2, g, 'bouwsubsidie', 'STATE_' || k, 'Review application', '["staff"]'::jsonb, NULL,
        CASE WHEN k = 2 THEN 'PENDING' ELSE 'COMPLETED' END, now() + interval '2 days',
        now() + interval '1 day', CASE WHEN k = 2 THEN now() + interval '1 day' END, now(),
        CASE WHEN k = 1 THEN now() END
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, generate_series(1, 2) AS k
    """,
    """
    INSERT INTO task_roles (task_id, role)
    SELECT 2 * g + k - 2, 'staff'
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, generate_series(1, 2) AS k
    """,
    """
    INSERT INTO state_periods (application_id, workflow, state, entered_at, exited_at, seconds,
        exit_transition, next_state)
    SELECT g, 'bouwsubsidie', 'STATE_' || k, now() - interval '30 days' + (k - 1) * interval '1 day',
        CASE WHEN k < 8 THEN now() - interval '30 days' + k * interval '1 day' END,
        CASE WHEN k < 8 THEN 86400.0 END, CASE WHEN k < 8 THEN 'action_' || k END,
        CASE WHEN k < 8 THEN 'STATE_' || (k + 1) END
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, generate_series(1, 8) AS k
    """,
    """
    INSERT INTO notifications (application_id, event, template, channel, recipient, recipient_role, subject,
        body, payload, status, attempts, idempotency_key, created_at, sent_at)
    SELECT g, 'transition', 'state_changed', 'inbox', 'fenna', NULL, 'Application ' || g || ' moved',
        'The application moved to the next state.', '{}'::jsonb, 'SENT', 0, 'n-' || g || '-' || k,
        now(), now()
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) AS g, generate_series(1, 3) AS k
    """,
]


def _admin() -> Any:
    return create_engine(
        f"{PG.replace('postgresql://', 'postgresql+psycopg://')}/postgres", isolation_level="AUTOCOMMIT"
    )


def _create_db(name: str) -> str:
    with _admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return f"{PG}/{name}"


def _drop_db(name: str) -> None:
    with _admin().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _fill(url: str, lo: int, hi: int) -> float:
    start = time.perf_counter()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        for sql in _GENERATE:
            conn.execute(text(sql), {"lo": lo, "hi": hi})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - start


def _timed(argv: list[str]) -> tuple[float, float, str]:
    """Run ``argv``; (seconds, peak RSS in MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(argv[:3])} failed: {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, out


def _ims(op: str, url: str, archive: Path, data_dir: Path) -> tuple[float, float]:
    code = _CHILD % {"config": str(CONFIG)}
    seconds, rss, _ = _timed([sys.executable, "-c", code, op, url, str(archive), str(data_dir)])
    return seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 applications")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    n = 2_000 if args.quick else args.apps
    tag = uuid.uuid4().hex[:8]
    source, pg_target, floor_target = f"ims_bb_src_{tag}", f"ims_bb_dst_{tag}", f"ims_bb_pgr_{tag}"
    results: dict[str, Any] = {"applications": n, "python": platform.python_version()}
    with tempfile.TemporaryDirectory(prefix="ims-bench-backup-") as tmp:
        work = Path(tmp)
        src_url = _create_db(source)
        try:
            engine = create_engine(src_url.replace("postgresql://", "postgresql+psycopg://"))
            from ims.store import migrate

            migrate.upgrade(engine)
            engine.dispose()
            small = n // 10
            results["fill_small_s"] = _fill(src_url, 1, small)
            t, rss = _ims("backup", src_url, work / "small.ims", work / "d0")
            results["small"] = {
                "applications": small,
                "backup_s": t,
                "backup_rss_mib": rss,
                "archive_mib": (work / "small.ims").stat().st_size / 2**20,
            }
            results["fill_rest_s"] = _fill(src_url, small + 1, n)
            with create_engine(src_url.replace("postgresql://", "postgresql+psycopg://")).connect() as conn:
                results["rows"] = sum(
                    conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                    for (t,) in conn.execute(
                        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                    )
                )
                results["db_mib"] = (
                    conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one() / 2**20
                )

            archive = work / "full.ims"
            t, rss = _ims("backup", src_url, archive, work / "d1")
            results["ims_backup_pg"] = {"s": t, "rss_mib": rss, "archive_mib": archive.stat().st_size / 2**20}

            dump = work / "full.dump"
            t, rss, _ = _timed(
                ["pg_dump", "-Fc", "-h", "127.0.0.1", "-U", "postgres", "-f", str(dump), source]
            )
            results["pg_dump"] = {"s": t, "rss_mib": rss, "archive_mib": dump.stat().st_size / 2**20}
            _create_db(floor_target)
            t, rss, _ = _timed(
                [
                    "pg_restore",
                    "--exit-on-error",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-d",
                    floor_target,
                    str(dump),
                ]
            )
            results["pg_restore"] = {"s": t, "rss_mib": rss}

            dst_url = _create_db(pg_target)
            t, rss = _ims("restore", dst_url, archive, work / "d2")
            results["ims_restore_pg"] = {"s": t, "rss_mib": rss}

            sqlite_url = f"sqlite:///{work / 'restored.db'}"
            t, rss = _ims("restore", sqlite_url, archive, work / "d3")
            results["ims_restore_sqlite"] = {"s": t, "rss_mib": rss}
            t, rss = _ims("backup", sqlite_url, work / "from-sqlite.ims", work / "d3")
            results["ims_backup_sqlite"] = {"s": t, "rss_mib": rss}
        finally:
            for name in (source, pg_target, floor_target):
                _drop_db(name)
    results["ratio_backup"] = results["ims_backup_pg"]["s"] / results["pg_dump"]["s"]
    results["ratio_restore"] = results["ims_restore_pg"]["s"] / results["pg_restore"]["s"]
    _report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _report(r: dict[str, Any]) -> None:
    print(f"{r['applications']:,} applications, {r['rows']:,} rows, database {r['db_mib']:.0f} MiB")
    print("| step | time (s) | peak RSS (MiB) | file (MiB) |")
    print("|---|---:|---:|---:|")
    rows = [
        (
            f"ims backup, PostgreSQL, {r['small']['applications']:,} apps",
            r["small"]["backup_s"],
            r["small"]["backup_rss_mib"],
            r["small"]["archive_mib"],
        ),
        (
            f"ims backup, PostgreSQL, {r['applications']:,} apps",
            r["ims_backup_pg"]["s"],
            r["ims_backup_pg"]["rss_mib"],
            r["ims_backup_pg"]["archive_mib"],
        ),
        ("pg_dump -Fc (floor)", r["pg_dump"]["s"], r["pg_dump"]["rss_mib"], r["pg_dump"]["archive_mib"]),
        ("ims restore -> PostgreSQL", r["ims_restore_pg"]["s"], r["ims_restore_pg"]["rss_mib"], None),
        ("pg_restore (floor)", r["pg_restore"]["s"], r["pg_restore"]["rss_mib"], None),
        ("ims restore -> SQLite", r["ims_restore_sqlite"]["s"], r["ims_restore_sqlite"]["rss_mib"], None),
        ("ims backup, SQLite", r["ims_backup_sqlite"]["s"], r["ims_backup_sqlite"]["rss_mib"], None),
    ]
    for name, s, rss, size in rows:
        print(f"| {name} | {s:.1f} | {rss:.0f} | {'' if size is None else f'{size:.0f}'} |")
    print(f"backup / pg_dump = {r['ratio_backup']:.2f}x, restore / pg_restore = {r['ratio_restore']:.2f}x")


if __name__ == "__main__":
    main()
