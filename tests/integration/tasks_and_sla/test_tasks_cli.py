"""``ims tasks`` and ``ims sla`` end to end (the CLI runs on the wall clock, long after the
test clock's start, so every task made here is overdue to it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sla_support import REFERENCE_CONFIG, intake, open_task

from ims import IMS
from ims.cli.exit_codes import ExitCode
from ims.cli.main import cli


@pytest.fixture
def run(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"IMS_DATA_DIR": str(tmp_path / "cli-data"), "IMS_LANGUAGE": "en"})

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, ["--config", str(REFERENCE_CONFIG), "--database-url", db_url, *args])
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_queue_claim_assign_start_complete(ims: IMS, run) -> None:  # type: ignore[no-untyped-def]
    number = intake(ims)
    task_id = str(open_task(ims, number))
    out = run("tasks", "queue", "--as", "fenna")
    assert number in out and "INTAKE_REVIEW" in out and "1-1 of 1" in out
    page = json.loads(run("tasks", "queue", "--as", "fenna", "--format", "json"))
    assert (page["total"], page["items"][0]["application"], page["items"][0]["overdue"]) == (1, number, True)
    assert "no tasks (total 0)" in run("tasks", "queue", "--as", "sara")
    assert run("tasks", "claim", task_id, "--as", "fenna").startswith(
        f"task {task_id} ({number} INTAKE_REVIEW) claimed"
    )
    assert "no tasks" in run("tasks", "queue", "--as", "frank", "--scope", "unassigned")
    assert "assigned to frank" in run("tasks", "assign", task_id, "frank", "--as", "anna")
    assert "IN_PROGRESS" in run("tasks", "start", task_id, "--as", "frank")
    listed = run("tasks", "list", "--as", "anna", "--status", "in_progress")
    assert number in listed and "frank" in listed
    assert "COMPLETED" in run("tasks", "complete", task_id, "--as", "frank", "--comment", "done")
    assert number in run("tasks", "list", "--as", "anna", "--closed")


def test_task_errors_are_one_line_with_an_exit_code(ims: IMS, run) -> None:  # type: ignore[no-untyped-def]
    task_id = str(open_task(ims, intake(ims)))
    out = run("tasks", "claim", task_id, "--as", "sara", code=int(ExitCode.PERMISSION_DENIED))
    assert out.startswith("error: task ") and "Traceback" not in out
    out = run("tasks", "claim", "999", "--as", "fenna", code=int(ExitCode.NOT_FOUND))
    assert out == "error: task 999 does not exist\n"
    out = run("tasks", "list", "--as", "fenna", code=int(ExitCode.PERMISSION_DENIED))
    assert "tasks.supervise" in out
    out = run("tasks", "cancel", task_id, "--as", "anna", "--reason", " ", code=int(ExitCode.REFUSED))
    assert "needs a reason" in out


def test_sla_sweep_and_notices(ims: IMS, run) -> None:  # type: ignore[no-untyped-def]
    number = intake(ims)
    result = json.loads(run("sla", "sweep", "--format", "json", "--verbose"))
    assert (result["examined"], result["breaches"], result["escalations"], result["marked_overdue"]) == (
        1,
        1,
        2,
        1,
    )
    assert [(n["kind"], n["level"]) for n in result["notices"]] == [
        ("BREACH", 0),
        ("ESCALATION", 1),
        ("ESCALATION", 2),
    ]
    again = run("sla", "sweep")
    assert again.startswith("examined 0 tasks: 0 warnings, 0 breaches, 0 escalations")
    listed = run("sla", "notices", "--application", number)
    assert "BREACH" in listed and "ESCALATION" in listed and "dirk" in listed
