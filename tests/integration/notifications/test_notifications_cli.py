"""`ims notifications deliver | list | retry` and `ims worker --once`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from notifications_support import REFERENCE_CONFIG, SmtpSink, email_env, submitted
from sqlalchemy import update

from ims.cli.main import cli
from ims.store.models import Notification


def test_notifications_commands(make_ims: Any, smtp: SmtpSink, db_url: str, tmp_path: Path) -> None:
    ims = make_ims(smtp.url)
    number = submitted(ims)
    runner = CliRunner(env=email_env(smtp.url, tmp_path))

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--config", str(REFERENCE_CONFIG), "--database-url", db_url, *args])
        assert result.exit_code == 0, result.output
        return result.output

    listed = run("notifications", "list")
    assert "PENDING" in listed and "fenna@housing.example.sr" in listed
    assert run("notifications", "deliver") == "sent 1, failed 0, dead 0\n"
    assert [m.subject for m in smtp.messages] == [f"Aanvraag {number}: Intakecontrole"]
    assert "no messages" in run("notifications", "list", "--status", "DEAD")

    with ims.runtime.sessions.begin() as s:
        s.execute(update(Notification).where(Notification.channel == "email").values(status="DEAD"))
    [dead] = ims.outbox.list(status="DEAD")
    assert str(dead.id) in run("notifications", "list", "--status", "dead")
    assert run("notifications", "retry", str(dead.id), "999") == (
        f"requeued 1: {dead.id}\nnot dead (left as they are): 999\n"
    )
    out = run("worker", "--once", "--sla-interval", "0")
    assert "sent 1, failed 0, dead 0" in out
    assert "worker stopped after 1 passes: sent 1, failed 0, dead 0; 0 SLA sweeps, 0 SLA notices" in out
    assert len(smtp.messages) == 2

    result = runner.invoke(
        cli, ["--config", str(REFERENCE_CONFIG), "--database-url", db_url, "notifications", "retry"]
    )
    assert result.exit_code == 2
    assert "give message IDs or --all" in result.output
    assert "requeued 0" in run("notifications", "retry", "--all")
