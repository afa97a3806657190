"""An IMS on the reference deployment with the demo's users (and frank, a second front-office
clerk) and a hand-moved clock starting on a Monday morning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sla_support import REFERENCE_CONFIG, START

from ims import IMS
from ims.demo import USERS
from ims.testing.fixtures import Clock


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
            instance.users.create(username, display_name=name, roles=[role], email=f"{username}@example.org")
        instance.users.create("frank", display_name="Frank Front", roles=["front_office"])
        yield instance
