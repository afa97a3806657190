"""``ims plugins`` end to end (click's runner, a temporary SQLite database); ``ims report`` is in
tests/integration/reports/test_report_cli.py."""

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
