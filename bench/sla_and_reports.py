"""SLA sweep, reports and dashboard benchmark, next to the bare SQL doing the same selection.

Run from the repository root::

    python bench/sla_and_reports.py --pg postgresql://postgres@127.0.0.1:5432/postgres  # 1,000,000
    python bench/sla_and_reports.py --sqlite                                            # 100,000
    python bench/sla_and_reports.py --quick          # both, small (20,000 / 5,000), a smoke run
    python bench/sla_and_reports.py --pg URL --size 200000 --keep

The PostgreSQL run creates its own database (``ims_bench_sla``) on the server of
``--pg`` and drops it afterwards (``--keep`` keeps it); the SQLite run uses a
temporary file.  The schema is made by ``ims db upgrade`` (the migrations), then
filled with bulk SQL (``INSERT ... SELECT`` over ``generate_series`` on
PostgreSQL, a recursive CTE on SQLite):

* ``--size`` applications in progress, each with one open task in its current
  state of the reference workflow (DRAFT .. MINISTER_DECISION), due by the
  state's SLA: 1 % past due (and due for the sweep), the rest early in their SLA;
* with ``--history spread`` (the default) each in-progress application waited up to
  700 days in the state before its current one, so the history spreads over two years
  (``--history dense``: all of it within the last 55 days, a month then holds half);
* a quarter as many decided applications (70 % CLOSURE, 30 % REJECTED) spread
  over the last 700 days;
* their whole history: one ``workflow_events`` row per move, one
  ``state_periods`` row per stay, one completed task per finished stay (late ones
  with ``breached_at``), ``task_roles`` for every task.

Measured, each as the median of several runs, "now" being the bench's fixed clock:

* **sweep**: ``ims.sla.sweep()`` with 1 % of the open tasks due, against the bare
  SQL that selects the same due tasks through the same index and marks them
  (one ``UPDATE ... RETURNING``), in a transaction rolled back after each
  repetition so every repetition sees the same 1 %; then an idle sweep (nothing due);
* **reports**: every built-in report through ``ims.reports.run`` for the last full
  month and for the last year, against the bare SQL over the raw history: the
  ``workflow_events`` log (time in state from ``lead()`` over each application's
  events, decisions from the events into final states) and the tasks table;
* **dashboard**: ``ims.dashboard.for_user`` for a staff user (office-wide counts
  cached and not) and for an applicant, against the same five queries in bare SQL.

Prints a rich table: ims time, floor time, ratio, and whether the target is met.
``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config" / "ims.yaml"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MONTH = (datetime(2026, 10, 1, 3, 0, tzinfo=UTC), datetime(2026, 11, 1, 3, 0, tzinfo=UTC))
YEAR = (datetime(2025, 11, 1, 3, 0, tzinfo=UTC), datetime(2026, 11, 1, 3, 0, tzinfo=UTC))
STATES = (
    "DRAFT",
    "INTAKE_REVIEW",
    "CONTROL_ASSIGN",
    "CONTROL_VISIT_SCHEDULED",
    "CONTROL_IN_PROGRESS",
    "TECHNICAL_REVIEW",
    "SOCIAL_REVIEW",
    "DIRECTOR_REVIEW",
    "MINISTER_DECISION",
)
DISTRICTS = ("paramaribo", "wanica", "nickerie", "coronie", "saramacca", "commewijne", "marowijne", "para")
USERS_PER_ROLE = 50
err = Console(stderr=True)


# --------------------------------------------------------------------------- timing


@dataclass
class Row:
    group: str
    name: str
    ims_ms: float
    floor_ms: float | None
    target: str
    met: bool | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.floor_ms else self.ims_ms / self.floor_ms


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up: plans, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# --------------------------------------------------------------------------- data


class Sql:
    """The few places where the two databases' SQL differs."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.pg = kind == "postgresql"

    def series(self, name: str, n: int) -> str:
        if self.pg:
            return f"{name}(i) AS (SELECT generate_series(1, {n}))"
        return f"{name}(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM {name} WHERE i < {n})"

    def ts(self, seconds_before_now: str) -> str:
        """The timestamp ``seconds_before_now`` seconds before NOW, as the column stores it."""
        if self.pg:
            return f"(TIMESTAMPTZ '2026-11-20 12:00:00+00' - ({seconds_before_now}) * INTERVAL '1 second')"
        return (
            f"(strftime('%Y-%m-%d %H:%M:%f', '2026-11-20 12:00:00', "
            f"'-' || ({seconds_before_now}) || ' seconds') || '000')"
        )

    def jsonl(self, text: str) -> str:
        return f"CAST('{text}' AS JSONB)" if self.pg else f"'{text}'"


