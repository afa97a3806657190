"""Transitions benchmark: persisted transitions per second, and the engine's decision rate.

Run from the repository root::

    python bench/transitions.py                      # SQLite and PostgreSQL, 1 and 4 workers
    python bench/transitions.py --db sqlite --quick  # a smoke run (< 30 s)
    python bench/transitions.py --json out.json

Two measurements, reported in one table each (docs/performance.md explains them):

1. **Persisted transitions** through the Python API
   (``IMS.workflow.transition``) on the reference deployment (``config/ims.yaml``,
   ``IMS_LANGUAGE=en``) with its users and roles.  Applications are prepared in
   INTAKE_REVIEW; the director then alternates ``hold`` (with a reason) and
   ``resume`` on them.  Both go the full way: actor and roles, snapshot, engine, the
   state period left closed and the next opened, optimistic version update, the
   state's open task paused (hold) or its SLA clock restarted with its due time moved
   on by the time on hold (resume), notifications to every holder of the notified
   roles, history and the audit chain, one transaction.  Workers are processes, each
   with its own ``IMS``, on disjoint applications.

   Next to it, in the same run and on the same applications, the **raw-SQL floor**
   (``Floor``): the same statements as ims, in the same order, issued with the bare
   driver (``sqlite3`` / ``psycopg``), one transaction each, ``BEGIN IMMEDIATE`` on
   SQLite.  Floor and API repetitions alternate.  Before the timing, one ims and one
   floor application are held and resumed side by side (``check_same_writes``): the
   statements (verb, table, rows) must match, and so must the rows they leave in
   every table a transition writes.  The audit chains both extend are verified at the
   end (``ims audit verify``).

2. **Engine decisions**: ``Engine.decide`` on the reference workflow's gated
   transitions (``submit`` from a complete DRAFT, 18 conditions; ``to_director``;
   ``hold``), next to a guarded transition of ``transitions`` (a ``Machine`` with a
   condition callback) and ``python-statemachine`` (a ``cond=`` guard).  Those two
   libraries are installed for the benchmark only (``pip install -e .[bench]``).

Timings use ``time.perf_counter``, a warm-up, several repetitions, and report the median.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called transitions.py: keep its folder off sys.path so that
# ``import transitions`` finds the library, not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

ROOT = _HERE.parent
CONFIG = ROOT / "config" / "ims.yaml"
PG_SERVER = os.environ.get("IMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
WORKFLOW = "bouwsubsidie"
DIRECTOR = "dirk"
REASON = "waiting for the land registry"
#: applications per worker: consecutive transitions of a worker touch different rows
APPS_PER_WORKER = 25


# ------------------------------------------------------------------------------ helpers


def ims_env(data_dir: str, config: Path = CONFIG) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMS_")}
    env.update({"IMS_LANGUAGE": "en", "IMS_DATA_DIR": data_dir, "IMS_CONFIG": str(config)})
    return env


def open_ims(db: Database, *, upgrade: bool) -> Any:
    from ims.facade import IMS

    return IMS.from_config(
        db.config, env=ims_env(db.data_dir, db.config), database_url=db.url, auto_upgrade=upgrade
    )


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------------------ setup


@dataclass
class Database:
    kind: str  # sqlite | postgresql
    url: str  # SQLAlchemy URL for IMS
    data_dir: str
    config: Path
    pg_name: str | None = None

    @property
    def driver_target(self) -> str:
        """What the bare driver connects to: a file path or a libpq URL."""
        if self.kind == "sqlite":
            return self.url.removeprefix("sqlite:///")
        return f"{PG_SERVER}/{self.pg_name}"


def create_database(kind: str, config: Path) -> Database:
    data_dir = tempfile.mkdtemp(prefix="ims_bench_")
    if kind == "sqlite":
        return Database(kind, f"sqlite:///{data_dir}/ims.db", data_dir, config)
    import psycopg

    name = f"ims_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return Database(kind, f"{PG_SERVER}/{name}", data_dir, config, name)


def drop_database(db: Database) -> None:
    if db.pg_name is not None:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db.pg_name}" WITH (FORCE)')
    shutil.rmtree(db.data_dir, ignore_errors=True)


def prepare(db: Database, n_apps: int) -> list[int]:
    """Migrate, seed the reference users, create ``n_apps`` applications in INTAKE_REVIEW."""
    from ims.demo import USERS, applicant_data

    ims = open_ims(db, upgrade=True)
    try:
        for username, (name, role) in USERS.items():
            ims.users.create(username, display_name=name, roles=[role])
        ids = []
        for i in range(n_apps):
            app = ims.applications.create(
                WORKFLOW, applicant_data("Maria", f"Doe{i}"), actor="fenna", applicant="paul"
            )
            ims.documents.add(
                app.id,
                "national_declaration",
                "declaration.pdf",
                actor="fenna",
                content=f"%PDF-1.4 {app.number}".encode(),
            )
            ims.workflow.transition(app.id, "submit", actor="fenna")
            ids.append(app.id)
        return ids
    finally:
        ims.close()


def verify_audit(db: Database) -> tuple[bool, int]:
    ims = open_ims(db, upgrade=False)
    try:
        report = ims.audit.verify()
        return report.ok, report.rows
    finally:
        ims.close()


# ------------------------------------------------------------------------------ the floor

#: the open task statuses, as ims writes them into its statements
OPEN_STATUSES = "('PENDING', 'IN_PROGRESS', 'OVERDUE')"


@dataclass(frozen=True)
class _Sla:
    """A state's SLA as the floor computes it (ims.sla): wall-clock hours by hand; working
    hours with ims's calendar arithmetic (pure computation, no statement)."""

    hours: float
    warning: float
    #: ``after_hours`` of each escalation level
    escalations: tuple[float, ...]
    #: ``(SlaTimes, StateSla)`` of a working-hour SLA; ``None``: wall-clock hours
    calendar: Any = None

    def add(self, moment: datetime, hours: float) -> datetime:
        if self.calendar is None:
            return moment + timedelta(hours=hours)
        times, sla = self.calendar
        return times.add(sla, moment, hours)

    def held(self, start: datetime, end: datetime) -> float:
        """The SLA hours from ``start`` to ``end`` (how long a hold lasted)."""
        if self.calendar is None:
            return max((end - start).total_seconds() / 3600.0, 0.0)
        times, sla = self.calendar
        return max(times.between(sla, start, end), 0.0)

    def open(self, now: datetime) -> tuple[datetime, datetime]:
        """(warning time, due time) of a task opened at ``now``."""
        return self.add(now, self.hours * self.warning), self.add(now, self.hours)

    def next_check(
        self, warn: datetime | None, due: datetime, fired: set[tuple[str, int]]
    ) -> datetime | None:
        """The first SLA event after the last one sent (warning, breach, escalations)."""
        marks = [("WARNING", 0, warn)] if warn is not None else []
        marks.append(("BREACH", 0, due))
        for level, after in enumerate(self.escalations, start=1):
            marks.append(("ESCALATION", level, self.add(due, after) if after else due))
        last = max((i for i, (kind, level, _) in enumerate(marks) if (kind, level) in fired), default=-1)
        left = marks[last + 1 :]
        return left[0][2] if left else None


