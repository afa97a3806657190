"""``ims plugins`` and ``ims report`` end to end (click's runner, a temporary SQLite database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ims.cli.main import cli

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / "config" / "ims.yaml")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMS_LOAD_PLUGINS", "")
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--config", CONFIG, "--database-url", url, *args], catch_exceptions=False)

    return invoke


def test_plugins_as_json(run) -> None:  # type: ignore[no-untyped-def]
    result = run("plugins", "--format", "json")
    assert result.exit_code == 0, result.output
    plugins = {p["name"]: p for p in json.loads(result.output)}
    assert plugins["ims.default_plugins.reports"] == {
        "name": "ims.default_plugins.reports",
        "source": "built in",
        "hooks": ["register_reports"],
    }
    assert plugins["ims.default_plugins.identity"]["hooks"] == ["resolve_actor"]
    assert plugins["income_threshold"]["source"] == f"file {REPO / 'plugins' / 'income_threshold.py'}"
    table = run("plugins")
    assert table.exit_code == 0, table.output
    assert "income_threshold" in table.output


def test_report_list_and_run(run) -> None:  # type: ignore[no-untyped-def]
    assert run("users", "add", "fenna", "--role", "front_office").exit_code == 0
    created = run(
        "app",
        "create",
        "bouwsubsidie",
        "--as",
        "fenna",
        "--data",
        '{"applicant": {"first_name": "A", "last_name": "B"}}',
    )
    assert created.exit_code == 0, created.output

    listed = run("report", "list", "--format", "json")
    assert json.loads(listed.output) == [
        {"name": "applications_by_state", "title": "Applications by workflow and state"}
    ]

    as_json = run("report", "run", "applications_by_state", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output) == {
        "report": "applications_by_state",
        "title": "Applications by workflow and state",
        "columns": ["workflow", "state", "count"],
        "rows": [{"workflow": "bouwsubsidie", "state": "DRAFT", "count": 1}],
    }
    as_csv = run("report", "run", "applications_by_state", "--format", "csv", "--workflow", "bouwsubsidie")
    assert as_csv.output == "workflow,state,count\nbouwsubsidie,DRAFT,1\n"
    table = run("report", "run", "applications_by_state")
    assert "bouwsubsidie" in table.output and "DRAFT" in table.output

    # a whole day in the office's time zone; the application was created today
    past = run(
        "report",
        "run",
        "applications_by_state",
        "--from",
        "2000-01-01",
        "--to",
        "2000-12-31",
        "--format",
        "csv",
    )
    assert past.output == "workflow,state,count\n"


def test_report_errors(run) -> None:  # type: ignore[no-untyped-def]
    unknown = run("report", "run", "sla_breaches")
    assert unknown.exit_code == 4
    assert "no report 'sla_breaches' (known: applications_by_state)" in unknown.output
    bad = run("report", "run", "applications_by_state", "--from", "yesterday")
    assert bad.exit_code == 2
    assert "'yesterday' is not a date (YYYY-MM-DD) or an ISO time" in bad.output
