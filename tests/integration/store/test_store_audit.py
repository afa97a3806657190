"""The hash-chained audit log: append, verify, and tampering found row by row."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as SessionMaker

from ims.errors import Conflict
from ims.store.audit import (
    GENESIS_HASH,
    AuditReport,
    BrokenLink,
    append,
    canonical_json,
    chain_for,
    verify,
)
from ims.store.db import database_kind, wrap_errors
from ims.store.models import AuditLog

#: Keys out of order, unicode, integral and fractional floats, a big int, nulls, nesting.
TRICKY_PAYLOAD: dict[str, Any] = {
    "zeta": 1,
    "alpha": {"z": [1, 2.5, 100.0, 1e20, 0.1 + 0.2, -0.0], "y": 'ĳ € 😀 "quoted" \\ \n'},
    "none": None,
    "flag": True,
    "big": 2**62,
    "empty": {},
    "list": [],
    "moment": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
}


def _fill(session: Session, now: datetime) -> dict[str, list[AuditLog]]:
    """application:1 x5, application:2 x3, system x2, interleaved."""
    rows: dict[str, list[AuditLog]] = {}
    plan = [1, 1, 2, None, 1, 2, 1, None, 2, 1]
    for i, app_id in enumerate(plan):
        chain = chain_for(app_id)
        row = append(
            session,
            chain=chain,
            application_id=app_id,
            actor=f"user{i}",
            action="transition",
            payload={"i": i, "to": "NEXT", "nested": {"b": 2, "a": 1}},
            now=now + timedelta(seconds=i),
        )
        rows.setdefault(chain, []).append(row)
    return rows


def _raw(engine: Engine, sql: str, **params: Any) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _json_param(engine: Engine) -> str:
    return "CAST(:p AS jsonb)" if database_kind(engine) == "postgresql" else ":p"


def test_append_links_rows_and_verify_passes(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    with sessionmaker.begin() as s:
        rows = _fill(s, now)
    first, second = rows["application:1"][:2]
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert [r.seq for r in rows["system"]] == [1, 2]
    assert rows["system"][0].application_id is None

    with sessionmaker() as s:
        report = verify(s)
        assert report == AuditReport(chains=3, rows=10, broken=[])
        assert report.ok
        assert verify(s, batch=1) == report  # keyset pagination across chain borders
        assert verify(s, batch=3) == report


def test_empty_log_verifies(sessionmaker: SessionMaker[Session]) -> None:
    with sessionmaker() as s:
        assert verify(s) == AuditReport(chains=0, rows=0, broken=[])


def test_tampered_payload_names_exactly_that_chain_and_seq(
    engine: Engine, sessionmaker: SessionMaker[Session], now: datetime
) -> None:
    with sessionmaker.begin() as s:
        rows = _fill(s, now)
    target = rows["application:1"][2]
    _raw(
        engine,
        f"UPDATE audit_log SET payload = {_json_param(engine)} WHERE id = :id",
        p=json.dumps({"i": 999, "to": "APPROVED", "nested": {"a": 1, "b": 2}}),
        id=target.id,
    )
    with sessionmaker() as s:
        for batch in (5000, 1, 4):
            report = verify(s, batch=batch)
            assert report.broken == [
                BrokenLink(
                    "application:1",
                    3,
                    target.id,
                    "hash mismatch: the row was changed after it was written",
                )
            ]
            assert (report.chains, report.rows) == (3, 10)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("actor", "mallory", id="actor"),
        pytest.param("action", "approve", id="action"),
        pytest.param("application_id", 3, id="application_id"),
    ],
)
def test_tampered_columns_are_found(
    engine: Engine, sessionmaker: SessionMaker[Session], now: datetime, column: str, value: Any
) -> None:
    with sessionmaker.begin() as s:
        target = _fill(s, now)["application:2"][1]
    _raw(engine, f"UPDATE audit_log SET {column} = :v WHERE id = :id", v=value, id=target.id)
    with sessionmaker() as s:
        assert [(b.chain, b.seq) for b in verify(s).broken] == [("application:2", 2)]


def test_tampered_timestamp_is_found(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    with sessionmaker.begin() as s:
        target = _fill(s, now)["system"][0]
    with sessionmaker.begin() as s:  # one microsecond is enough
        s.get_one(AuditLog, target.id).created_at += timedelta(microseconds=1)
    with sessionmaker() as s:
        assert [(b.chain, b.seq) for b in verify(s).broken] == [("system", 1)]


def test_deleted_middle_row_is_a_gap(
    engine: Engine, sessionmaker: SessionMaker[Session], now: datetime
) -> None:
    with sessionmaker.begin() as s:
        rows = _fill(s, now)["application:1"]
    _raw(engine, "DELETE FROM audit_log WHERE id = :id", id=rows[2].id)
    with sessionmaker() as s:
        report = verify(s)
    assert report.broken == [BrokenLink("application:1", 4, rows[3].id, "gap: seq 3 is missing before seq 4")]
    assert report.rows == 9


def test_deleted_first_rows_are_a_gap(
    engine: Engine, sessionmaker: SessionMaker[Session], now: datetime
) -> None:
    with sessionmaker.begin() as s:
        rows = _fill(s, now)["application:1"]
    _raw(engine, "DELETE FROM audit_log WHERE id IN (:a, :b)", a=rows[0].id, b=rows[1].id)
    with sessionmaker() as s:
        assert verify(s).broken == [
            BrokenLink("application:1", 3, rows[2].id, "gap: seq 1..2 are missing before seq 3")
        ]


def test_rewritten_hash_breaks_the_next_link(
    engine: Engine, sessionmaker: SessionMaker[Session], now: datetime
) -> None:
    """A forger who also recomputes the row's hash is caught at the next row."""
    with sessionmaker.begin() as s:
        rows = _fill(s, now)["application:1"]
    _raw(engine, "UPDATE audit_log SET hash = :h WHERE id = :id", h="f" * 64, id=rows[1].id)
    with sessionmaker() as s:
        broken = verify(s).broken
    assert [(b.chain, b.seq) for b in broken] == [("application:1", 2)]
    # ... and had the hash been "right" for new content, the next prev_hash gives it away:
    _raw(engine, "UPDATE audit_log SET hash = :h WHERE id = :id", h=rows[1].hash, id=rows[1].id)
    _raw(engine, "UPDATE audit_log SET prev_hash = :h WHERE id = :id", h="e" * 64, id=rows[2].id)
    with sessionmaker() as s:
        broken = verify(s).broken
    assert broken == [
        BrokenLink(
            "application:1",
            3,
            rows[2].id,
            "prev_hash does not match the hash of the previous row",
        )
    ]


