"""``ims report`` end to end: click's runner on a database the Python API filled (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import REFERENCE_CONFIG, History
from ims import IMS
from ims.cli.main import cli


@pytest.fixture
def run(ims: IMS, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMS_LANGUAGE", "en")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli, ["--config", str(REFERENCE_CONFIG), "--database-url", db_url, *args], catch_exceptions=False
        )

    return invoke


def test_list(run) -> None:  # type: ignore[no-untyped-def]
    listed = run("report", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    names = [r["name"] for r in json.loads(listed.output)]
    assert names[:2] == ["applications_by_state", "decision_outcomes"]
    assert "time_in_state" in names and "sla_compliance" in names
    table = run("report", "list")
    assert "Throughput: applications entered and decided" in table.output


def test_name_runs_the_report_and_run_is_an_alias(run, history: History) -> None:  # type: ignore[no-untyped-def]
    direct = run("report", "applications_by_state", "--format", "json")
    assert direct.exit_code == 0, direct.output
    assert json.loads(direct.output)["rows"][0] == {
        "workflow": "bouwsubsidie",
        "state": "CLOSURE",
        "count": 1,
    }
    alias = run("report", "run", "applications_by_state", "--format", "json")
    assert alias.output == direct.output


def test_table_csv_json(run, history: History) -> None:  # type: ignore[no-untyped-def]
    table = run("report", "throughput")
    assert table.exit_code == 0, table.output
    lines = [line.rstrip() for line in table.output.splitlines()]
    assert lines[0] == "Throughput: applications entered and decided"
    assert lines[1].split() == ["period", "entered", "decided", "approved", "rejected"]
    assert lines[2].split() == ["2026-11", "4", "2", "1", "1"]
    weekly = run("report", "throughput", "--period", "week", "--format", "csv")
    assert weekly.output == (
        "period,entered,decided,approved,rejected\n2026-11-02,2,1,0,1\n2026-11-09,2,1,1,0\n"
    )
    overdue = json.loads(run("report", "overdue", "--format", "json").output)
    assert overdue["rows"][0]["due_at"] == "2026-11-07T17:00:00+00:00"
    assert overdue["rows"][0]["application"] == history.late  # the CLI's clock is the real one


def test_dates_are_local_days_from_inclusive_to_inclusive(run, history: History) -> None:  # type: ignore[no-untyped-def]
    # created on 2 November (local) only: the rejected and the late one
    first_day = run(
        "report", "applications_by_state", "--from", "2026-11-02", "--to", "2026-11-02", "--format", "csv"
    )
    assert first_day.output == "workflow,state,count\nbouwsubsidie,INTAKE_REVIEW,1\nbouwsubsidie,REJECTED,1\n"
    later = run(
        "report", "applications_by_state", "--from", "2026-11-03", "--district", "wanica", "--format", "csv"
    )
    assert later.output == "workflow,state,count\nbouwsubsidie,DRAFT,1\n"
    none = run("report", "throughput", "--from", "2000-01-01", "--to", "2000-12-31", "--format", "csv")
    assert none.output == "period,entered,decided,approved,rejected\n"


def test_charts_and_output_files(run, history: History, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svg = run("report", "sla_compliance", "--format", "svg")
    assert svg.exit_code == 0, svg.output
    assert svg.output == "wrote sla_compliance.svg\n"
    assert (tmp_path / "sla_compliance.svg").read_bytes().startswith(b"<?xml")
    png = run("report", "time_in_state", "--format", "png", "--output", str(tmp_path / "tis.png"))
    assert png.exit_code == 0, png.output
    assert (tmp_path / "tis.png").read_bytes().startswith(b"\x89PNG")
    csv_file = run("report", "workload", "--format", "csv", "-o", str(tmp_path / "w.csv"))
    assert csv_file.output == f"wrote {tmp_path / 'w.csv'}\n"
    assert (tmp_path / "w.csv").read_text().startswith("role,user,open,overdue,due_24h\n")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(
            ["report", "sla_breaches"],
            4,
            "error: no report 'sla_breaches' (known: applications_by_state, ",
            id="unknown",
        ),
        pytest.param(
            ["report", "throughput", "--from", "yesterday"],
            2,
            "'yesterday' is not a date (YYYY-MM-DD) or an ISO time",
            id="bad-date",
        ),
        pytest.param(["report", "throughput", "--format", "xls"], 2, "'xls' is not one of", id="bad-format"),
        pytest.param(["report", "throughput", "--period", "day"], 2, "'day' is not one of", id="bad-period"),
        pytest.param(
            ["report", "overdue", "--format", "svg"],
            2,
            "Error: report 'overdue' has no chart: use --format table, json or csv",
            id="no-chart",
        ),
        pytest.param(
            ["report", "throughput", "--from", "2026-12-01", "--to", "2026-11-01"],
            2,
            "Invalid value for --to: '2026-11-01' ends before --from '2026-12-01' starts",
            id="from-after-to",
        ),
    ],
)
def test_errors_are_one_line(run, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.startswith(("Error", "error"))]) == 1


def test_a_chart_without_matplotlib_is_one_line(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    result = run("report", "applications_by_state", "--format", "svg")
    assert result.exit_code == 10, result.output
    assert result.output == "error: charts need matplotlib: pip install 'ims[charts]'\n"
    assert run("report", "applications_by_state", "--format", "csv").exit_code == 0  # the rest still works
