"""``ims worker``: deliver the outbox and sweep SLAs in a loop until SIGTERM or SIGINT.

Each pass claims due messages (``delivery.batch`` at most), sends them and marks
them; when a pass found a full batch the next one starts at once, otherwise the
worker sleeps ``--interval`` seconds.  SIGTERM/SIGINT finish the current pass and
stop (a second signal during a slow send does not interrupt it either: the lease
covers a killed worker).  After every pass the worker writes a heartbeat file,
``<data_dir>/worker-<hostname>-<pid>.heartbeat.json``: ``{"pid", "host", "at",
"passes", "sent", "failed", "dead", "sla_sweeps", "sla_notices"}``, removed on a
graceful stop; a health check reads its age.

Every ``--sla-interval`` seconds (default 60; 0 turns it off) a pass also runs the SLA
sweep (:meth:`ims.services.sla.SlaService.sweep`) before delivering, so the warnings,
breaches and escalations it enqueues go out in the same pass.  Several workers may run
at once: on PostgreSQL their sweeps take disjoint batches (``SKIP LOCKED``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click

from ims.cli._common import State, handle_errors, pass_state


def heartbeat_path(data_dir: str | os.PathLike[str], pid: int | None = None) -> Path:
    return Path(data_dir) / f"worker-{socket.gethostname()}-{pid or os.getpid()}.heartbeat.json"


@click.command()
@click.option(
    "--interval",
    type=click.FloatRange(min=0.01),
    default=5.0,
    show_default=True,
    help="Seconds between passes when idle.",
)
@click.option(
    "--sla-interval",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds between SLA sweeps (0: no sweeps in this worker).",
)
@click.option("--once", is_flag=True, help="One pass (a sweep, then delivery), then exit.")
@click.option(
    "--quiet", "-q", is_flag=True, help="Print only on stop, not after every pass that did something."
)
@pass_state
@handle_errors
def worker(state: State, interval: float, sla_interval: float, once: bool, quiet: bool) -> None:
    """Deliver notifications and sweep SLAs until stopped (SIGTERM/SIGINT: graceful)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    totals = {"passes": 0, "sent": 0, "failed": 0, "dead": 0, "sla_sweeps": 0, "sla_notices": 0}
    last_sweep: float | None = None
    try:
        with state.ims() as ims:
            data_dir = Path(ims.config.settings.data_dir)
            data_dir.mkdir(parents=True, exist_ok=True)
            beat = heartbeat_path(data_dir)
            batch = ims.config.notifications.delivery.batch
            if not quiet:
                click.echo(f"worker {os.getpid()} started; heartbeat {beat}")
            try:
                while True:
                    if sla_interval > 0 and (
                        last_sweep is None or time.monotonic() - last_sweep >= sla_interval
                    ):
                        last_sweep = time.monotonic()
                        swept = ims.sla.sweep()
                        fired = swept.warnings + swept.breaches + swept.escalations
                        totals["sla_sweeps"] += 1
                        totals["sla_notices"] += fired
                        if fired and not quiet:
                            click.echo(
                                f"sla: {swept.warnings} warnings, {swept.breaches} breaches, "
                                f"{swept.escalations} escalations"
                            )
                    report = ims.outbox.deliver()
                    totals["passes"] += 1
                    totals["sent"] += report.sent
                    totals["failed"] += report.failed
                    totals["dead"] += report.dead
                    _write_heartbeat(beat, totals)
                    if report.claimed and not quiet:
                        click.echo(f"sent {report.sent}, failed {report.failed}, dead {report.dead}")
                    if once or stop.is_set():
                        break
                    if report.claimed < batch and stop.wait(interval):
                        break
            finally:
                beat.unlink(missing_ok=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(
        f"worker stopped after {totals['passes']} passes: "
        f"sent {totals['sent']}, failed {totals['failed']}, dead {totals['dead']}; "
        f"{totals['sla_sweeps']} SLA sweeps, {totals['sla_notices']} SLA notices"
    )


def _write_heartbeat(path: Path, totals: dict[str, int]) -> None:
    data = {"pid": os.getpid(), "host": socket.gethostname(), "at": datetime.now(UTC).isoformat(), **totals}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(path)  # atomic: a reader never sees half a file