def test_canonical_json_round_trips_through_the_database(
    sessionmaker: SessionMaker[Session], now: datetime
) -> None:
    with sessionmaker.begin() as s:
        row = append(
            s,
            chain="system",
            application_id=None,
            actor="ana",
            action="settings.changed",
            payload=TRICKY_PAYLOAD,
            now=now,
        )
    with sessionmaker() as s:
        stored = s.scalars(select(AuditLog.payload).where(AuditLog.id == row.id)).one()
        created = s.scalars(select(AuditLog.created_at).where(AuditLog.id == row.id)).one()
        assert canonical_json(stored) == canonical_json(TRICKY_PAYLOAD)
        assert created == now  # microseconds kept
        assert verify(s).ok


def test_duplicate_seq_is_a_conflict(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    """The UNIQUE(chain, seq) backstop: a writer that lost a race gets Conflict."""
    with sessionmaker.begin() as s:
        row = append(s, chain="system", application_id=None, actor="a", action="x", payload={}, now=now)
    with (
        pytest.raises(Conflict, match="uq_audit_log_chain_seq"),
        wrap_errors(),
        sessionmaker.begin() as s,
    ):
        s.add(
            AuditLog(
                chain="system",
                seq=row.seq,
                actor="b",
                action="y",
                payload={},
                created_at=now,
                prev_hash=GENESIS_HASH,
                hash=GENESIS_HASH,
            )
        )


def test_concurrent_appends_to_one_chain(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    """8 threads x 10 appends to 'system', each in its own transaction: one clean chain."""

    def work(t: int) -> None:
        for i in range(10):
            with wrap_errors(), sessionmaker.begin() as s:
                append(
                    s,
                    chain="system",
                    application_id=None,
                    actor=f"t{t}",
                    action="x",
                    payload={"i": i},
                    now=now,
                )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))
    with sessionmaker() as s:
        assert verify(s) == AuditReport(chains=1, rows=80, broken=[])
        seqs = s.scalars(select(AuditLog.seq).order_by(AuditLog.seq)).all()
        assert seqs == list(range(1, 81))


def test_append_refuses_naive_time(sessionmaker: SessionMaker[Session]) -> None:
    with sessionmaker.begin() as s, pytest.raises(ValueError, match="timezone-aware"):
        append(
            s,
            chain="system",
            application_id=None,
            actor="a",
            action="x",
            payload={},
            now=datetime(2026, 1, 1),
        )


# --------------------------------------------------------------------------- canonical JSON


def test_canonical_json_form() -> None:
    assert canonical_json({"b": [1.0, 2.5], "a": "é"}) == '{"a":"é","b":[1,2.5]}'
    assert canonical_json({"big": 1e20}) == '{"big":100000000000000000000}'
    assert canonical_json((1, 2)) == "[1,2]"
    assert canonical_json(datetime(2026, 1, 1, tzinfo=UTC)) == '"2026-01-01T00:00:00.000000+00:00"'


@pytest.mark.parametrize(
    ("value", "error"),
    [
        pytest.param(float("nan"), ValueError, id="nan"),
        pytest.param({1: "x"}, ValueError, id="int-key"),
        pytest.param(datetime(2026, 1, 1), ValueError, id="naive-datetime"),
        pytest.param({1, 2}, TypeError, id="set"),
    ],
)
def test_canonical_json_refuses(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        canonical_json(value)
