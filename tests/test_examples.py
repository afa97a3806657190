"""The examples keep working: the host-application script and the second domain's configuration."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from ims.config import load

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_host_app_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "argv", ["embed.py", f"sqlite:///{tmp_path / 'host.db'}"])
    runpy.run_path(str(EXAMPLES / "host_app" / "embed.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "submit refused with" in out
    assert "stale edit refused" in out
    assert "audit intact: True" in out


def test_second_domain_loads() -> None:
    config = load(EXAMPLES / "second_domain" / "config" / "ims.yaml")
    assert len(config.workflows) == 1