def state_table(ims: Any) -> str:
    """``st(j, name, sla, warn, roles)``: the reference states in order, their SLA seconds and roles."""
    wf = ims.config.workflow("bouwsubsidie")
    rows = []
    for j, state in enumerate(STATES):
        sla = ims.config.sla.for_state("bouwsubsidie", state)
        hours = (sla.hours or sla.working_hours or 0) if sla else 0
        warning = sla.warning if sla else 0.8
        roles = next(e.roles for e in wf.states[state].on_enter if getattr(e, "kind", "") == "open_task")
        rows.append(f"({j}, '{state}', {int(hours * 3600)}, {warning}, '{json.dumps(list(roles))}')")
    return "st(j, name, sla, warn, roles) AS (VALUES " + ", ".join(rows) + ")"


def fill(ims: Any, sql: Sql, size: int, history: str) -> dict[str, int]:
    """Bulk-insert the bench data; return the row counts.

    ``history="spread"``: an application in progress waited up to 700 days in the state
    before its current one, so its history spreads over two years like the decided
    ones' and a month holds a month's share of it; ``"dense"``: every stay is short,
    so all in-progress history falls within the last 55 days (a month holds half of it).
    """
    decided = size // 4
    st = state_table(ims)
    # per application i: `step` seconds per finished stay; active: current index k = i % 9,
    # `r` seconds spent in the current state (1 % past due by an hour); decided: 9 stays + final
    step = "(3600 * (6 + (a.i * 37) % 150))"
    k = "(a.i % 9)"
    in_state = "(CASE WHEN a.i % 100 = 0 THEN cur.sla + 3600 ELSE ((a.i * 31) % 1000) * cur.sla / 2000 END)"
    gap = f"(CASE WHEN {k} > 0 THEN 86400 * ((a.i * 7) % 700) ELSE 0 END)" if history == "spread" else "0"
    active_created = f"({in_state} + {gap} + {k} * {step})"  # seconds before NOW
    decided_created = f"(86400 * (1 + (a.i * 7) % 640) + 9 * {step})"
    decided_final = f"({decided_created} - 9 * {step})"
    final = "(CASE WHEN a.i % 10 < 7 THEN 'CLOSURE' ELSE 'REJECTED' END)"
    districts = ", ".join(f"({n}, '{d}')" for n, d in enumerate(DISTRICTS))
    common = f"WITH RECURSIVE {sql.series('g', size + decided)}, {st}, dist(n, name) AS (VALUES {districts})"

    def run(statement: str) -> None:
        start = time.perf_counter()
        with ims.db.begin() as conn:
            # psycopg reads % as a placeholder even without parameters
            conn.exec_driver_sql(statement.replace("%", "%%") if sql.pg else statement)
        err.print(
            f"  {statement.split('INSERT INTO ')[1].split(' ')[0]}: {time.perf_counter() - start:.1f} s"
        )

    # applications: id = i; 1..size active, size+1.. decided
    run(
        f"""{common}, a(i) AS (SELECT i FROM g)
        INSERT INTO applications (id, number, workflow, workflow_version, state, previous_state, data,
            version, applicant, priority, created_by, created_at, updated_at, state_entered_at, closed_at,
            district)
        SELECT a.i, 'BS-B-' || a.i, 'bouwsubsidie', 1,
            CASE WHEN a.i <= {size} THEN cur.name ELSE {final} END,
            NULL, {sql.jsonl("{}")}, 1, 'applicant_' || (a.i % 1000), 3, 'fenna',
            CASE WHEN a.i <= {size} THEN {sql.ts(active_created)} ELSE {sql.ts(decided_created)} END,
            {sql.ts("0")},
            CASE WHEN a.i <= {size} THEN {sql.ts(in_state)} ELSE {sql.ts(decided_final)} END,
            CASE WHEN a.i <= {size} THEN NULL ELSE {sql.ts(decided_final)} END,
            dist.name
        FROM a JOIN st cur ON cur.j = a.i % 9 JOIN dist ON dist.n = a.i % {len(DISTRICTS)}"""
    )
    # one stay per (application, state index j): finished ones, the current one (exited NULL)
    stays = f"""{common}, a(i) AS (SELECT i FROM g),
        stay(i, j, created, step, last, cur) AS (
            SELECT a.i, s.j, CASE WHEN a.i <= {size} THEN {active_created} ELSE {decided_created} END, {step},
                CASE WHEN a.i <= {size} THEN {k} ELSE 9 END, {in_state}
            FROM a JOIN st cur ON cur.j = a.i % 9
                JOIN st s ON s.j <= (CASE WHEN a.i <= {size} THEN {k} ELSE 8 END)
            UNION ALL
            SELECT a.i, 9, {decided_created}, {step}, 9, 0
            FROM a JOIN st cur ON cur.j = a.i % 9 WHERE a.i > {size}
        )"""
    name = f"(CASE WHEN stay.j = 9 THEN {final.replace('a.i', 'stay.i')} ELSE st.name END)"
    active = f"stay.i <= {size}"
    entered = (
        f"(CASE WHEN stay.j = stay.last AND {active} THEN stay.cur "
        "ELSE stay.created - stay.j * stay.step END)"
    )
    exited = (
        f"(CASE WHEN stay.j + 1 = stay.last AND {active} THEN stay.cur "
        "ELSE stay.created - (stay.j + 1) * stay.step END)"
    )
    length = f"({entered} - {exited})"
    is_open = f"(stay.j = stay.last AND stay.i <= {size}) OR stay.j = 9"
    run(
        f"""{stays}
        INSERT INTO state_periods (application_id, workflow, state, entered_at, exited_at, seconds,
            exit_transition, next_state)
        SELECT stay.i, 'bouwsubsidie', {name}, {sql.ts(entered)},
            CASE WHEN {is_open} THEN NULL ELSE {sql.ts(exited)} END,
            CASE WHEN {is_open} THEN NULL ELSE {length} END,
            CASE WHEN {is_open} THEN NULL ELSE 'next' END, NULL
        FROM stay LEFT JOIN st ON st.j = stay.j"""
    )
    run(
        f"""{stays}
        INSERT INTO workflow_events (application_id, action, from_state, to_state, actor, created_at)
        SELECT stay.i, CASE WHEN stay.j = 0 THEN 'create' ELSE 'next' END, prev.name, {name}, 'bench',
            {sql.ts(entered)}
        FROM stay LEFT JOIN st ON st.j = stay.j LEFT JOIN st prev ON prev.j = stay.j - 1"""
    )
    # a task per stay in a working state: open for the current one, completed for the others
    due = f"({entered} - st.sla)"
    warn = f"({entered} - st.sla * st.warn)"
    run(
        f"""{stays}
        INSERT INTO tasks (application_id, workflow, state, title, roles, assignee, status, due_at, warn_at,
            breached_at, next_check_at, paused_seconds, created_at, completed_at, completed_by)
        SELECT stay.i, 'bouwsubsidie', st.name, st.name,
            {"CAST(st.roles AS JSONB)" if sql.pg else "st.roles"},
            CASE WHEN stay.i % 3 = 0
                THEN json_extract_path_text_placeholder || '_' || (stay.i % {USERS_PER_ROLE}) END,
            CASE WHEN {is_open} THEN 'PENDING' ELSE 'COMPLETED' END,
            {sql.ts(due)}, {sql.ts(warn)},
            CASE WHEN NOT ({is_open}) AND {length} > st.sla THEN {sql.ts(due)} END,
            CASE WHEN {is_open} THEN {sql.ts(warn)} END,
            0, {sql.ts(entered)},
            CASE WHEN {is_open} THEN NULL ELSE {sql.ts(exited)} END,
            CASE WHEN {is_open} THEN NULL ELSE 'bench' END
        FROM stay JOIN st ON st.j = stay.j""".replace(
            "json_extract_path_text_placeholder",
            "(st.roles::jsonb ->> 0)" if sql.pg else "json_extract(st.roles, '$[0]')",
        )
    )
    if sql.pg:
        run(
            "INSERT INTO task_roles (task_id, role) SELECT t.id, r.role FROM tasks t "
            "CROSS JOIN LATERAL jsonb_array_elements_text(t.roles) AS r(role)"
        )
    else:
        run("INSERT INTO task_roles (task_id, role) SELECT t.id, r.value FROM tasks t, json_each(t.roles) r")
    with ims.db.connect() as conn:
        counts = {
            table: conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in ("applications", "state_periods", "workflow_events", "tasks", "task_roles")
        }
        counts["open_tasks"] = conn.exec_driver_sql(
            "SELECT count(*) FROM tasks WHERE status = 'PENDING'"
        ).scalar_one()
        counts["due_now"] = conn.exec_driver_sql(
            "SELECT count(*) FROM tasks WHERE next_check_at <= ?"
            if not sql.pg
            else "SELECT count(*) FROM tasks WHERE next_check_at <= %(now)s",
            (NOW.replace(tzinfo=None).isoformat(sep=" "),) if not sql.pg else {"now": NOW},
        ).scalar_one()
    return counts