@dataclass(frozen=True)
class _Task:
    """An ``open_task`` effect: a task for roles, due by the state's SLA."""

    state: str
    title: str
    roles: tuple[str, ...]
    sla: _Sla | None


class _Blank(dict[str, Any]):
    """Template values: a placeholder without a value is empty, as in ims."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class _Notify:
    """A ``notify`` effect to roles: one inbox row per holder, the message rendered here."""

    event: str
    template: str
    state: str
    roles: tuple[str, ...]
    #: subject and body templates in the deployment's language (``str.format_map``)
    subject: str
    body: str
    #: the values known in advance (labels, SLA hours, task title, ...)
    values: dict[str, Any] = field(hash=False)
    #: the placeholders the template uses
    needs: frozenset[str] = frozenset()
    #: the entered state's SLA and the deployment's time zone, for ``{due_at}``
    sla: _Sla | None = None
    zone: Any = None


@dataclass(frozen=True)
class _Move:
    """What a hold or resume does, in ims's order (from the engine and the configuration)."""

    action: str
    source: str
    target: str
    roles: frozenset[str]
    needs_reason: bool
    final: bool
    #: ("pause", state) | ("close", (state, status)) | ("resume", (state, sla, reopen tasks))
    #: | ("open", _Task) | ("notify", _Notify)
    effects: tuple[tuple[str, Any], ...]


def _plan(ims: Any) -> dict[tuple[str, str], _Move]:
    """(action, state left) -> what ims does for it, read once from the engine and the
    configuration: the hold from INTAKE_REVIEW and the resume from ON_HOLD.

    A hand-written implementation would have these as constants; reading them here keeps
    the floor's writes identical to ims's when the workflow changes.  What the floor does
    not implement (steps, assignees, named recipients, e-mail channels, comments) fails
    here, loudly.
    """
    from string import Formatter
    from zoneinfo import ZoneInfo

    from ims.config.models import OpenTask, label_for
    from ims.engine import (
        CloseTasksEffect,
        NotifyEffect,
        OpenTaskEffect,
        PauseTasksEffect,
        ResumeTasksEffect,
    )
    from ims.rules import Actor, Snapshot
    from ims.sla import times_for

    config = ims.config
    language = config.settings.language
    workflow = config.workflows[WORKFLOW]
    times = times_for(config)

    def label(state: str) -> str:
        return label_for(dict(workflow.states[state].label), language, state)

    def sla_of(state: str) -> _Sla | None:
        sla = config.sla.for_state(WORKFLOW, state)
        if sla is None:
            return None
        steps = tuple(step.after_hours for step in sla.escalation)
        return _Sla(sla.allowed_hours, sla.warning, steps, (times, sla) if sla.working else None)

    def task(effect: OpenTaskEffect) -> _Task:
        assert effect.assignee is None, f"the floor opens role tasks only: {effect!r}"
        title = label_for(dict(effect.title), language, "") or label(effect.state)
        return _Task(effect.state, title, tuple(effect.roles), sla_of(effect.state))

    def notify(effect: NotifyEffect, action: str, source: str) -> _Notify:
        assert not (effect.users or effect.assignee or effect.applicant or effect.to_applicant), effect
        assert not config.notifications.channels_for(effect.template), "the floor writes inbox rows only"
        found = config.notifications.templates.get(effect.template)
        if found is not None:
            subject = label_for(dict(found.subject), language, "")
            body = label_for(dict(found.body), language, "")
        elif language == "nl":
            subject, body = "{number}: {state_label}", "Aanvraag {number} is nu in status {state_label}."
        else:
            subject, body = "{number}: {state_label}", "Application {number} is now in state {state_label}."
        needs = frozenset(
            name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(subject + body) if name
        )
        sla = config.sla.for_state(WORKFLOW, effect.state)
        on_enter = workflow.states[effect.state].on_enter
        opens = [e for e in on_enter if isinstance(e, OpenTask)]
        values = {  # ims.services._messages.template_values: what does not change per transition
            "workflow": WORKFLOW,
            "state": effect.state,
            "action": action,
            "previous_state": source,
            "workflow_label": label_for(dict(workflow.label), language, WORKFLOW),
            "state_label": label(effect.state),
            "previous_state_label": label(source),
            "sla_hours": "" if sla is None else f"{sla.allowed_hours:g}",
            "task_title": (label_for(dict(opens[0].title), language, "") or label(effect.state))
            if opens
            else "",
        }
        zone = ZoneInfo(config.settings.timezone)
        return _Notify(
            effect.event,
            effect.template,
            effect.state,
            tuple(effect.roles),
            subject,
            body,
            values,
            needs,
            sla_of(effect.state),
            zone,
        )

    now = datetime.now(UTC)
    director = Actor(DIRECTOR, frozenset({"director"}))
    plans = {}
    for action, source, previous in (
        ("hold", "INTAKE_REVIEW", "DRAFT"),
        ("resume", "ON_HOLD", "INTAKE_REVIEW"),
    ):
        snap = Snapshot(
            workflow=WORKFLOW,
            state=source,
            previous_state=previous,
            data={},
            documents=(),
            steps={},
            state_entered_at=now,
            assignee=None,
            applicant=None,
            priority=3,
            version=1,
        )
        decision = ims.runtime.engine.decide(snap, director, action, now=now, reason=REASON)
        decision.raise_if_refused()
        target = decision.to_state
        assert target is not None
        effects: list[tuple[str, Any]] = []
        for e in decision.effects:
            if isinstance(e, PauseTasksEffect):
                effects.append(("pause", e.state))
            elif isinstance(e, CloseTasksEffect):
                effects.append(("close", (e.state, e.status)))
            elif isinstance(e, ResumeTasksEffect):
                effects.append(("resume", (e.state, sla_of(e.state), tuple(task(t) for t in e.reopen))))
            elif isinstance(e, OpenTaskEffect):
                effects.append(("open", task(e)))
            elif isinstance(e, NotifyEffect):
                effects.append(("notify", notify(e, action, source)))
            else:
                raise AssertionError(f"the floor does not implement {e!r}")
        transition = next(
            t for t in workflow.transitions if t.name == action and source in workflow.sources_of(t)
        )
        requires = {*transition.requires, *workflow.states[target].requires}
        assert "comment" not in requires, "the floor passes no comment"
        plans[(action, source)] = _Move(
            action,
            source,
            target,
            frozenset(transition.roles),
            "reason" in requires,
            target in config.workflow(WORKFLOW).final_states,
            tuple(effects),
        )
    return plans


