from __future__ import annotations

from pathlib import Path

import pytest

#: tests/fixtures/config
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config"


@pytest.fixture
def fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in the fixtures folder, so issues name files as ``bad_x.yaml``."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES
