"""Application numbers: formatting, periods, and uniqueness under concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as SessionMaker

from ims.store.db import wrap_errors
from ims.store.models import NumberSequence
from ims.store.numbers import next_number, pattern_fields


def test_numbers_count_up_and_restart_each_year(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    next_year = datetime(2027, 1, 1, tzinfo=UTC)
    pattern = "BS-{year}-{seq:06d}"
    with sessionmaker.begin() as s:
        assert next_number(s, name="bs", pattern=pattern, now=now) == "BS-2026-000001"
        assert next_number(s, name="bs", pattern=pattern, now=now) == "BS-2026-000002"
        assert next_number(s, name="bs", pattern=pattern, now=next_year) == "BS-2027-000001"
        assert next_number(s, name="other", pattern=pattern, now=now) == "BS-2026-000001"
        assert next_number(s, name="plain", pattern="N{seq}", now=now) == "N1"
        assert next_number(s, name="plain", pattern="N{seq}", now=next_year) == "N2"
        rows = s.execute(
            select(NumberSequence.name, NumberSequence.period, NumberSequence.value).order_by(
                NumberSequence.name, NumberSequence.period
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("bs", "2026", 2),
        ("bs", "2027", 1),
        ("other", "2026", 1),
        ("plain", "all", 2),
    ]


def test_a_rolled_back_number_is_handed_out_again(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    with sessionmaker.begin() as s:
        assert next_number(s, name="n", pattern="{seq}", now=now) == "1"
    s = sessionmaker()
    try:
        assert next_number(s, name="n", pattern="{seq}", now=now) == "2"
        s.rollback()
    finally:
        s.close()
    with sessionmaker.begin() as s:
        assert next_number(s, name="n", pattern="{seq}", now=now) == "2"


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param("APP-{year}", "needs a {seq}", id="no-seq"),
        pytest.param("APP-{month}-{seq}", r"unknown placeholders \['month'\]", id="unknown"),
        pytest.param("APP-{seq", "malformed", id="malformed"),
    ],
)
def test_bad_patterns(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pattern_fields(pattern)


def test_unique_under_threads(sessionmaker: SessionMaker[Session], now: datetime) -> None:
    """8 threads x 50 numbers, each in its own transaction: 400 distinct, no gaps."""

    def work(_: int) -> list[str]:
        numbers = []
        for _ in range(50):
            with wrap_errors(), sessionmaker.begin() as s:
                numbers.append(next_number(s, name="app", pattern="A-{year}-{seq:05d}", now=now))
        return numbers

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [n for batch in pool.map(work, range(8)) for n in batch]

    assert len(results) == 400
    assert set(results) == {f"A-2026-{i:05d}" for i in range(1, 401)}