class Floor:
    """One hold/resume with the bare driver: the same reads and writes as ims, no ORM.

    Per transition, in ims's order (``WorkflowService.transition``): the actor with its
    roles; the application row, its documents and steps (the snapshot); the state period
    left closed and the next opened; the versioned UPDATE of the application; the effects
    (hold: pause the state's open tasks; resume: complete the tasks of the hold state,
    read the paused tasks and the SLA notices they had, move their due times on, or open
    the state's task when nothing was paused); the role holders and one inbox row each;
    the history event; the audit chain's last row and the next.  One transaction.
    """

    def __init__(self, db: Database, plans: dict[tuple[str, str], _Move]) -> None:
        self.kind = db.kind
        self.plans = plans
        #: a list to note each statement in (``check_same_writes``); None when timing
        self.trace: list[tuple[str, str, int]] | None = None
        if db.kind == "sqlite":
            import sqlite3

            self.conn: Any = sqlite3.connect(db.driver_target, isolation_level=None, timeout=30)
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=30000",
                "PRAGMA synchronous=NORMAL",
            ):
                self.conn.execute(pragma)
            self.p = "?"
        else:
            import psycopg
            from psycopg.types.json import Jsonb

            self.conn = psycopg.connect(db.driver_target, autocommit=True)
            self.jsonb = Jsonb
            self.p = "%s"
        p = self.p
        returning = "" if db.kind == "sqlite" else " RETURNING id"
        self.sql = {
            "actor": "SELECT u.username, u.active, r.name FROM users u "
            "LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id "
            f"WHERE u.username = {p}",
            "app": "SELECT id, number, workflow, workflow_version, state, previous_state, data, "
            "version, assignee, applicant, priority, created_by, created_at, updated_at, "
            f"state_entered_at, closed_at, district FROM applications WHERE id = {p}",
            "docs": f"SELECT document_type, status FROM documents WHERE application_id = {p}",
            "steps": f"SELECT step_name, status, data FROM application_steps WHERE application_id = {p}",
            "close_period": f"UPDATE state_periods SET exited_at = {p}, seconds = {p}, "
            f"exit_transition = {p}, next_state = {p} WHERE application_id = {p} AND exited_at IS NULL",
            "open_period": "INSERT INTO state_periods (application_id, workflow, state, entered_at) "
            f"VALUES ({p}, {p}, {p}, {p})",
            "update": f"UPDATE applications SET state = {p}, previous_state = {p}, version = {p}, "
            f"updated_at = {p}, state_entered_at = {p}, closed_at = {p} WHERE id = {p} AND version = {p}",
            "pause": f"UPDATE tasks SET paused_at = {p}, next_check_at = NULL WHERE application_id = {p} "
            f"AND state = {p} AND status IN {OPEN_STATUSES} AND paused_at IS NULL",
            "close": f"UPDATE tasks SET status = {p}, completed_at = {p}, next_check_at = NULL, "
            "breached_at = CASE WHEN breached_at IS NULL AND paused_at IS NULL "
            f"AND due_at < {p} THEN due_at ELSE breached_at END "
            f"WHERE application_id = {p} AND state = {p} AND status IN {OPEN_STATUSES}",
            "paused": "SELECT id, state, due_at, warn_at, paused_at, paused_seconds FROM tasks "
            f"WHERE application_id = {p} AND state = {p} AND status IN {OPEN_STATUSES} "
            "AND paused_at IS NOT NULL",
            "fired": "SELECT task_id, kind, level FROM sla_notices WHERE task_id IN ({})",
            "resume": f"UPDATE tasks SET due_at = {p}, warn_at = {p}, next_check_at = {p}, "
            f"paused_at = NULL, paused_seconds = {p} WHERE id = {p}",
            "task": "INSERT INTO tasks (application_id, workflow, state, title, roles, assignee, "
            "status, due_at, warn_at, next_check_at, paused_seconds, created_at) VALUES "
            f"({p}, {p}, {p}, {p}, {p}, NULL, 'PENDING', {p}, {p}, {p}, 0, {p}){returning}",
            "task_role": f"INSERT INTO task_roles (task_id, role) VALUES ({p}, {p})",
            "notify": "INSERT INTO notifications (application_id, event, template, channel, "
            "recipient, recipient_role, subject, body, payload, status, attempts, "
            "next_attempt_at, idempotency_key, created_at, sent_at) VALUES "
            f"({p}, {p}, {p}, 'inbox', {p}, {p}, {p}, {p}, {p}, 'SENT', 0, NULL, {p}, {p}, {p})",
            "event": "INSERT INTO workflow_events (application_id, action, from_state, to_state, "
            f"actor, reason, comment, data, created_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, "
            f"NULL, NULL, {p}) RETURNING id",
            "last": f"SELECT seq, hash FROM audit_log WHERE chain = {p} ORDER BY seq DESC LIMIT 1",
            "audit": "INSERT INTO audit_log (chain, seq, application_id, actor, action, payload, "
            f"created_at, prev_hash, hash) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})",
        }
        # the holders of a notification's roles: one IN list per number of roles, as ims
        for move in plans.values():
            for kind, effect in move.effects:
                if kind == "notify":
                    self.sql[f"holders{len(effect.roles)}"] = (
                        "SELECT r.name, u.username FROM roles r JOIN user_roles ur ON ur.role_id = r.id "
                        "JOIN users u ON u.id = ur.user_id "
                        f"WHERE r.name IN ({', '.join([p] * len(effect.roles))}) AND u.active"
                    )

    # driver differences: timestamps and JSON
    def ts(self, moment: datetime | None) -> Any:
        if moment is None or self.kind != "sqlite":
            return moment
        return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")

    def when(self, value: Any) -> datetime | None:
        """A timestamp read back: aware UTC."""
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def js(self, value: Any) -> Any:
        return json.dumps(value) if self.kind == "sqlite" else self.jsonb(value)

    def transition(self, app_id: int, action: str, actor: str, reason: str | None) -> int:
        now = datetime.now(UTC)
        sql = self.sql
        cur = self.conn.cursor()
        if self.trace is not None:
            cur = _Traced(cur, self.trace)
        cur.execute("BEGIN IMMEDIATE" if self.kind == "sqlite" else "BEGIN")
        try:
            # reads: the actor with its roles, then the snapshot (application, documents, steps)
            rows = cur.execute(sql["actor"], (actor,)).fetchall()
            if not rows or not rows[0][1]:
                raise PermissionError(actor)
            roles = {r[2] for r in rows if r[2] is not None}
            row = cur.execute(sql["app"], (app_id,)).fetchone()
            if row is None:
                raise LookupError(app_id)
            number, workflow, state, previous, data, version, assignee = row[1:3] + row[4:9]
            entered = self.when(row[14])
            if self.kind == "sqlite":
                data = json.loads(data)
            docs = cur.execute(sql["docs"], (app_id,)).fetchall()
            steps = cur.execute(sql["steps"], (app_id,)).fetchall()
            if self.kind == "sqlite":
                steps = [(name, status, json.loads(d)) for name, status, d in steps]
            del docs, steps  # hold and resume have no gate; ims reads them anyway
            # the decision (what the engine answers for hold/resume)
            move = self.plans.get((action, state))
            if move is None:
                raise ValueError(f"no {action} from {state}")
            if not roles & move.roles:
                raise PermissionError(action)
            if move.needs_reason and not (reason and reason.strip()):
                raise ValueError("a reason is required")
            target = move.target
            if action == "resume" and previous != target:
                raise ValueError(f"the floor resumes to {target} only, not {previous}")
            stamp = self.ts(now)
            new_version = version + 1
            # the move: the period left closed, the next opened, the versioned UPDATE
            seconds = max((now - entered).total_seconds(), 0.0)
            cur.execute(sql["close_period"], (stamp, seconds, action, target, app_id))
            cur.execute(sql["open_period"], (app_id, workflow, target, stamp))
            closed = stamp if move.final else None
            cur.execute(sql["update"], (target, state, new_version, stamp, stamp, closed, app_id, version))
            if cur.rowcount != 1:
                raise RuntimeError("version conflict")
            # the effects, in the engine's order
            for kind, effect in move.effects:
                if kind == "pause":
                    cur.execute(sql["pause"], (stamp, app_id, effect))
                elif kind == "close":
                    task_state, status = effect
                    cur.execute(sql["close"], (status, stamp, stamp, app_id, task_state))
                elif kind == "resume":
                    self._resume(cur, app_id, workflow, effect, now)
                elif kind == "open":
                    self._open(cur, app_id, workflow, effect, now)
                else:
                    self._notify(cur, app_id, effect, number, data, assignee, new_version, actor, reason, now)
            event_id = cur.execute(
                sql["event"], (app_id, action, state, target, actor, reason, stamp)
            ).fetchone()[0]
            # the audit row, chained to the last one of the application's chain
            chain = f"application:{app_id}"
            last = cur.execute(sql["last"], (chain,)).fetchone()
            seq, prev_hash = (1, "0" * 64) if last is None else (last[0] + 1, last[1])
            audit_payload: dict[str, Any] = {
                "from_state": state,
                "number": number,
                "to_state": target,
                "version": new_version,
            }
            if reason:
                audit_payload["reason"] = reason
            record = {
                "chain": chain,
                "seq": seq,
                "application_id": app_id,
                "actor": actor,
                "action": action,
                "payload": audit_payload,
                "created_at": now.isoformat(timespec="microseconds"),
            }
            canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256((prev_hash + canonical).encode()).hexdigest()
            cur.execute(
                sql["audit"],
                (
                    chain,
                    seq,
                    app_id,
                    actor,
                    action,
                    self.js(dict(sorted(audit_payload.items()))),
                    stamp,
                    prev_hash,
                    digest,
                ),
            )
            cur.execute("COMMIT")
            return int(event_id)
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _open(self, cur: Any, app_id: int, workflow: str, task: _Task, now: datetime) -> None:
        """INSERT the task, then its role rows (``_effects.open_task``)."""
        warn = due = None
        if task.sla is not None:
            warn, due = task.sla.open(now)
        cur.execute(
            self.sql["task"],
            (
                app_id,
                workflow,
                task.state,
                task.title,
                self.js(list(task.roles)),
                self.ts(due),
                self.ts(warn),
                self.ts(warn or due),
                self.ts(now),
            ),
        )
        task_id = cur.lastrowid if self.kind == "sqlite" else cur.fetchone()[0]
        roles = list(dict.fromkeys(task.roles))
        if roles:
            cur.executemany(self.sql["task_role"], [(task_id, role) for role in roles])

    def _resume(self, cur: Any, app_id: int, workflow: str, effect: Any, now: datetime) -> None:
        """Restart the paused tasks' SLA clock, or open the state's task (``_effects.resume_tasks``)."""
        state, sla, reopen = effect
        rows = cur.execute(self.sql["paused"], (app_id, state)).fetchall()
        if not rows:
            for task in reopen:
                self._open(cur, app_id, workflow, task, now)
            return
        ids = [r[0] for r in rows]
        fired: dict[int, set[tuple[str, int]]] = {}
        notices = self.sql["fired"].format(", ".join([self.p] * len(ids)))
        for task_id, kind, level in cur.execute(notices, ids).fetchall():
            fired.setdefault(task_id, set()).add((kind, level))
        updates = []
        for task_id, _state, due_at, warn_at, paused_at, paused_seconds in rows:
            due, warn, paused = self.when(due_at), self.when(warn_at), self.when(paused_at)
            assert paused is not None
            if sla is None:  # no SLA: wall-clock time
                shift = now - paused
                hours = shift.total_seconds() / 3600.0
                due = None if due is None else due + shift
                warn = None if warn is None else warn + shift
                next_check = None
            else:
                hours = sla.held(paused, now)
                due = None if due is None else sla.add(due, hours)
                warn = None if warn is None else sla.add(warn, hours)
                next_check = None if due is None else sla.next_check(warn, due, fired.get(task_id, set()))
            updates.append(
                (self.ts(due), self.ts(warn), self.ts(next_check), paused_seconds + hours * 3600.0, task_id)
            )
        cur.executemany(self.sql["resume"], updates)

    def _notify(
        self,
        cur: Any,
        app_id: int,
        note: _Notify,
        number: str,
        data: Any,
        assignee: str | None,
        version: int,
        actor: str,
        reason: str | None,
        now: datetime,
    ) -> None:
        """The holders of the roles, one inbox row each (``_effects.notify``, ``_messages``)."""
        holders = cur.execute(self.sql[f"holders{len(note.roles)}"], note.roles).fetchall()
        by_role: dict[str, list[str]] = {r: [] for r in note.roles}
        for role, username in holders:
            by_role[role].append(username)
        recipients: dict[str, str] = {}
        for role in note.roles:
            for username in by_role[role]:
                recipients.setdefault(username, role)
        targets: list[tuple[str | None, str]] = sorted(recipients.items())
        targets += [(None, r) for r, users in by_role.items() if not users]
        values = _Blank(note.values)
        values.update(number=number, actor=actor, reason=reason or "", comment="")
        if "applicant_name" in note.needs:
            person = data.get("applicant") if isinstance(data, dict) else None
            values["applicant_name"] = (
                " ".join(str(person[k]) for k in ("first_name", "last_name") if person.get(k))
                if isinstance(person, dict)
                else ""
            )
        if "assignee" in note.needs:
            values["assignee"] = assignee or ""
        if "due_at" in note.needs and note.sla is not None:
            values["due_at"] = note.sla.open(now)[1].astimezone(note.zone).strftime("%Y-%m-%d %H:%M")
        subject = note.subject.format_map(values)
        body = note.body.format_map(values)
        payload = self.js(
            {"number": number, "state": note.state, "event": note.event, "template": note.template}
        )
        key = f"app{app_id}-v{version}:{note.template}:{note.state}:"
        stamp = self.ts(now)
        cur.executemany(
            self.sql["notify"],
            [
                (
                    app_id,
                    note.event,
                    note.template,
                    user,
                    role,
                    subject,
                    body,
                    payload,
                    key + (user or f"role-{role}"),
                    stamp,
                    stamp,
                )
                for user, role in targets
            ],
        )

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------------------ same writes

