"""An IMS on the reference deployment, over each test database, with a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ims import IMS
from ims.demo import USERS
from ims.testing.fixtures import Clock

REPO = Path(__file__).resolve().parents[3]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""Where the tests' hand-moved clock starts (a Monday morning)."""


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def ims(db_url: str, clock: Clock, tmp_path: Path) -> Iterator[IMS]:
    with IMS.from_config(
        REFERENCE_CONFIG,
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(tmp_path / "data")},
        database_url=db_url,
        clock=clock,
        auto_upgrade=True,
    ) as instance:
        for username, (name, role) in USERS.items():
            instance.users.create(username, display_name=name, roles=[role])
        yield instance
