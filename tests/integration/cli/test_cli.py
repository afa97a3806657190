"""The ``ims`` command end to end (click's runner, a temporary SQLite database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ims.cli.main import cli

REPO = Path(__file__).resolve().parents[3]
CONFIG = str(REPO / "config" / "ims.yaml")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def invoke(*args: str, db: bool = True):  # type: ignore[no-untyped-def]
        base = ["--config", CONFIG] + (["--database-url", url] if db else [])
        return runner.invoke(cli, [*base, *args], catch_exceptions=False)

    return invoke


def test_check_passes_on_the_reference_deployment(run) -> None:  # type: ignore[no-untyped-def]
    result = run("check", CONFIG)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    assert "workflow" in result.output


def test_check_points_at_the_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "wf.yaml"
    text = (
        (REPO / "workflows" / "bouwsubsidie.yaml")
        .read_text()
        .replace("to: CONTROL_ASSIGN", "to: CONTROL_ASIGN", 1)
    )
    bad.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "CONTROL_ASIGN" in t)
    result = run("check", str(bad))
    assert result.exit_code == 1, result.output
    assert f"wf.yaml:{line}:" in result.output
    assert "error[unknown-state]" in result.output
    assert "did you mean 'CONTROL_ASSIGN'?" in result.output
    as_json = run("check", str(bad), "--format", "json")
    assert json.loads(as_json.output)["issues"][0]["line"] == line


def test_users_and_audit(run) -> None:  # type: ignore[no-untyped-def]
    assert run("users", "add", "fenna", "--role", "front_office").exit_code == 0
    result = run("users", "grant", "fenna", "staff")
    assert result.exit_code == 0, result.output
    assert "front_office, staff" in result.output
    result = run("users", "grant", "fenna", "nope")
    assert result.exit_code == 4
    assert "unknown role 'nope'" in result.output
    assert run("users", "deactivate", "fenna").exit_code == 0
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: 1 chains")


def test_app_commands(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("users", "add", "fenna", "--role", "front_office")
    data = tmp_path / "app.json"
    data.write_text(json.dumps({"applicant": {"first_name": "A", "last_name": "B"}}))
    result = run("app", "create", "bouwsubsidie", "--as", "fenna", "--data", f"@{data}")
    assert result.exit_code == 0, result.output
    number = result.output.split()[0]
    result = run("app", "actions", number, "--as", "fenna")
    assert "[no ] submit -> INTAKE_REVIEW" in result.output
    result = run("app", "do", number, "submit", "--as", "fenna")
    assert result.exit_code == 3
    assert "'submit' is not allowed in state DRAFT" in result.output
    assert "Traceback" not in result.output
    result = run("app", "do", number, "fly", "--as", "fenna")
    assert result.exit_code == 3
    result = run("app", "show", "BS-1999-000001")
    assert result.exit_code == 4


def test_graph_is_mermaid(run) -> None:  # type: ignore[no-untyped-def]
    result = run("graph", "bouwsubsidie", db=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("stateDiagram-v2")
    assert "DRAFT --> INTAKE_REVIEW" in result.output


def test_schema_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("schema", "export", str(tmp_path / "schemas"), db=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "schemas" / "workflow.schema.json").exists()


def test_demo_runs(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "REFUSED" in result.output
    assert "CLOSURE" in result.output and "REJECTED" in result.output
    assert "audit:" in result.output and "intact" in result.output


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "nope.yaml"), "users", "list"])
    assert result.exit_code != 0
    assert "nope.yaml" in result.output
    assert "Traceback" not in result.output


def test_audit_verify_names_the_tampered_row(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    assert run("users", "add", "fenna", "--role", "front_office").exit_code == 0
    assert run("users", "add", "olga", "--role", "control").exit_code == 0
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE chain = 'system' AND seq = 2")
    result = run("audit", "verify")
    assert result.exit_code == 8, result.output
    assert "BROKEN system seq 2" in result.output


def test_an_unusable_database_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(
        cli, ["--config", CONFIG, "--database-url", f"sqlite:///{blocker}/sub/ims.db", "users", "list"]
    )
    assert result.exit_code == 7, result.output
    assert "cannot create the folder" in result.output
    assert "Traceback" not in result.output


def test_an_unexpected_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ims.cli import main as main_module
    from ims.cli.commands import plugins

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(plugins, "describe_plugins", boom, raising=False)
    monkeypatch.setattr("ims.hooks.manager.describe_plugins", boom)
    monkeypatch.delenv("IMS_DEBUG", raising=False)
    monkeypatch.setattr("sys.argv", ["ims", "--config", CONFIG, "plugins"])
    with pytest.raises(SystemExit) as exit_info:
        main_module.main()
    assert exit_info.value.code == 10
    err = capsys.readouterr().err
    assert "error: unexpected RuntimeError: kaboom" in err
    assert "IMS_DEBUG=1" in err
    assert "Traceback" not in err