_STATEMENT = re.compile(
    r"\s*(?:(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(\w+)|(SELECT)\b.*?\bFROM\s+(\w+))", re.S | re.I
)


def _signature(statement: str, rows: int) -> tuple[str, str, int] | None:
    """(verb, table, rows) of a statement; None for BEGIN and the like."""
    if statement.strip().upper() in ("COMMIT", "ROLLBACK"):
        return (statement.strip().upper(), "", 1)
    found = _STATEMENT.match(statement)
    if found is None:
        return None
    verb, table, select, source = found.groups()
    return ((verb or select).split()[0].upper(), (table or source).lower(), rows)


class _Traced:
    """The floor's cursor noting each statement's signature (only in ``check_same_writes``)."""

    def __init__(self, cur: Any, log: list[tuple[str, str, int]]) -> None:
        self._cur, self._log = cur, log

    def _note(self, statement: str, rows: int) -> None:
        sig = _signature(statement, rows)
        if sig is not None:
            self._log.append(sig)

    def execute(self, statement: str, *params: Any) -> _Traced:
        self._note(statement, 1)
        self._cur.execute(statement, *params)
        return self

    def executemany(self, statement: str, rows: list[Any]) -> _Traced:
        self._note(statement, len(rows))
        self._cur.executemany(statement, rows)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)


