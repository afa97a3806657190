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
   ``resume`` on them.  Both go the full way: actor and roles, snapshot, engine,
   optimistic version update, tasks closed and opened, notifications to every holder
   of the notified roles, history and the audit chain, one transaction.  Workers are
   processes, each with its own ``IMS``, on disjoint applications.

   Next to it, in the same run and on the same applications, the **raw-SQL floor**:
   the same reads (user and roles, application row, documents, steps, role holders)
   and the same writes (versioned UPDATE, tasks, notifications, history, audit row
   with its SHA-256 chained to the previous one) issued with the bare driver
   (``sqlite3`` / ``psycopg``), one transaction each, ``BEGIN IMMEDIATE`` on SQLite.
   Floor and API repetitions alternate, and the audit chains they extend together are
   verified at the end, which checks that the floor writes what ims writes.

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


@dataclass(frozen=True)
class _Move:
    """What a hold or resume writes besides the application row (from the configuration)."""

    close_status: str
    task: tuple[str, list[str], float | None] | None  # (title, roles, sla hours)
    notify_roles: tuple[str, ...]
    event: str
    template: str
    label: str


def _plan(ims: Any) -> dict[tuple[str, str], _Move]:
    """(action, target state) -> the effects ims applies, read once from the engine.

    A hand-written implementation would have these as constants; reading them here
    keeps the floor's writes identical to ims's when the workflow changes.
    """
    from ims.engine import CloseTasksEffect, NotifyEffect, OpenTaskEffect
    from ims.rules import Actor, Snapshot

    now = datetime.now(UTC)
    director = Actor(DIRECTOR, frozenset({"director"}))
    plans = {}
    for action, state, previous in (
        ("hold", "INTAKE_REVIEW", "DRAFT"),
        ("resume", "ON_HOLD", "INTAKE_REVIEW"),
    ):
        snap = Snapshot(
            workflow=WORKFLOW,
            state=state,
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
        close = [e for e in decision.effects if isinstance(e, CloseTasksEffect)]
        tasks = [e for e in decision.effects if isinstance(e, OpenTaskEffect)]
        notes = [e for e in decision.effects if isinstance(e, NotifyEffect)]
        assert len(close) == 1 and len(tasks) <= 1 and len(notes) == 1, decision.effects
        assert len(decision.effects) == 1 + len(tasks) + len(notes), decision.effects
        assert not (notes[0].users or notes[0].assignee or notes[0].applicant)
        task = None
        if tasks:
            t = tasks[0]
            title = t.title.get("en") or ""
            task = (title, list(t.roles), t.sla_hours)
        from ims.config.models import label_for

        target = decision.to_state
        assert target is not None
        label = label_for(dict(ims.config.workflows[WORKFLOW].states[target].label), "en", target)
        plans[(action, target)] = _Move(
            close[0].status, task, notes[0].roles, notes[0].event, notes[0].template, label
        )
    return plans


class Floor:
    """One hold/resume with the bare driver: the same reads and writes as ims, no ORM."""

    def __init__(self, db: Database, plans: dict[tuple[str, str], _Move]) -> None:
        self.kind = db.kind
        self.plans = plans
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
        self.sql = {
            "actor": "SELECT u.id, u.active, r.name FROM users u "
            "LEFT JOIN user_roles ur ON ur.user_id = u.id LEFT JOIN roles r ON r.id = ur.role_id "
            f"WHERE u.username = {p}",
            "app": "SELECT number, workflow, state, previous_state, data, version, assignee, "
            f"applicant, priority, state_entered_at FROM applications WHERE id = {p}",
            "docs": f"SELECT document_type, status FROM documents WHERE application_id = {p}",
            "steps": f"SELECT step_name, status, data FROM application_steps WHERE application_id = {p}",
            "update": f"UPDATE applications SET state = {p}, previous_state = {p}, "
            f"state_entered_at = {p}, closed_at = NULL, updated_at = {p}, version = {p} "
            f"WHERE id = {p} AND version = {p}",
            "close": f"UPDATE tasks SET status = {p}, completed_at = {p} "
            f"WHERE application_id = {p} AND state = {p} "
            "AND status IN ('PENDING', 'IN_PROGRESS', 'OVERDUE')",
            "task": "INSERT INTO tasks (application_id, state, title, roles, assignee, status, "
            f"due_at, created_at) VALUES ({p}, {p}, {p}, {p}, NULL, 'PENDING', {p}, {p})",
            "holders": "SELECT r.name, u.username FROM roles r "
            "JOIN user_roles ur ON ur.role_id = r.id JOIN users u ON u.id = ur.user_id "
            f"WHERE r.name IN (SELECT value FROM {self._list_source()}) AND u.active",
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

    def _list_source(self) -> str:
        # the roles to notify, as one parameter: a JSON array on SQLite, an array on PG
        return "json_each(?)" if self.kind == "sqlite" else "unnest(%s::text[]) AS value"

    # driver differences: timestamps and JSON
    def ts(self, moment: datetime) -> Any:
        if self.kind == "sqlite":
            return moment.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        return moment

    def js(self, value: Any) -> Any:
        return json.dumps(value) if self.kind == "sqlite" else self.jsonb(value)

    def roles_param(self, roles: tuple[str, ...]) -> Any:
        return json.dumps(list(roles)) if self.kind == "sqlite" else list(roles)

    def transition(self, app_id: int, action: str, actor: str, reason: str | None) -> int:
        now = datetime.now(UTC)
        c = self.conn
        sql = self.sql
        cur = c.cursor()
        cur.execute("BEGIN IMMEDIATE" if self.kind == "sqlite" else "BEGIN")
        try:
            # reads: the actor with its roles, then the snapshot
            rows = cur.execute(sql["actor"], (actor,)).fetchall()
            if not rows or not rows[0][1]:
                raise PermissionError(actor)
            roles = {r[2] for r in rows if r[2] is not None}
            row = cur.execute(sql["app"], (app_id,)).fetchone()
            number, _wf, state, previous, data, version = row[:6]
            if self.kind == "sqlite":
                data = json.loads(data)
            docs = cur.execute(sql["docs"], (app_id,)).fetchall()
            steps = cur.execute(sql["steps"], (app_id,)).fetchall()
            if self.kind == "sqlite":
                steps = [(name, status, json.loads(d)) for name, status, d in steps]
            del data, docs, steps  # hold and resume have no gate; ims reads them anyway
            # the decision (what the engine answers for hold/resume)
            if "director" not in roles and "minister" not in roles:
                raise PermissionError(action)
            target = "ON_HOLD" if action == "hold" else previous
            move = self.plans[(action, "ON_HOLD" if action == "hold" else "INTAKE_REVIEW")]
            if action == "hold" and not (reason and reason.strip()):
                raise ValueError("a reason is required")
            stamp = self.ts(now)
            new_version = version + 1
            cur.execute(sql["update"], (target, state, stamp, stamp, new_version, app_id, version))
            if cur.rowcount != 1:
                raise RuntimeError("version conflict")
            cur.execute(sql["close"], (move.close_status, stamp, app_id, state))
            if move.task is not None:
                title, task_roles, hours = move.task
                due = None if hours is None else self.ts(now + timedelta(hours=hours))
                cur.execute(sql["task"], (app_id, target, title, self.js(task_roles), due, stamp))
            holders = cur.execute(sql["holders"], (self.roles_param(move.notify_roles),)).fetchall()
            recipients: dict[str, str] = {}
            by_role: dict[str, list[str]] = {r: [] for r in move.notify_roles}
            for role, username in holders:
                by_role[role].append(username)
            for role in move.notify_roles:
                for username in by_role[role]:
                    recipients.setdefault(username, role)
            targets: list[tuple[str | None, str]] = sorted(recipients.items())
            targets += [(None, r) for r, users in by_role.items() if not users]
            subject = f"{number}: {move.label}"
            body = f"Application {number} is now in state {move.label}."
            payload = self.js(
                {"number": number, "state": target, "event": move.event, "template": move.template}
            )
            key = f"app{app_id}-v{new_version}:{move.template}:{target}:"
            cur.executemany(
                sql["notify"],
                [
                    (
                        app_id,
                        move.event,
                        move.template,
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
            event_id = cur.execute(
                sql["event"], (app_id, action, state, target, actor, reason, stamp)
            ).fetchone()[0]
            # the audit row, chained to the last one of the application's chain
            chain = f"application:{app_id}"
            last = cur.execute(sql["last"], (chain,)).fetchone()
            seq, prev_hash = (1, "0" * 64) if last is None else (last[0] + 1, last[1])
            audit_payload: dict[str, Any] = {
                "number": number,
                "from_state": state,
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
                    self.js(audit_payload),
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

    def close(self) -> None:
        self.conn.close()


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
            app_ids = prepare(db, max(workers) * APPS_PER_WORKER)
            print(
                f"{kind}: {len(app_ids)} applications prepared in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
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
