"""Engines, sessions, error conversion and the UTC datetime type."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as SessionMaker
from sqlalchemy.pool import StaticPool

from ims.errors import Conflict, StoreError
from ims.store.db import database_kind, make_engine, make_sessionmaker, wrap_errors
from ims.store.models import Application, Document, User

NewApplication = Callable[..., Application]
NOW = datetime(2026, 11, 25, 10, 30, 15, 123456, tzinfo=UTC)


# --------------------------------------------------------------------------- make_engine


def test_sqlite_pragmas_and_parent_folder(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'ims.db'}")
    try:
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
        assert pragma == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": 30000,
            "synchronous": 1,  # NORMAL
        }
        assert (tmp_path / "a" / "b" / "ims.db").exists()
        assert database_kind(engine) == "sqlite"
    finally:
        engine.dispose()


def test_sqlite_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: an open transaction, even one that only read, blocks other writers."""
    path = tmp_path / "ims.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with engine.begin() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
            other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
    finally:
        engine.dispose()


def test_sqlite_memory_is_one_shared_database() -> None:
    engine = make_engine("sqlite://")
    try:
        assert isinstance(engine.pool, StaticPool)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT x FROM t").scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["postgresql://u@localhost/db", "postgres://u@localhost/db"],
    ids=["postgresql", "postgres"],
)
def test_postgresql_urls_use_psycopg(url: str) -> None:
    engine = make_engine(url)  # no connection is made
    try:
        assert engine.dialect.driver == "psycopg"
        assert database_kind(engine) == "postgresql"
    finally:
        engine.dispose()


def test_unsupported_url_is_refused() -> None:
    with pytest.raises(StoreError, match=r"unsupported database URL 'mysql://u:\*\*\*@h/db'"):
        make_engine("mysql://u:secret@h/db")
    with pytest.raises(StoreError, match="not a database URL"):
        make_engine("ims.db")


# --------------------------------------------------------------------------- wrap_errors


def test_version_conflict_is_a_conflict(
    sessionmaker: SessionMaker[Session], new_application: NewApplication
) -> None:
    """Two edits from the same version: the second raises Conflict, the first one stays."""
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
    with sessionmaker.begin() as s:
        first = s.get_one(Application, app_id)
    with sessionmaker.begin() as s:
        second = s.get_one(Application, app_id)
    assert first.version == second.version == 1

    with sessionmaker.begin() as s:
        s.add(second)
        second.state = "INTAKE_REVIEW"
    assert second.version == 2

    with (
        pytest.raises(Conflict, match="changed or deleted by someone else") as info,
        wrap_errors("moving the application"),
        sessionmaker.begin() as s,
    ):
        s.add(first)
        first.state = "REJECTED"
    assert info.value.__cause__ is not None

    with sessionmaker.begin() as s:
        stored = s.get_one(Application, app_id)
        assert (stored.state, stored.version) == ("INTAKE_REVIEW", 2)


#: Run a test on PostgreSQL only (SQLite serialises whole transactions: they cannot interleave).
POSTGRES_ONLY = pytest.mark.parametrize(
    "db_backend",
    [
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not os.environ.get("IMS_TEST_DATABASE_URL"),
                    reason="needs IMS_TEST_DATABASE_URL",
                ),
            ],
        )
    ],
    indirect=True,
)


@POSTGRES_ONLY
def test_version_conflict_between_open_transactions(
    engine: Engine, sessionmaker: SessionMaker[Session], new_application: NewApplication
) -> None:
    assert database_kind(engine) == "postgresql"
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
    with pytest.raises(Conflict), wrap_errors(), sessionmaker.begin() as s1:
        a1 = s1.get_one(Application, app_id)
        with sessionmaker.begin() as s2:
            s2.get_one(Application, app_id).state = "INTAKE_REVIEW"
        a1.state = "REJECTED"


@POSTGRES_ONLY
def test_serialization_failure_is_a_conflict(
    engine: Engine, sessionmaker: SessionMaker[Session], new_application: NewApplication
) -> None:
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
    update = text("UPDATE applications SET priority = :p WHERE id = :id")
    with (
        pytest.raises(Conflict, match="serialization failure"),
        wrap_errors(),
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as first,
    ):
        first.execute(text("SELECT priority FROM applications WHERE id = :id"), {"id": app_id})
        with engine.begin() as second:
            second.execute(update, {"p": 2, "id": app_id})
        first.execute(update, {"p": 4, "id": app_id})