#: what a transition writes, per table, for one application (timestamps become "t")
_WRITTEN = {
    "applications": "SELECT state, previous_state, version, closed_at FROM applications WHERE id = {p}",
    "state_periods": "SELECT workflow, state, entered_at, exited_at, seconds, exit_transition, next_state "
    "FROM state_periods WHERE application_id = {p} ORDER BY id",
    "tasks": "SELECT workflow, state, title, roles, assignee, status, created_at, due_at, warn_at, "
    "next_check_at, breached_at, paused_at, paused_seconds, started_at, completed_at, completed_by "
    "FROM tasks WHERE application_id = {p} ORDER BY id",
    "task_roles": "SELECT role FROM task_roles WHERE task_id IN "
    "(SELECT id FROM tasks WHERE application_id = {p}) ORDER BY task_id, role",
    "sla_notices": "SELECT kind, level FROM sla_notices WHERE application_id = {p} ORDER BY id",
    "notifications": "SELECT event, template, channel, recipient, recipient_role, subject, body, payload, "
    "status, attempts, next_attempt_at, idempotency_key, created_at, sent_at "
    "FROM notifications WHERE application_id = {p} ORDER BY id",
    "workflow_events": "SELECT action, from_state, to_state, actor, reason, comment, data, created_at "
    "FROM workflow_events WHERE application_id = {p} ORDER BY id",
    "audit_log": "SELECT chain, seq, actor, action, payload, created_at FROM audit_log "
    "WHERE application_id = {p} ORDER BY seq",
}
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?")