def finish_load(ims: Any, sql: Sql) -> None:
    start = time.perf_counter()
    if sql.pg:
        with ims.db.connect() as conn:
            for table in ("applications", "state_periods", "workflow_events", "tasks"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            conn.commit()
        with ims.db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with ims.db.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    err.print(f"  vacuum/analyze: {time.perf_counter() - start:.1f} s")


# --------------------------------------------------------------------------- floors (bare SQL)


def floors(sql: Sql) -> dict[str, str]:
    """The bare SQL of each report over the raw history; ``:from``/``:to``/``:now`` parameters."""
    finals = "('CLOSURE', 'REJECTED')"
    if sql.pg:
        month = "to_char(date_trunc('month', {c} AT TIME ZONE 'America/Paramaribo'), 'YYYY-MM')"
        secs = "extract(epoch FROM {b} - {a})"
        p50 = "percentile_cont(0.5) WITHIN GROUP (ORDER BY s)"
        p90 = "percentile_cont(0.9) WITHIN GROUP (ORDER BY s)"
        unnest = "CROSS JOIN LATERAL jsonb_array_elements_text(t.roles) AS r(role)"
        role = "r.role"
    else:
        month = "strftime('%Y-%m', {c}, '-180 minutes')"
        secs = "(julianday({b}) - julianday({a})) * 86400.0"
        p50 = p90 = "NULL"  # replaced below by the window-function form
        unnest = ", json_each(t.roles) r"
        role = "r.value"
    out = {
        "applications_by_state": """SELECT workflow, state, count(*) FROM applications
            WHERE created_at >= :from AND created_at < :to GROUP BY workflow, state ORDER BY 1, 2""",
        "throughput": f"""SELECT {month.format(c="created_at")} AS p,
                sum(CASE WHEN from_state IS NULL THEN 1 ELSE 0 END),
                sum(CASE WHEN to_state IN {finals} THEN 1 ELSE 0 END),
                sum(CASE WHEN to_state = 'CLOSURE' THEN 1 ELSE 0 END),
                sum(CASE WHEN to_state = 'REJECTED' THEN 1 ELSE 0 END)
            FROM workflow_events WHERE created_at >= :from AND created_at < :to
                AND (from_state IS NULL OR to_state IN {finals}) GROUP BY p ORDER BY p""",
        "decision_outcomes": f"""SELECT e.to_state, count(*),
                avg({secs.format(a="a.created_at", b="e.created_at")})
            FROM workflow_events e JOIN applications a ON a.id = e.application_id
            WHERE e.to_state IN {finals} AND e.created_at >= :from AND e.created_at < :to
            GROUP BY e.to_state ORDER BY 1""",
        "sla_compliance": f"""SELECT {month.format(c="completed_at")} AS p, state, count(*),
                sum(CASE WHEN breached_at IS NOT NULL THEN 1 ELSE 0 END)
            FROM tasks WHERE status = 'COMPLETED' AND completed_at >= :from AND completed_at < :to
            GROUP BY p, state ORDER BY 1, 2""",
        "workload": f"""SELECT {role}, coalesce(t.assignee, '(unassigned)') AS u, count(*),
                sum(CASE WHEN t.due_at < :now THEN 1 ELSE 0 END)
            FROM tasks t {unnest}
            WHERE t.status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE') AND t.created_at >= :from
                AND t.created_at < :to
            GROUP BY 1, 2 ORDER BY 1, 2""",
        "overdue": f"""SELECT a.number, t.state, t.title, t.assignee, t.due_at,
                {secs.format(a="t.due_at", b=":now")}, a.district
            FROM tasks t JOIN applications a ON a.id = t.application_id
            WHERE t.status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE') AND t.due_at < :now
                AND t.due_at >= :from AND t.due_at < :to ORDER BY t.due_at, t.id""",
    }
    # time in state from the event log: each event's stay ends at the application's next event
    stays = f"""SELECT e.to_state AS state,
                {secs.format(a="e.created_at", b="lead(e.created_at) OVER w")} AS s,
                lead(e.created_at) OVER w AS ended
            FROM workflow_events e WINDOW w AS (PARTITION BY e.application_id ORDER BY e.created_at, e.id)"""
    if sql.pg:
        out["time_in_state"] = f"""SELECT state, count(*), avg(s), {p50}, {p90}, max(s)
            FROM ({stays}) x WHERE ended >= :from AND ended < :to GROUP BY state ORDER BY state"""
    else:
        out["time_in_state"] = f"""SELECT state, max(n), avg(s),
                sum(CASE WHEN rn = CAST((n - 1) * 0.5 AS INTEGER) THEN s END), max(s)
            FROM (SELECT state, s, row_number() OVER (PARTITION BY state ORDER BY s) - 1 AS rn,
                    count(*) OVER (PARTITION BY state) AS n
                  FROM ({stays}) x WHERE ended >= :from AND ended < :to) y
            GROUP BY state ORDER BY state"""
    return out


# --------------------------------------------------------------------------- the run


def bench_database(
    url: str, kind: str, size: int, repeat: int, history: str = "spread"
) -> tuple[list[Row], dict[str, Any]]:
    from sqlalchemy import text

    from ims import IMS
    from ims.hooks.protocols import ReportParams

    sql = Sql(kind)
    rows: list[Row] = []
    clock = [NOW]
    with IMS.from_config(
        CONFIG,
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": tempfile.mkdtemp(prefix="ims-bench-")},
        database_url=url,
        clock=lambda: clock[0],
        auto_upgrade=True,
    ) as ims:
        for username, role in (("fenna", "front_office"), ("staff_7", "staff"), ("applicant_7", "applicant")):
            ims.users.create(username, display_name=username, roles=[role])
        err.print(f"[bold]{kind}[/]: filling {size:,} applications in progress (+{size // 4:,} decided)")
        start = time.perf_counter()
        counts = fill(ims, sql, size, history)
        finish_load(ims, sql)
        counts["load_seconds"] = round(time.perf_counter() - start, 1)
        err.print(f"  rows: {counts}")
        label = f"{kind} {size:,}"

        def floor(statement: str, params: dict[str, Any]) -> Callable[[], Any]:
            stmt = text(statement)

            def go() -> Any:
                with ims.db.connect() as conn:
                    bound = {
                        k: (v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ") if not sql.pg else v)
                        for k, v in params.items()
                    }
                    return conn.execute(stmt, bound).all()

            return go

        # reports, a month and a year
        bare = floors(sql)
        for span_name, (start_at, end_at) in (("month", MONTH), ("year", YEAR)):
            params = ReportParams(date_from=start_at, date_to=end_at)
            for name, statement in bare.items():
                ims_ms = median_ms(lambda n=name, p=params: ims.reports.run(n, p), repeat)
                floor_ms = median_ms(floor(statement, {"from": start_at, "to": end_at, "now": NOW}), repeat)
                ratio_ok = ims_ms <= 1.5 * floor_ms
                month_ok = span_name != "month" or ims_ms < 1000
                target = "<= 1.5x floor" + (", < 1 s" if span_name == "month" else "")
                rows.append(
                    Row(label, f"{name} ({span_name})", ims_ms, floor_ms, target, ratio_ok and month_ok)
                )

        # dashboard
        dash = ims.dashboard
        dash.cache_seconds = 0
        staff_ms = median_ms(lambda: dash.for_user("staff_7"), repeat)
        dash.cache_seconds = 30
        cached_ms = median_ms(lambda: dash.for_user("staff_7"), repeat)
        applicant_ms = median_ms(lambda: dash.for_user("applicant_7"), repeat)
        dash_floor = floor(
            """SELECT
              (SELECT count(*) FROM tasks WHERE assignee = 'staff_7'
                 AND status IN ('PENDING','IN_PROGRESS','OVERDUE')),
              (SELECT count(*) FROM tasks WHERE assignee IS NULL
                 AND status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE') AND workflow = 'bouwsubsidie'
                 AND state IN ('SOCIAL_REVIEW', 'TECHNICAL_REVIEW')),
              (SELECT count(*) FROM state_periods WHERE workflow = 'bouwsubsidie'
                 AND state IN ('CLOSURE','REJECTED') AND entered_at >= :from AND entered_at <= :now)""",
            {"from": datetime(2026, 11, 1, 3, 0, tzinfo=UTC), "now": NOW},
        )
        by_state = floor("SELECT workflow, state, count(*) FROM applications GROUP BY workflow, state", {})
        floor_staff = median_ms(dash_floor, repeat) + median_ms(by_state, repeat)
        rows.append(
            Row(
                label,
                "dashboard, staff (uncached)",
                staff_ms,
                floor_staff,
                "<= 1.5x floor",
                staff_ms <= 1.5 * floor_staff,
            )
        )
        rows.append(
            Row(label, "dashboard, staff (counts cached)", cached_ms, None, "< 100 ms", cached_ms < 100)
        )
        rows.append(Row(label, "dashboard, applicant", applicant_ms, None, "< 100 ms", applicant_ms < 100))

        # the SLA sweep
        rows.extend(bench_sweep(ims, sql, label, repeat, clock))
    return rows, counts


def bench_sweep(ims: Any, sql: Sql, label: str, repeat: int, clock: list[datetime]) -> list[Row]:
    """The sweep with 1 % due, rolled back after each run; then an idle sweep."""
    sla = getattr(ims, "sla", None)
    if sla is None or not hasattr(sla, "sweep"):
        return [Row(label, "sla sweep", float("nan"), None, "", None, "ims.sla.sweep() not available")]
    from sqlalchemy import text

    due_select = (
        "UPDATE tasks SET breached_at = coalesce(breached_at, :now), status = 'OVERDUE', "
        "next_check_at = NULL "
        "WHERE id IN (SELECT id FROM tasks WHERE next_check_at <= :now ORDER BY next_check_at LIMIT 100000) "
        "RETURNING id, application_id, state"
    )
    now_param = NOW if sql.pg else NOW.replace(tzinfo=None).isoformat(sep=" ")

    def floor_once() -> float:
        with ims.db.connect() as conn:
            start = time.perf_counter()
            conn.execute(text(due_select), {"now": now_param}).all()
            elapsed = time.perf_counter() - start
            conn.rollback()
        return elapsed * 1000

    def sweep_once() -> tuple[float, Any]:
        # run in a savepoint-free way: the sweep commits, so restore by copying the due rows back
        with ims.db.begin() as conn:
            saved = conn.execute(
                text("SELECT id, status, breached_at, next_check_at FROM tasks WHERE next_check_at <= :now"),
                {"now": now_param},
            ).all()
        start = time.perf_counter()
        result = sla.sweep()
        elapsed = (time.perf_counter() - start) * 1000
        with ims.db.begin() as conn:
            conn.execute(text("DELETE FROM sla_notices"))
            conn.execute(text("DELETE FROM notifications"))
            conn.execute(
                text("UPDATE tasks SET status = :s, breached_at = :b, next_check_at = :n WHERE id = :id"),
                [{"s": r.status, "b": r.breached_at, "n": r.next_check_at, "id": r.id} for r in saved],
            )
        return elapsed, result

    floor_times = [floor_once() for _ in range(repeat + 1)][1:]
    sweeps = [sweep_once() for _ in range(max(2, repeat // 2 + 1))]
    sweep_ms = statistics.median(t for t, _ in sweeps[1:])
    floor_ms = statistics.median(floor_times)
    note = f"result: {sweeps[-1][1]}"
    rows = [
        Row(
            label,
            "sla sweep, 1% due",
            sweep_ms,
            floor_ms,
            "<= 2x floor, < 2 s",
            sweep_ms <= 2 * floor_ms and sweep_ms < 2000,
            note,
        ),
    ]
    # idle: move the clock back an hour before anything is due... use a moment when nothing is due
    with ims.db.connect() as conn:
        first_due = conn.execute(text("SELECT min(next_check_at) FROM tasks")).scalar_one()
    if isinstance(first_due, str):
        first_due = datetime.fromisoformat(first_due).replace(tzinfo=UTC)
    clock[0] = first_due - timedelta(seconds=1)
    idle_ms = median_ms(sla.sweep, repeat)
    clock[0] = NOW
    rows.append(Row(label, "sla sweep, idle", idle_ms, None, "< 10 ms", idle_ms < 10))
    return rows


@contextlib.contextmanager
def pg_database(server_url: str, keep: bool) -> Iterator[str]:
    from sqlalchemy import create_engine, make_url

    base = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = "ims_bench_sla"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def print_rows(rows: list[Row]) -> None:
    table = Table("database", "measure", "ims ms", "floor ms", "ratio", "target", "met", "note", box=None)
    for r in rows:
        table.add_row(
            r.group,
            r.name,
            f"{r.ims_ms:.1f}",
            "" if r.floor_ms is None else f"{r.floor_ms:.1f}",
            "" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
            {True: "yes", False: "NO", None: ""}[r.met],
            r.note[:60],
        )
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server (a database on it is created)")
    parser.add_argument("--sqlite", action="store_true", help="run on SQLite (a temporary file)")
    parser.add_argument(
        "--size", type=int, help="applications in progress (default 1,000,000 PG, 100,000 SQLite)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--history",
        choices=["spread", "dense"],
        default="spread",
        help="in-progress history over two years (default) or all within the last 55 days",
    )
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = parser.parse_args()
    if not args.pg and not args.sqlite:
        if not args.quick:
            parser.error("give --pg URL and/or --sqlite (or --quick for a smoke run of both)")
        args.sqlite = True
        args.pg = os.environ.get("IMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    repeat = 3 if args.quick else args.repeat
    all_rows: list[Row] = []
    loads: dict[str, Any] = {}
    if args.sqlite:
        size = args.size or (5_000 if args.quick else 100_000)
        with tempfile.TemporaryDirectory() as tmp:
            rows, counts = bench_database(f"sqlite:///{tmp}/bench.db", "sqlite", size, repeat, args.history)
        all_rows += rows
        loads["sqlite"] = counts
    if args.pg:
        size = args.size or (20_000 if args.quick else 1_000_000)
        with pg_database(args.pg, args.keep) as url:
            rows, counts = bench_database(url, "postgresql", size, repeat, args.history)
        all_rows += rows
        loads["postgresql"] = counts
    print_rows(all_rows)
    if args.json:
        out = {
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "loads": loads,
            "rows": [dict(r.__dict__, ratio=r.ratio) for r in all_rows],
        }
        Path(args.json).write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    sys.exit(main())
