"""``ims backup``, ``ims restore``, ``ims verify`` through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.integration.backup.conftest import ENGINES, REFERENCE_CONFIG

from ims.cli.exit_codes import ExitCode
from ims.cli.main import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMS_LANGUAGE", "en")
    monkeypatch.delenv("IMS_BACKUP_PASSPHRASE", raising=False)
    runner = CliRunner()

    def invoke(*args: str, url: str) -> object:
        return runner.invoke(
            cli, ["-c", str(REFERENCE_CONFIG), "--database-url", url, *args], catch_exceptions=False
        )

    return invoke


@pytest.mark.parametrize("target_kind", ENGINES)
def test_demo_backup_restore_verify(
    run: Callable[..., object], tmp_path: Path, make_target: Callable[[str], str], target_kind: str
) -> None:
    """The 'done when' scenario: the demo database, backed up, restored elsewhere, all green."""
    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    result = run("demo", url=demo)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    archive = tmp_path / "demo.ims"
    result = run("backup", str(archive), "--label", "drill", url=demo)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "backup written to" in result.output  # type: ignore[attr-defined]

    target = make_target(target_kind)
    result = run("restore", str(archive), url=target)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "restored" in result.output  # type: ignore[attr-defined]

    result = run("verify", "--archive", str(archive), url=target)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "✘" not in result.output  # type: ignore[attr-defined]
    assert "all 12 checks passed" in result.output  # type: ignore[attr-defined]

    result = run("verify", "--format", "json", "--no-selftest", url=target)
    report = json.loads(result.output)  # type: ignore[attr-defined]
    assert report["ok"] is True and report["failures"] == []

    again = run("restore", str(archive), url=target)
    assert again.exit_code == ExitCode.CONFLICT  # type: ignore[attr-defined]
    assert "is not empty" in again.output and "--replace" in again.output  # type: ignore[attr-defined]
    replaced = run("restore", str(archive), "--replace", url=target)
    assert replaced.exit_code == 0, replaced.output  # type: ignore[attr-defined]


def test_damaged_archive_is_one_line_and_exit_9(run: Callable[..., object], tmp_path: Path) -> None:
    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    run("demo", url=demo)
    archive = tmp_path / "demo.ims"
    run("backup", str(archive), url=demo)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    result = run("restore", str(archive), url=f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == ExitCode.ARCHIVE_INVALID  # type: ignore[attr-defined]
    assert result.output.startswith("error: the archive ")  # type: ignore[attr-defined]
    assert "damaged or truncated" in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert not (tmp_path / "new.db").exists()


def test_encrypted_backup_from_the_environment(
    run: Callable[..., object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    run("demo", url=demo)
    archive = tmp_path / "demo.ims"
    monkeypatch.setenv("IMS_BACKUP_PASSPHRASE", "s3cret passphrase")
    result = run("backup", str(archive), "--encrypt", url=demo)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "encrypted" in result.output  # type: ignore[attr-defined]
    monkeypatch.setenv("IMS_BACKUP_PASSPHRASE", "wrong")
    result = run("restore", str(archive), url=f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == ExitCode.ARCHIVE_INVALID  # type: ignore[attr-defined]
    assert "wrong passphrase" in result.output  # type: ignore[attr-defined]


def test_verify_failure_names_the_check(run: Callable[..., object], tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "demo.db"
    run("demo", url=f"sqlite:///{db}")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE applications SET state = 'LIMBO' WHERE id = 1")
    result = run("verify", "--no-selftest", url=f"sqlite:///{db}")
    assert result.exit_code == ExitCode.VERIFY_FAILED  # type: ignore[attr-defined]
    assert "✘ applications in known states" in result.output  # type: ignore[attr-defined]
    assert "verification failed: applications in known states, open tasks consistent" in result.output  # type: ignore[attr-defined]


def test_compress_level(run: Callable[..., object], tmp_path: Path) -> None:
    from ims.backup import DEFAULT_LEVEL

    demo = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run("demo", url=demo).exit_code == 0  # type: ignore[attr-defined]
    fast, small = tmp_path / "fast.ims", tmp_path / "small.ims"
    assert run("backup", str(fast), "-q", url=demo).exit_code == 0  # type: ignore[attr-defined]
    assert run("backup", str(small), "-q", "--compress-level", "9", url=demo).exit_code == 0  # type: ignore[attr-defined]
    assert small.stat().st_size <= fast.stat().st_size
    refused = run("backup", str(tmp_path / "x.ims"), "--compress-level", "0", url=demo)
    assert refused.exit_code == 2 and "--compress-level" in refused.output  # type: ignore[attr-defined]
    # the command line's default is the library's (written out there to keep the CLI's start-up light)
    option = next(p for p in cli.commands["backup"].params if p.name == "compress_level")
    assert option.default == DEFAULT_LEVEL