def test_unique_violation_is_a_conflict_naming_the_constraint(
    sessionmaker: SessionMaker[Session],
) -> None:
    with sessionmaker.begin() as s:
        s.add(User(username="ana"))
    with (
        pytest.raises(Conflict, match=r"users\(username\).*uq_users_username") as info,
        wrap_errors("creating user 'ana'"),
        sessionmaker.begin() as s,
    ):
        s.add(User(username="ana"))
    assert isinstance(info.value.__cause__, IntegrityError)
    assert str(info.value).startswith("creating user 'ana' failed: ")


def test_foreign_key_violation_is_a_store_error(sessionmaker: SessionMaker[Session]) -> None:
    with pytest.raises(StoreError) as info, wrap_errors(), sessionmaker.begin() as s:
        s.add(
            Document(
                application_id=424242,
                document_type="id",
                sha256="0" * 64,
                uploaded_by="ana",
                created_at=NOW,
            )
        )
    assert not isinstance(info.value, Conflict)
    assert isinstance(info.value.__cause__, IntegrityError)


def test_check_constraint_violation_is_a_store_error(
    sessionmaker: SessionMaker[Session], new_application: NewApplication
) -> None:
    with pytest.raises(StoreError) as info, wrap_errors(), sessionmaker.begin() as s:
        app = new_application(s)
        s.add(
            Document(
                application_id=app.id,
                document_type="id",
                status="PENDING",
                uploaded_by="ana",
                created_at=NOW,
            )
        )  # no sha256
    assert not isinstance(info.value, Conflict)


def test_other_errors_are_store_errors(sessionmaker: SessionMaker[Session]) -> None:
    with (
        pytest.raises(StoreError, match="no_such_table") as info,
        wrap_errors(),
        sessionmaker.begin() as s,
    ):
        s.execute(text("SELECT * FROM no_such_table"))
    assert info.value.__cause__ is not None


def test_make_sessionmaker_keeps_objects_after_commit(engine: Engine) -> None:
    maker = make_sessionmaker(engine)
    with maker.begin() as s:
        user = User(username="bob", display_name="Bob")
        s.add(user)
    assert user.display_name == "Bob"  # no refresh needed, and no DetachedInstanceError


# --------------------------------------------------------------------------- UTCDateTime


def test_utc_datetime_round_trip(
    sessionmaker: SessionMaker[Session], new_application: NewApplication
) -> None:
    paramaribo = timezone(timedelta(hours=-3))
    local = datetime(2026, 12, 31, 22, 15, 0, 987654, tzinfo=paramaribo)
    with sessionmaker.begin() as s:
        app_id = new_application(s, state_entered_at=local, closed_at=None).id
    with sessionmaker.begin() as s:
        app = s.get_one(Application, app_id)
        assert app.state_entered_at == local
        assert app.state_entered_at.tzinfo is UTC
        assert app.state_entered_at == datetime(2027, 1, 1, 1, 15, 0, 987654, tzinfo=UTC)
        assert app.created_at == NOW and app.created_at.tzinfo is UTC
        assert app.closed_at is None
        # comparisons in SQL go through the type too
        found = s.scalars(
            select(Application.id).where(
                Application.state_entered_at > datetime(2027, 1, 1, 1, 0, tzinfo=UTC),
                Application.state_entered_at < datetime(2026, 12, 31, 23, 0, tzinfo=paramaribo),
            )
        ).all()
        assert found == [app_id]


def test_utc_datetime_refuses_naive_values(
    sessionmaker: SessionMaker[Session], new_application: NewApplication
) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessionmaker.begin() as s:
        new_application(s, state_entered_at=datetime(2026, 1, 1, 12, 0))


def test_default_timestamps_are_aware_utc(sessionmaker: SessionMaker[Session]) -> None:
    with sessionmaker.begin() as s:
        user = User(username="carla")
        s.add(user)
    with sessionmaker.begin() as s:
        stored = s.get_one(User, user.id)
        assert stored.created_at.tzinfo is UTC
        assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=1)
