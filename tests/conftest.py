"""Shared fixtures.

Database fixtures
-----------------
Every test that uses them runs once per backend: ``sqlite`` always, ``postgresql`` only
when ``IMS_TEST_DATABASE_URL`` is set (those runs carry the ``postgres`` marker, so
``-m "not postgres"`` skips them).  Each test gets its own, fresh database:

``db_backend``
    ``"sqlite"`` or ``"postgresql"`` (the parameter).
``db_url``
    The URL of this test's database.  It is empty (never migrated), unless the test
    also uses ``engine`` or ``migrated_db_url``, which migrate it to head.
``migrated_db_url``
    The same URL, the database migrated to head (for code that makes its own engine).
``engine``
    :func:`ims.store.db.make_engine` on that database, migrated to head; disposed after.
``sessionmaker``
    :func:`ims.store.db.make_sessionmaker` on ``engine``.

How databases are made:

* SQLite: a file in the test's ``tmp_path``; ``engine`` runs the migrations (~30 ms).
* PostgreSQL: ``CREATE DATABASE ims_t_<random>`` on the server named by
  ``IMS_TEST_DATABASE_URL`` (the user needs CREATEDB), dropped ``WITH (FORCE)`` after the
  test.  An ``engine``-only test clones a template database migrated once per session
  (``ims_tpl_<random>``; ~40 ms instead of ~200 ms for create + migrate).  A test that
  asks for ``db_url`` first gets an empty database from ``template0``.

Full isolation (no shared rows, no rolled-back outer transaction) is deliberate: tests
of concurrency, commits and migrations need real transactions of their own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as SessionMaker

from ims.store import migrate
from ims.store.db import make_engine, make_sessionmaker

PG_URL_ENV = "IMS_TEST_DATABASE_URL"

_BACKENDS = [pytest.param("sqlite", id="sqlite")]
if os.environ.get(PG_URL_ENV):
    _BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


def pytest_report_header() -> str:
    if os.environ.get(PG_URL_ENV):
        url = make_url(os.environ[PG_URL_ENV]).render_as_string(hide_password=True)
        return f"ims databases: sqlite, postgresql ({url})"
    return f"ims databases: sqlite only (set {PG_URL_ENV} to also run on PostgreSQL)"


class _PgServer:
    """Creates and drops per-test databases on the PostgreSQL server under test."""

    def __init__(self, url: str) -> None:
        self.base = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self._template: str | None = None

    def url_for(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, *, migrated: bool) -> str:
        name = f"ims_t_{uuid.uuid4().hex[:12]}"
        template = self.template() if migrated else "template0"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def template(self) -> str:
        if self._template is None:
            name = f"ims_tpl_{uuid.uuid4().hex[:12]}"
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
            self._template = name
            engine = make_engine(self.url_for(name))
            try:
                migrate.upgrade(engine)
            finally:
                engine.dispose()  # a template must have no open connections
        return self._template

    def close(self) -> None:
        if self._template is not None:
            self.drop(self._template)
        self.admin.dispose()


class _TestDatabase:
    """This test's database, made on first use: empty for ``db_url``, migrated for ``engine``."""

    def __init__(self, backend: str, tmp_path: Path, pg: _PgServer | None) -> None:
        self.backend = backend
        self.tmp_path = tmp_path
        self.pg = pg
        self.url: str | None = None
        self.migrated = False
        self._pg_name: str | None = None

    def get_url(self, *, migrated: bool) -> str:
        if self.url is None:
            if self.backend == "sqlite":
                self.url = f"sqlite:///{self.tmp_path / 'ims.db'}"
            else:
                assert self.pg is not None
                self._pg_name = self.pg.create(migrated=migrated)
                self.url = self.pg.url_for(self._pg_name)
                self.migrated = migrated
        return self.url

    def drop(self) -> None:
        if self.pg is not None and self._pg_name is not None:
            self.pg.drop(self._pg_name)


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[_PgServer | None]:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        yield None
        return
    server = _PgServer(url)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(params=_BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgresql"``: the backend this run of the test uses."""
    backend: str = request.param
    return backend


@pytest.fixture
def _test_database(db_backend: str, tmp_path: Path, _pg_server: _PgServer | None) -> Iterator[_TestDatabase]:
    database = _TestDatabase(db_backend, tmp_path, _pg_server)
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
def db_url(_test_database: _TestDatabase) -> str:
    """URL of this test's fresh database: empty, unless the test also uses ``engine``."""
    return _test_database.get_url(migrated=False)


@pytest.fixture
def migrated_db_url(_test_database: _TestDatabase) -> str:
    """URL of this test's database, migrated to head."""
    url = _test_database.get_url(migrated=True)
    if not _test_database.migrated:
        eng = make_engine(url)
        try:
            migrate.upgrade(eng)
        finally:
            eng.dispose()
        _test_database.migrated = True
    return url


@pytest.fixture
def engine(migrated_db_url: str) -> Iterator[Engine]:
    """An engine on this test's database, migrated to head."""
    eng = make_engine(migrated_db_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sessionmaker(engine: Engine) -> SessionMaker[Session]:
    """Sessions on ``engine`` (``expire_on_commit=False``); use ``with sessionmaker.begin()``."""
    return make_sessionmaker(engine)