def _written(floor: Floor, app_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of ``app_id`` in every table a transition writes, comparable across applications:
    its number, id and applicant's name masked, timestamps "t", and the SLA arithmetic as
    durations (a task's due, warning and next check after its creation, less the time on hold;
    a period's seconds less its length)."""
    cur = floor.conn.cursor()
    number, data = cur.execute(
        f"SELECT number, data FROM applications WHERE id = {floor.p}", (app_id,)
    ).fetchone()
    data = json.loads(data) if isinstance(data, str) else data
    person = data.get("applicant") or {}
    name = " ".join(str(person[k]) for k in ("first_name", "last_name") if person.get(k))
    masks = [
        (number, "#"),
        (f"app{app_id}-", "app#-"),
        (f"application:{app_id}", "application:#"),
        (name, "NAME"),
    ]

    def norm(value: Any) -> Any:
        if isinstance(value, datetime):
            return "t"
        if isinstance(value, str):
            if value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    return norm(json.loads(value))
            for old, new in masks:
                value = value.replace(old, new)
            return _TIMESTAMP.sub("t", value)
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [norm(v) for v in value]
        return value

    def since(moment: Any, start: datetime, on_hold: float) -> float | None:
        at = floor.when(moment)
        return None if at is None else round((at - start).total_seconds() - on_hold, 3)

    def seconds(start: Any, end: Any, less: float) -> float | None:
        """``end - start`` in seconds, less ``less`` (a time on hold, a period's seconds)."""
        a, b = floor.when(start), floor.when(end)
        return None if a is None or b is None else round((b - a).total_seconds() - less, 3)

    def on_hold(task: Any) -> float:
        """The seconds of the holds a task was resumed from while it was open: its
        paused_seconds on a wall-clock SLA (the reference deployment's)."""
        start, end = floor.when(task[6]), floor.when(task[14])
        assert start is not None
        holds = [(floor.when(r[2]), floor.when(r[3])) for r in raw["state_periods"] if r[5] == "resume"]
        return sum(
            (b - a).total_seconds()
            for a, b in holds
            if a is not None and b is not None and a >= start and (end is None or b <= end)
        )

    raw = {
        table: cur.execute(query.format(p=floor.p), (app_id,)).fetchall() for table, query in _WRITTEN.items()
    }
    # periods: seconds less the period's length; tasks: due, warning and next check after
    # creation less the time on hold, and the time on hold less the holds' periods
    raw["state_periods"] = [
        (*r[:4], None if r[4] is None else seconds(r[2], r[3], r[4]), *r[5:]) for r in raw["state_periods"]
    ]
    raw["tasks"] = [
        (
            *r[:6],
            *(seconds(r[6], m, r[12]) for m in r[7:10]),
            *r[10:12],
            round(r[12] - on_hold(r), 3),
            *r[13:],
        )
        for r in raw["tasks"]
    ]
    return {table: [tuple(norm(v) for v in r) for r in rows] for table, rows in raw.items()}


def _delta(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> str:
    """Rows added (+) and changed (~) per table."""
    parts = []
    for table in _WRITTEN:
        added = len(after[table]) - len(before[table])
        changed = sum(1 for a, b in zip(before[table], after[table], strict=False) if a != b)
        if added or changed:
            parts.append(table + (f" +{added}" if added else "") + (f" ~{changed}" if changed else ""))
    return ", ".join(parts)


def _since(base: dict[str, list[Any]], now: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The rows added or changed since ``base``, with their position, per table."""
    return {
        table: [(i, row) for i, row in enumerate(rows) if i >= len(base[table]) or row != base[table][i]]
        for table, rows in now.items()
    }


def _compare(kind: str, when: str, ims: dict[str, list[Any]], floor: dict[str, list[Any]]) -> None:
    for table in _WRITTEN:
        if ims[table] != floor[table]:
            pairs = [(a, b) for a, b in zip(ims[table], floor[table], strict=False) if a != b]
            raise SystemExit(
                f"{kind} {when}: {table} differs ({len(ims[table])} rows of ims, "
                f"{len(floor[table])} of the floor); first difference:\n"
                f"  ims:   {pairs[0][0] if pairs else ims[table][len(floor[table]) :]}\n"
                f"  floor: {pairs[0][1] if pairs else floor[table][len(ims[table]) :]}"
            )


def check_same_writes(db: Database, ims_app: int, floor_app: int, rounds: int = 2) -> str:
    """ims and the floor hold and resume two applications prepared alike, side by side.

    After each transition both must have run the same statements (verb, table and rows,
    in order; one COMMIT), and the rows the check added or changed in every table a
    transition writes must be the same for both applications (see ``_written``).
    Returns a summary; raises SystemExit otherwise.
    """
    from sqlalchemy import event

    ims = open_ims(db, upgrade=False)
    floor = Floor(db, _plan(ims))
    ims_log: list[tuple[str, str, int]] = []

    def on_execute(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        sig = _signature(statement, len(params) if many else 1)
        if sig is not None:
            ims_log.append(sig)

    def on_commit(conn: Any) -> None:
        ims_log.append(("COMMIT", "", 1))

    event.listen(ims.runtime.db, "before_cursor_execute", on_execute)
    event.listen(ims.runtime.db, "commit", on_commit)
    floor.trace = []
    summary: dict[str, str] = {}
    try:
        # rows from the preparation (document ids, hashes) differ; what the check writes must not
        base = {ims_app: _written(floor, ims_app), floor_app: _written(floor, floor_app)}
        before = base[ims_app]
        for _ in range(rounds):
            for action in ("hold", "resume"):
                ims_log.clear()
                floor.trace.clear()
                reason = REASON if action == "hold" else None
                ims.workflow.transition(ims_app, action, actor=DIRECTOR, reason=reason)
                floor.transition(floor_app, action, DIRECTOR, reason)
                if ims_log != floor.trace:
                    raise SystemExit(
                        f"{db.kind} {action}: the floor's statements differ from ims's\n"
                        f"  ims:   {ims_log}\n  floor: {floor.trace}"
                    )
                after, theirs = _written(floor, ims_app), _written(floor, floor_app)
                _compare(db.kind, action, _since(base[ims_app], after), _since(base[floor_app], theirs))
                summary[action] = f"{len(ims_log)} statements; rows {_delta(before, after)}"
                before = after
    finally:
        event.remove(ims.runtime.db, "before_cursor_execute", on_execute)
        event.remove(ims.runtime.db, "commit", on_commit)
        floor.close()
        ims.close()
    return "; ".join(f"{action}: {text}" for action, text in summary.items())


# ------------------------------------------------------------------------------ workers


def _worker(
    db: Database, app_ids: list[int], conn: Any, barrier: Any
) -> None:  # pragma: no cover - runs in a child process
    """Own IMS and own floor connection; run what the parent asks, on ``app_ids`` only."""
    ims = floor = None
    try:
        ims = open_ims(db, upgrade=False)
        floor = Floor(db, _plan(ims))
        states = {app_id: ims.applications.get(app_id).state for app_id in app_ids}
        runners: dict[str, Callable[[int, str], object]] = {
            "ims": lambda app_id, action: ims.workflow.transition(
                app_id, action, actor=DIRECTOR, reason=REASON if action == "hold" else None
            ),
            "floor": lambda app_id, action: floor.transition(
                app_id, action, DIRECTOR, REASON if action == "hold" else None
            ),
        }
        i = 0
        while True:
            command = conn.recv()
            if command is None:
                break
            mode, n = command
            run = runners[mode]
            barrier.wait(timeout=600)
            start = time.perf_counter()
            for _ in range(n):
                app_id = app_ids[i % len(app_ids)]
                i += 1
                action = "hold" if states[app_id] == "INTAKE_REVIEW" else "resume"
                run(app_id, action)
                states[app_id] = "ON_HOLD" if action == "hold" else "INTAKE_REVIEW"
            end = time.perf_counter()
            conn.send((start, end, n))
    except BaseException as exc:
        conn.send(RuntimeError(f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        if floor is not None:
            floor.close()
        if ims is not None:
            ims.close()


@dataclass
class PersistedResult:
    db: str
    workers: int
    ims_rate: float
    floor_rate: float
    ims_runs: list[float] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.ims_rate / self.floor_rate


def run_persisted(
    db: Database, app_ids: list[int], workers: int, n: int, reps: int, warmup: int
) -> PersistedResult:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(workers)
    pipes, procs = [], []
    share = app_ids[: workers * APPS_PER_WORKER]
    for k in range(workers):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(db, share[k::workers], child, barrier), daemon=True)
        proc.start()
        child.close()  # the worker holds it: its exit ends our recv() with EOFError
        pipes.append(parent)
        procs.append(proc)

    def once(mode: str, total: int) -> float:
        per = max(1, total // workers)
        for pipe in pipes:
            pipe.send((mode, per))
        answers = [pipe.recv() for pipe in pipes]
        for answer in answers:
            if isinstance(answer, BaseException):
                raise RuntimeError(f"a worker failed: {answer!r}") from answer
        start = min(a[0] for a in answers)
        end = max(a[1] for a in answers)
        return float(sum(a[2] for a in answers) / (end - start))

    try:
        once("ims", warmup)
        once("floor", warmup)
        ims_runs: list[float] = []
        floor_runs: list[float] = []
        for rep in range(reps):
            # alternate which goes first so that neither always meets a warmer cache
            order = ("ims", "floor") if rep % 2 == 0 else ("floor", "ims")
            for mode in order:
                (ims_runs if mode == "ims" else floor_runs).append(once(mode, n))
        return PersistedResult(db.kind, workers, median(ims_runs), median(floor_runs), ims_runs, floor_runs)
    finally:
        for pipe in pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


# ------------------------------------------------------------------------------ engine


@dataclass
class EngineResult:
    name: str
    rate: float
    runs: list[float]
    note: str = ""


def _time_rate(fn: Callable[[], object], loops: int, reps: int) -> tuple[float, list[float]]:
    for _ in range(max(1, loops // 10)):  # warm-up
        fn()
    rates = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        rates.append(loops / (time.perf_counter() - start))
    return median(rates), rates


def engine_snapshots(config: Any) -> dict[str, Any]:
    """Full snapshots of the reference workflow for its gated transitions."""
    from ims.demo import applicant_data
    from ims.rules import DocumentFact, Snapshot, required_document_types

    now = datetime.now(UTC)
    data = applicant_data("Maria", "Doe")

    def snap(state: str, docs: tuple[DocumentFact, ...], steps: dict[str, str], **kw: Any) -> Any:
        return Snapshot(
            workflow=WORKFLOW,
            state=state,
            previous_state=kw.get("previous"),
            data=data,
            documents=docs,
            steps=steps,
            state_entered_at=now - timedelta(hours=3),
            assignee=None,
            applicant="paul",
            priority=3,
            version=12,
        )

    draft = snap("DRAFT", (DocumentFact("national_declaration", "PENDING"),), {})
    required = required_document_types(config, draft, now)
    verified = tuple(DocumentFact(t.code, "VERIFIED") for t in required)
    photos = tuple(DocumentFact("photo", "PENDING") for _ in range(4))
    done = {s: "COMPLETED" for s in ("control_visit", "technical_report", "social_report")}
    return {
        "draft": draft,
        "draft_incomplete": Snapshot(
            workflow=WORKFLOW,
            state="DRAFT",
            previous_state=None,
            data={"applicant": {"first_name": "Maria", "last_name": "Doe"}},
            documents=(),
            steps={},
            state_entered_at=now,
            assignee=None,
            applicant="paul",
            priority=3,
            version=1,
        ),
        "technical": snap("TECHNICAL_REVIEW", verified + photos, done, previous="CONTROL_IN_PROGRESS"),
        "intake": snap("INTAKE_REVIEW", verified, {}, previous="DRAFT"),
    }


def run_engine(loops: int, reps: int, config_path: Path = CONFIG) -> list[EngineResult]:
    from ims.engine import Engine
    from ims.facade import load_everything
    from ims.rules import Actor

    config, _plugins, predicates = load_everything(
        config_path, env=ims_env(tempfile.gettempdir(), config_path)
    )
    engine = Engine(config, predicates)
    snaps = engine_snapshots(config)
    now = datetime.now(UTC)
    fenna = Actor("fenna", frozenset({"front_office"}))
    sara = Actor("sara", frozenset({"staff"}))
    dirk = Actor(DIRECTOR, frozenset({"director"}))
    gate = snaps["draft"]
    submit_gate = next(t.when for t in config.workflows[WORKFLOW].transitions if t.name == "submit")
    n_conditions = len(getattr(submit_gate, "conditions", ()))

    cases: list[tuple[str, Callable[[], object], str]] = []

    def add(name: str, snapshot: Any, actor: Any, action: str, expect: bool, note: str, **kw: Any) -> None:
        decision = engine.decide(snapshot, actor, action, now=now, **kw)
        assert decision.allowed is expect, (name, decision.reasons)
        cases.append((name, lambda: engine.decide(snapshot, actor, action, now=now, **kw), note))

    add(
        "ims engine: submit (allowed)",
        gate,
        fenna,
        "submit",
        True,
        f"DRAFT -> INTAKE_REVIEW, {n_conditions} conditions pass",
    )
    add(
        "ims engine: to_director (allowed)",
        snaps["technical"],
        sara,
        "to_director",
        True,
        "required documents verified, 4 photos, 2 reports",
    )
    add(
        "ims engine: hold (allowed)",
        snaps["intake"],
        dirk,
        "hold",
        True,
        "role check and a reason, no gate",
        reason=REASON,
    )
    refused = engine.decide(snaps["draft_incomplete"], fenna, "submit", now=now)
    add(
        "ims engine: submit (refused)",
        snaps["draft_incomplete"],
        fenna,
        "submit",
        False,
        f"{len(refused.failed)} failed conditions, each a sentence",
    )

    # transitions: a Machine whose transition has a condition callback (imported by name:
    # to a type checker, "transitions" is this file)
    Machine = importlib.import_module("transitions").Machine

    class Model:
        def ok(self) -> bool:
            return True

    model = Model()
    Machine(
        model=model,
        states=["a", "b"],
        transitions=[
            {"trigger": "go", "source": "a", "dest": "b", "conditions": "ok"},
            {"trigger": "back", "source": "b", "dest": "a", "conditions": "ok"},
        ],
        initial="a",
        auto_transitions=False,
    )

    def transitions_step() -> None:
        model.go() if model.state == "a" else model.back()  # type: ignore[attr-defined]

    # python-statemachine: a StateMachine with a cond= guard
    from statemachine import State, StateMachine

    class Flip(StateMachine):
        a = State(initial=True)
        b = State()
        go = a.to(b, cond="ok")
        back = b.to(a, cond="ok")

        def ok(self) -> bool:
            return True

    flip = Flip()
    at_a = [True]

    def psm_step() -> None:
        flip.go() if at_a[0] else flip.back()
        at_a[0] = not at_a[0]

    cases.append(("transitions: guarded transition", transitions_step, "Machine, conditions="))
    cases.append(("python-statemachine: guarded transition", psm_step, "StateMachine, cond="))

    results = []
    for name, fn, note in cases:
        rate, runs = _time_rate(fn, loops, reps)
        results.append(EngineResult(name, rate, runs, note))
    return results


# ------------------------------------------------------------------------------ report


def machine_info() -> dict[str, Any]:
    import sqlite3

    import sqlalchemy

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
    }
    try:
        import psycopg

        info["psycopg"] = psycopg.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def print_report(persisted: list[PersistedResult], engine: list[EngineResult], info: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 150)
    console.print(
        f"[bold]ims transitions benchmark[/] — Python {info['python']}, {info['cpus']} CPUs, "
        f"SQLite {info['sqlite']}, SQLAlchemy {info['sqlalchemy']}"
    )
    if persisted:
        table = Table(
            title="Persisted transitions (hold/resume, full path), median per second",
            caption="SQLite has one writer at a time (BEGIN IMMEDIATE): several workers queue for it.",
        )
        columns = ("database", "workers", "ims /s", "(runs)", "raw-SQL floor /s", "(runs)", "ims / floor")
        for col in (*columns, "target >= 0.5"):
            table.add_column(col, justify="right")
        for r in persisted:
            table.add_row(
                r.db,
                str(r.workers),
                f"{r.ims_rate:,.0f}",
                f"{min(r.ims_runs):,.0f}-{max(r.ims_runs):,.0f}",
                f"{r.floor_rate:,.0f}",
                f"{min(r.floor_runs):,.0f}-{max(r.floor_runs):,.0f}",
                f"{r.ratio:.2f}",
                "met" if r.ratio >= 0.5 else "[red]missed[/]",
            )
        console.print(table)
    if engine:
        psm = next((e.rate for e in engine if e.name.startswith("python-statemachine")), None)
        trn = next((e.rate for e in engine if e.name.startswith("transitions")), None)
        table = Table(title="Pure decisions, median per second")
        for col in ("what", "per second", "µs each", "x python-statemachine", "x transitions", "note"):
            table.add_column(col, justify="right" if col != "what" and col != "note" else "left")
        for e in engine:
            table.add_row(
                e.name,
                f"{e.rate:,.0f}",
                f"{1e6 / e.rate:.1f}",
                f"{e.rate / psm:.2f}" if psm else "",
                f"{e.rate / trn:.2f}" if trn else "",
                e.note,
            )
        console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both", "none"), default="both")
    parser.add_argument("--workers", default="1,4", help="worker counts, comma-separated")
    parser.add_argument("--n", type=int, default=None, help="transitions per repetition")
    parser.add_argument("--reps", type=int, default=None, help="repetitions (median reported)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--no-engine", action="store_true", help="skip the engine comparison")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--config",
        type=lambda p: Path(p).resolve(),
        default=CONFIG,
        help="root configuration (default: the reference deployment, config/ims.yaml)",
    )
    args = parser.parse_args(argv)

    workers = sorted({int(w) for w in args.workers.split(",") if w.strip()})
    n = args.n or (150 if args.quick else 800)
    reps = args.reps or (3 if args.quick else 7)
    warmup = 40 if args.quick else 200
    loops = 2_000 if args.quick else 20_000
    kinds = {"both": ["sqlite", "postgresql"], "none": []}.get(args.db, [args.db])

    info = machine_info()
    persisted: list[PersistedResult] = []
    for kind in kinds:
        db = create_database(kind, args.config)
        try:
            started = time.perf_counter()
            app_ids = prepare(db, max(workers) * APPS_PER_WORKER + 2)
            print(
                f"{kind}: {len(app_ids)} applications prepared in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            # two more, prepared alike: one held and resumed by ims, one by the floor
            *app_ids, ims_app, floor_app = app_ids
            same = check_same_writes(db, ims_app, floor_app)
            print(f"{kind}: the floor writes what ims writes ({same})", file=sys.stderr)
            for w in workers:
                result = run_persisted(db, app_ids, w, n, reps, warmup)
                print(
                    f"{kind} x{w}: ims {result.ims_rate:,.0f}/s, floor {result.floor_rate:,.0f}/s",
                    file=sys.stderr,
                )
                persisted.append(result)
            ok, rows = verify_audit(db)
            if not ok:
                raise SystemExit(f"{kind}: the audit chains do not verify after the run")
            print(f"{kind}: audit chains verify ({rows} rows)", file=sys.stderr)
        finally:
            drop_database(db)

    engine = [] if args.no_engine else run_engine(loops, reps, args.config)
    print_report(persisted, engine, info)
    if args.json:
        out = {
            "machine": info,
            "settings": {"n": n, "reps": reps, "warmup": warmup, "engine_loops": loops},
            "persisted": [
                {
                    "db": r.db,
                    "workers": r.workers,
                    "ims_per_s": r.ims_rate,
                    "floor_per_s": r.floor_rate,
                    "ratio": r.ratio,
                    "ims_runs": r.ims_runs,
                    "floor_runs": r.floor_runs,
                }
                for r in persisted
            ],
            "engine": [{"name": e.name, "per_s": e.rate, "runs": e.runs, "note": e.note} for e in engine],
        }
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
