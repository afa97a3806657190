"""Fixtures for the backup tests: a source IMS with the demo's data, empty targets on either engine."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from ims import IMS
from ims.backup._rows import stream_lines
from ims.backup._tables import ims_tables
from ims.demo import Demo
from ims.store.db import make_engine

REPO = Path(__file__).resolve().parents[3]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"

ENGINES = [pytest.param("sqlite", id="to-sqlite")]
if os.environ.get("IMS_TEST_DATABASE_URL"):
    ENGINES.append(pytest.param("postgresql", id="to-postgresql", marks=pytest.mark.postgres))


def open_ims(url: str, data_dir: Path, **kwargs: Any) -> IMS:
    return IMS.from_config(
        REFERENCE_CONFIG,
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(data_dir)},
        database_url=url,
        auto_upgrade=True,
        **kwargs,
    )


@pytest.fixture
def source(db_url: str, tmp_path: Path) -> Iterator[IMS]:
    """An IMS (on this test's backend) holding the demo's three applications."""
    with open_ims(db_url, tmp_path / "source-data") as ims:
        Demo(ims, lambda _line: None).run()
        yield ims


@pytest.fixture
def make_target(tmp_path: Path, _pg_server: Any) -> Iterator[Callable[[str], str]]:
    """``make_target("sqlite" | "postgresql")``: the URL of a new, empty database."""
    created: list[str] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'target-{len(created)}-{os.urandom(3).hex()}.db'}"
        if _pg_server is None:
            pytest.skip("needs IMS_TEST_DATABASE_URL")
        name = _pg_server.create(migrated=False)
        created.append(name)
        return str(_pg_server.url_for(name))

    yield make
    for name in created:
        _pg_server.drop(name)


def dump(engine: Engine) -> dict[str, list[bytes]]:
    """Every ims table as canonical lines in primary-key order (engine-neutral)."""
    out: dict[str, list[bytes]] = {}
    with engine.connect() as conn:
        for table in ims_tables():
            out[table.name] = list(stream_lines(conn, table, [c.name for c in table.columns]))
    return out


def dump_url(url: str) -> dict[str, list[bytes]]:
    engine = make_engine(url)
    try:
        return dump(engine)
    finally:
        engine.dispose()
