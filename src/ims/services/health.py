"""Health: is this deployment able to work?  Shared by ``ims health`` and ``/health/ready``.

Each check returns a :class:`Check` with a status:

* ``ok``: fine;
* ``warn``: works, but someone should look (an old outbox backlog, no worker heartbeat);
* ``fail``: not able to serve (database unreachable, migrations not current).

A deployment is *ready* when no check failed.  The checks read only; they never
repair anything.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import and_, func, select, text

from ims.hooks.manager import describe_plugins
from ims.store import migrate
from ims.store.models import OPEN_TASK_STATUSES, Task

if TYPE_CHECKING:
    from ims.facade import IMS

Status = Literal["ok", "warn", "fail"]

#: An outbox message older than this (pending or failed) makes the outbox check warn.
OUTBOX_MAX_AGE = timedelta(minutes=15)
#: A worker heartbeat older than this counts as a stopped worker.
HEARTBEAT_MAX_AGE = timedelta(minutes=2)
#: The files ``ims worker`` writes after every pass (see :mod:`ims.cli.commands.worker`).
HEARTBEAT_GLOB = "worker-*.heartbeat.json"


@dataclass(frozen=True)
class Check:
    """One check: its name, status, a sentence, and the figures behind it."""

    name: str
    status: Status
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthReport:
    """Every check, in a fixed order; ``ready`` when none failed."""

    checks: tuple[Check, ...]
    checked_at: datetime

    @property
    def ready(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    @property
    def status(self) -> Status:
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "ready": self.ready,
            "checked_at": self.checked_at.isoformat(),
            "checks": [asdict(c) for c in self.checks],
        }


class HealthService:
    """The checks behind ``ims health`` and ``/health/ready`` (``ims.health``)."""

    def __init__(
        self,
        ims: IMS,
        *,
        outbox_max_age: timedelta = OUTBOX_MAX_AGE,
        heartbeat_max_age: timedelta = HEARTBEAT_MAX_AGE,
    ) -> None:
        self._ims = ims
        self.outbox_max_age = outbox_max_age
        self.heartbeat_max_age = heartbeat_max_age

    def check(self) -> HealthReport:
        """Run every check (the database first: without it the others are skipped)."""
        now = self._ims.runtime.now()
        database = self.database()
        if database.status == "fail":
            skipped = [
                Check(name, "fail", "skipped: the database is unreachable")
                for name in ("migrations", "outbox")
            ]
            checks = (database, *skipped, self.plugins(), self.worker(now))
        else:
            checks = (database, self.migrations(), self.plugins(), self.outbox(now), self.worker(now))
        return HealthReport(checks, now)

    def figures(self) -> dict[str, float]:
        """Gauges for monitoring (``/metrics``): outbox backlog and age, open and overdue tasks."""
        now = self._ims.runtime.now()
        backlog, age = self._ims.outbox.backlog(now=now)
        open_tasks = and_(Task.status.in_(OPEN_TASK_STATUSES))
        with self._ims.runtime.reading() as s:
            opened = s.scalar(select(func.count()).select_from(Task).where(open_tasks)) or 0
            overdue = (
                s.scalar(select(func.count()).select_from(Task).where(open_tasks, Task.due_at < now)) or 0
            )
        return {
            "outbox_backlog": float(backlog),
            "outbox_oldest_pending_age_seconds": 0.0 if age is None else age.total_seconds(),
            "tasks_open": float(opened),
            "tasks_overdue": float(overdue),
        }

    def database(self) -> Check:
        started = time.perf_counter()
        try:
            with self._ims.db.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not reachable"
            return Check("database", "fail", f"unreachable: {type(exc).__name__}: {exc}".splitlines()[0])
        ms = round((time.perf_counter() - started) * 1000, 2)
        kind = self._ims.db.dialect.name
        return Check("database", "ok", f"{kind} reachable in {ms} ms", {"dialect": kind, "latency_ms": ms})

    def migrations(self) -> Check:
        try:
            current, head = migrate.current(self._ims.db), migrate.head()
        except Exception as exc:
            return Check("migrations", "fail", f"cannot read the revision: {type(exc).__name__}: {exc}")
        data = {"current": current, "head": head}
        if current != head:
            return Check(
                "migrations", "fail", f"at revision {current}, not {head}: run `ims db upgrade`", data
            )
        return Check("migrations", "ok", f"at head ({head})", data)

    def plugins(self) -> Check:
        names = [p.name for p in describe_plugins(self._ims.plugins)]
        return Check("plugins", "ok", f"{len(names)} loaded", {"count": len(names), "names": names})

    def outbox(self, now: datetime) -> Check:
        try:
            count, age = self._ims.outbox.backlog(now=now)
        except Exception as exc:
            return Check("outbox", "fail", f"cannot read the outbox: {type(exc).__name__}")
        seconds = None if age is None else round(age.total_seconds(), 1)
        data = {"backlog": count, "oldest_pending_age_seconds": seconds}
        if age is not None and age > self.outbox_max_age:
            limit = int(self.outbox_max_age.total_seconds())
            return Check(
                "outbox",
                "warn",
                f"{count} waiting, the oldest for {seconds} s (over {limit} s): is `ims worker` running?",
                data,
            )
        return Check("outbox", "ok", f"{count} waiting" if count else "empty", data)

    def worker(self, now: datetime) -> Check:
        """The freshest ``ims worker`` heartbeat in ``data_dir``."""
        beats = []
        for path in Path(self._ims.config.settings.data_dir).glob(HEARTBEAT_GLOB):
            try:
                beats.append(datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["at"]))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # being replaced, or not ours
        if not beats:
            return Check("worker", "warn", "no heartbeat: no `ims worker` is running on this data_dir")
        latest = max(b if b.tzinfo else b.replace(tzinfo=UTC) for b in beats)
        age = max((now - latest).total_seconds(), 0.0)
        data = {"workers": len(beats), "heartbeat_age_seconds": round(age, 1)}
        if age > self.heartbeat_max_age.total_seconds():
            return Check("worker", "warn", f"last heartbeat {round(age)} s ago: is the worker stuck?", data)
        return Check("worker", "ok", f"heartbeat {round(age, 1)} s ago", data)
