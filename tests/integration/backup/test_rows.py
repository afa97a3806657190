"""Canonical lines: PostgreSQL's server-made lines equal Python's, and both engines agree.

On PostgreSQL the server formats most columns itself (``ims.backup._rows_pg``); these
tests put awkward values in every kind of column and hold that path to the bytes the
Python codec writes, on the same rows, and to the bytes SQLite gives for the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update
from tests.integration.backup.conftest import ENGINES, dump, dump_url

from ims import IMS, backup
from ims.backup._rows import canonical_json, codec_for, ordered_select, parse_json, stream_blocks
from ims.backup._tables import ims_tables
from ims.store.models import Application, StatePeriod, Task, User

AWKWARD_TEXT = "Zoë \"Q\" \\ back\nslash\ttab\r\x01\x1f\x7f \u2028 😀 'single'"
AWKWARD_DATA: dict[str, Any] = {
    "applicant": {"first_name": "Maria", "last_name": "Doe", "district": "Paramaribo"},
    "nested": {
        "é": AWKWARD_TEXT,
        "big": 123456789012345678901234,
        "small": 1.5e-05,
        "tenth": 0.1,
        "two": 2.0,
        "list": [1, 2.5, None, True, False, "x", {"b": 1, "a": 2}],
        "empty": {},
        "none": [],
        "10": "key that sorts before letters",
    },
}


def make_awkward(ims: IMS) -> None:
    """Awkward values in text, JSON, float, boolean and timestamp columns of the demo's rows."""
    with ims.db.begin() as conn:
        conn.execute(update(Application).where(Application.id == 1).values(data=AWKWARD_DATA))
        conn.execute(update(User).where(User.username == "fenna").values(display_name=AWKWARD_TEXT))
        conn.execute(update(User).where(User.username == "paul").values(active=False, email=None))
        conn.execute(update(Task).where(Task.id == 1).values(paused_seconds=1.5e-05))
        conn.execute(update(Task).where(Task.id == 2).values(paused_seconds=1e16))
        conn.execute(update(Task).where(Task.id == 3).values(paused_seconds=1234.5678901234567))
        conn.execute(update(StatePeriod).where(StatePeriod.id == 1).values(seconds=0.1))


def python_lines(engine: Engine) -> dict[str, list[bytes]]:
    """Every table's lines written by the Python codec from rows read through SQLAlchemy."""
    out: dict[str, list[bytes]] = {}
    with engine.connect() as conn:
        for table in ims_tables():
            names = [c.name for c in table.columns]
            codec = codec_for(table, names)
            rows = conn.execute(ordered_select(table, names, conn.dialect.name))
            out[table.name] = [codec.line(row) for row in rows]
    return out


def test_server_made_lines_equal_the_python_codec(source: IMS) -> None:
    make_awkward(source)
    fast = dump(source.db)
    assert fast == python_lines(source.db)
    assert any("😀".encode() in line for line in fast["users"])
    assert any(b'"big":123456789012345678901234' in line for line in fast["applications"])
    assert any(b'"paused_seconds":1e+16' in line for line in fast["tasks"])
    assert any(b'"paused_seconds":1.5e-05' in line for line in fast["tasks"])


def test_blocks_hold_whole_lines_and_count_them(source: IMS) -> None:
    table = next(t for t in ims_tables() if t.name == "audit_log")
    with source.db.connect() as conn:
        blocks = list(stream_blocks(conn, table, [c.name for c in table.columns]))
    assert all(block.endswith(b"\n") and block.count(b"\n") == rows for block, rows in blocks)
    assert sum(rows for _, rows in blocks) > 0


@pytest.mark.parametrize("target_kind", ENGINES)
def test_awkward_values_survive_a_round_trip(
    source: IMS, make_target: Callable[[str], str], tmp_path: Path, target_kind: str
) -> None:
    make_awkward(source)
    archive = tmp_path / "awkward.ims"
    source.backup.create(archive)
    target = make_target(target_kind)
    backup.restore(
        archive, config=source.config.root, env={"IMS_DATA_DIR": str(tmp_path / "t")}, database_url=target
    )
    assert dump(source.db) == dump_url(target)


def test_canonical_json_keeps_big_integers_and_sorts_keys() -> None:
    assert canonical_json({"b": 1, "a": [2**70, 0.5]}) == b'{"a":[1180591620717411303424,0.5],"b":1}'
    assert parse_json(b"[123456789012345678901234]") == [123456789012345678901234]
    assert parse_json("[12, 1.5]") == [12, 1.5]


@pytest.mark.postgres
def test_helper_connections_read_the_same_snapshot(source: IMS, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ranges a helper connection reads are as of the snapshot, not of what committed after."""
    if source.db.dialect.name != "postgresql":
        pytest.skip("helper connections are PostgreSQL's")
    from ims.backup import _rows_pg
    from ims.backup._snapshot import read_snapshot, snapshot_helpers

    monkeypatch.setattr(_rows_pg, "BATCH", 2)  # many small ranges: the helper reads every other one
    users = next(t for t in ims_tables() if t.name == "users")
    names = [c.name for c in users.columns]
    before = dump(source.db)["users"]
    assert len(before) >= 6
    with read_snapshot(source.db) as conn:
        assert len(snapshot_helpers(conn)) == 1
        with source.db.begin() as writer:  # committed after the snapshot began
            writer.execute(update(User).values(display_name="changed after the snapshot"))
        lines = [line for block, _ in stream_blocks(conn, users, names) for line in block.splitlines(True)]
    assert lines == before
    assert dump(source.db)["users"] != before
