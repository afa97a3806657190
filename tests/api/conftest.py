"""The HTTP API over the reference deployment, on each test database, through Litestar's TestClient.

Users are the demo's (anna admin, ivan it, fenna front_office, carlos control, sara
staff, dirk director, mina minister, paul applicant) plus ``pia``, a second applicant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("litestar")

from api_support import REFERENCE_CONFIG, Auth, Headers, make_app
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS
from ims.api.tokens import issue
from ims.demo import USERS


@pytest.fixture
def ims(db_url: str, tmp_path: Path) -> Iterator[IMS]:
    with IMS.from_config(
        REFERENCE_CONFIG,
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(tmp_path / "data"), "IMS_SECRET_KEY": "k" * 32},
        database_url=db_url,
        auto_upgrade=True,
    ) as instance:
        for username, (name, role) in USERS.items():
            instance.users.create(username, display_name=name, roles=[role])
        instance.users.create("pia", display_name="Pia Applicant", roles=["applicant"])
        yield instance


@pytest.fixture
def client(ims: IMS) -> Iterator[TestClient[Litestar]]:
    with TestClient(make_app(ims, rate_limit_per_minute=0)) as c:
        yield c


@pytest.fixture
def auth(ims: IMS) -> Auth:
    """``auth("fenna")`` -> headers with a fresh bearer token for fenna."""

    def headers(username: str) -> Headers:
        return {"Authorization": f"Bearer {issue(ims.config.settings, username, now=datetime.now(UTC))}"}

    return headers
