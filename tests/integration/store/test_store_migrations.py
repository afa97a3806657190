"""Migrations: upgrade / downgrade / upgrade on both backends, and no drift from the models."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint, Column, Engine, Integer, MetaData, Table, inspect, text

from ims.errors import StoreError
from ims.store import migrate
from ims.store.base import Base
from ims.store.db import make_engine
from ims.store.migrate import VERSION_TABLE

EXPECTED_TABLES = {
    "users",
    "roles",
    "user_roles",
    "applications",
    "number_sequences",
    "application_steps",
    "workflow_events",
    "tasks",
    "documents",
    "notifications",
    "audit_log",
    "reference_values",
    "state_periods",
    "task_roles",
    "sla_notices",
    "api_keys",
}


def test_metadata_has_the_contract_tables() -> None:
    assert set(Base.metadata.tables) == EXPECTED_TABLES


def test_round_trip_and_no_drift(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.current(engine) is None
        assert not migrate.is_current(engine)

        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert migrate.is_current(engine)
        assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES | {VERSION_TABLE}
        migrate.check(engine)

        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None
        assert set(inspect(engine).get_table_names()) == {VERSION_TABLE}

        migrate.upgrade(engine)
        assert migrate.is_current(engine)
        migrate.check(engine)
        migrate.upgrade(engine)  # a second upgrade is a no-op
        assert migrate.is_current(engine)
    finally:
        engine.dispose()


def test_every_named_index_and_constraint_is_created(engine: Engine) -> None:
    """``alembic check`` does not compare CHECK constraints, so compare names directly."""
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        expected_indexes = {str(i.name) for i in table.indexes}
        actual_indexes = {str(i["name"]) for i in inspector.get_indexes(table.name)}
        assert expected_indexes <= actual_indexes, table.name

        expected_checks = {str(c.name) for c in table.constraints if isinstance(c, CheckConstraint)}
        actual_checks = {str(c["name"]) for c in inspector.get_check_constraints(table.name)}
        assert expected_checks == actual_checks, table.name

        expected_fks = {str(fk.name) for fk in table.foreign_key_constraints}
        actual_fks = {str(fk["name"]) for fk in inspector.get_foreign_keys(table.name)}
        assert expected_fks == actual_fks, table.name


def test_check_ignores_host_application_tables(engine: Engine) -> None:
    host = MetaData()
    Table("host_orders", host, Column("id", Integer, primary_key=True))
    host.create_all(engine)
    migrate.check(engine)


def test_check_reports_drift(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_tasks_status_due_at"))
    with pytest.raises(StoreError, match="models differ from the migrations"):
        migrate.check(engine)


def test_unknown_revision_is_a_store_error(engine: Engine) -> None:
    with pytest.raises(StoreError, match="migration failed"):
        migrate.upgrade(engine, "nonexistent")


def test_alembic_config_points_at_the_package() -> None:
    cfg = migrate.alembic_config("sqlite:///x%20y.db")
    assert cfg.get_main_option("script_location") == str(migrate.MIGRATIONS_DIR)
    assert cfg.get_main_option("sqlalchemy.url") == "sqlite:///x%20y.db"
    assert (migrate.MIGRATIONS_DIR / "script.py.mako").is_file()
    assert migrate.head() == "0005"


def test_db_url_and_engine_are_one_database(db_url: str, engine: Engine) -> None:
    """A test that asks for both gets one database, migrated (whatever the fixture order)."""
    other = make_engine(db_url)
    try:
        assert migrate.is_current(other)
        assert other.url.database == engine.url.database
    finally:
        other.dispose()
