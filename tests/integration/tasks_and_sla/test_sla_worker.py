"""``ims worker`` runs the SLA sweep next to delivery (the CLI runs on the wall clock, long
after the test clock's start, so the task made here is past every escalation)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sla_support import REFERENCE_CONFIG, intake

from ims import IMS
from ims.cli.main import cli


def test_worker_once_sweeps_then_delivers(ims: IMS, db_url: str, tmp_path: Path) -> None:
    intake(ims)
    runner = CliRunner(env={"IMS_DATA_DIR": str(tmp_path / "worker-data")})
    args = ["--config", str(REFERENCE_CONFIG), "--database-url", db_url, "worker", "--once"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "sla: 0 warnings, 1 breaches, 2 escalations" in result.output
    assert result.output.rstrip().endswith("1 SLA sweeps, 3 SLA notices")
    again = runner.invoke(cli, args)
    assert again.output.rstrip().endswith("1 SLA sweeps, 0 SLA notices")
    off = runner.invoke(cli, [*args, "--sla-interval", "0"])
    assert off.output.rstrip().endswith("0 SLA sweeps, 0 SLA notices")
