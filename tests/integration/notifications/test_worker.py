"""Killed workers lose nothing; concurrent workers never deliver a message twice; `ims worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notifications_support import REFERENCE_CONFIG, email_env, submitted
from sqlalchemy import insert, select

from ims import IMS, hookimpl
from ims.hooks.protocols import OutgoingMessage
from ims.store.models import Notification

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from ims import IMS, hookimpl

    class Killer:
        name = "email"

        def send(self, message):
            os.kill(os.getpid(), signal.SIGKILL)  # dies after claiming, before marking

        @hookimpl
        def register_channels(self, register):
            register(self)

    ims = IMS.from_config(sys.argv[1], database_url=sys.argv[2], extra_plugins=[Killer()])
    ims.outbox.deliver()
    print("not reached")
    """
)


class Collector:
    """A thread-safe channel plugin named ``email``."""

    name = "email"

    def __init__(self, delay: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.keys: list[str] = []
        self.delay = delay

    def send(self, message: OutgoingMessage) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.keys.append(message.idempotency_key)

    @hookimpl
    def register_channels(self, register: Any) -> None:
        register(self)


def email_rows(ims: IMS) -> list[Notification]:
    with ims.runtime.sessions() as s:
        query = select(Notification).where(Notification.channel == "email").order_by(Notification.id)
        return list(s.scalars(query))


def test_a_killed_worker_loses_nothing(make_ims: Any, db_url: str, tmp_path: Path) -> None:
    collector = Collector()
    ims = make_ims(plugins=(collector,))
    for first in ("Maria", "Jan", "Lisa"):
        submitted(ims, first, "Doe")
    assert len(email_rows(ims)) == 3

    env = {**os.environ, **email_env("mailto://127.0.0.1:9", tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(REFERENCE_CONFIG), db_url],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    rows = email_rows(ims)
    assert [(r.status, r.attempts) for r in rows] == [("PENDING", 1)] * 3  # claimed: leased, not lost
    assert ims.outbox.deliver(now=datetime.now(UTC)).claimed == 0  # the lease holds

    lease = ims.config.notifications.delivery.lease_seconds
    report = ims.outbox.deliver(now=datetime.now(UTC) + timedelta(seconds=lease + 1))
    assert report.sent == 3
    assert sorted(collector.keys) == sorted(r.idempotency_key for r in rows)
    assert [r.status for r in email_rows(ims)] == ["SENT"] * 3


def test_concurrent_workers_deliver_each_message_exactly_once(make_ims: Any, clock: Any) -> None:
    collector = Collector(delay=0.001)
    ims = make_ims(plugins=(collector,))
    now = clock.now
    with ims.runtime.sessions.begin() as s:
        s.execute(
            insert(Notification),
            [
                {
                    "event": "test",
                    "template": "state_entered",
                    "channel": "email",
                    "recipient": "fenna",
                    "subject": f"message {i}",
                    "body": "",
                    "payload": {"address": "fenna@housing.example.sr"},
                    "status": "PENDING",
                    "attempts": 0,
                    "idempotency_key": f"bulk:{i}",
                    "created_at": now,
                }
                for i in range(200)
            ],
        )
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while ims.outbox.deliver(10).claimed:
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(collector.keys) == 200
    assert len(set(collector.keys)) == 200  # no double claim
    assert {r.status for r in email_rows(ims)} == {"SENT"}
    assert {r.attempts for r in email_rows(ims)} == {1}


def test_ims_worker_stops_gracefully_on_sigterm(make_ims: Any, db_url: str, tmp_path: Path) -> None:
    make_ims()  # migrated, users created
    env = {**os.environ, **email_env("mailto://127.0.0.1:9", tmp_path)}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from ims.cli.main import main; main()",
            *("--config", str(REFERENCE_CONFIG), "--database-url", db_url),
            *("worker", "--interval", "0.05"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    data_dir = tmp_path / "data"
    deadline = time.monotonic() + 30
    while not list(data_dir.glob("worker-*.heartbeat.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(data_dir.glob("worker-*.heartbeat.json")), "no heartbeat"
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()
    assert "worker stopped after" in out.decode()
    assert not list(data_dir.glob("worker-*.heartbeat.json"))  # removed on a graceful stop
