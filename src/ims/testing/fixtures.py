"""pytest fixtures for plugin authors, loaded in every project that installs ims.

ims registers this module as a pytest plugin (entry point ``pytest11``), so the
fixtures below need no import: a plugin's tests just name them.  It imports
nothing heavy itself (the database layers load when a fixture first runs), so
it costs every other test run nothing.

``ims_config_path``
    The root configuration: ``$IMS_CONFIG``; else the first ``config/ims.yaml``
    found from pytest's root folder (or the current folder) upwards, which in the
    ims repository is the reference deployment; else a small built-in
    configuration (:data:`MINIMAL_CONFIG`, one workflow ``grant``) written to a
    temporary folder.  Override the fixture to test against your own.
``ims_database_url``
    A fresh SQLite file in the test's ``tmp_path``.
``ims_env``
    The environment the configuration is read with: ``os.environ`` plus
    ``IMS_DATA_DIR`` in ``tmp_path`` (documents and keys stay out of your
    project).  Override it to set ``IMS_LANGUAGE`` and the like.
``ims_plugins``
    Plugin objects to register besides the ones ims finds (default: none).
    Return your plugin module here when it is not installed with an entry point;
    one that is already loaded is not registered twice.
``ims_clock``
    A :class:`Clock` the ``IMS`` reads "now" from: 2026-01-05 09:00 UTC until
    you ``advance()`` or ``set()`` it.
``ims_instance``
    An :class:`ims.IMS` on all of the above (migrated, closed after the test).
``make_user``
    ``make_user(username, *roles)`` creates an active user with those roles in
    ``ims_instance`` and returns the username, ready for ``actor=``.

A plugin's ``conftest.py`` typically has just::

    import pytest

    import ims_income


    @pytest.fixture
    def ims_plugins():
        return [ims_income]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ims.facade import IMS

#: The configuration ``ims_config_path`` falls back to outside a deployment:
#: two roles and a small grant workflow with an income field.
MINIMAL_CONFIG = """\
version: 1
settings:
  database_url: sqlite:///ims.db
  data_dir: data
  plugins_dir: null
  language: en
roles:
  roles:
    clerk: {label: {en: Clerk, nl: Medewerker}}
    reviewer: {label: {en: Reviewer, nl: Beoordelaar}}
reference: {}
workflows:
  - name: grant
    label: {en: Grant, nl: Subsidie}
    number_pattern: "GR-{year}-{seq:05d}"
    initial_state: OPEN
    data_schema:
      type: object
      properties:
        applicant:
          type: object
          properties:
            name: {type: string}
            income: {type: number, minimum: 0}
            marital_status: {type: string}
        household_members: {type: array, items: {type: object}}
        requested_amount: {type: number, minimum: 1}
    states:
      OPEN: {label: {en: Open, nl: Open}}
      REVIEW: {label: {en: Review, nl: Beoordeling}}
      APPROVED: {label: {en: Approved, nl: Goedgekeurd}, final: true}
      REJECTED: {label: {en: Rejected, nl: Afgewezen}, final: true, requires: [reason]}
    transitions:
      - {name: submit, from: OPEN, to: REVIEW, roles: [clerk]}
      - {name: approve, from: REVIEW, to: APPROVED, roles: [reviewer]}
      - {name: reject, from: REVIEW, to: REJECTED, roles: [reviewer]}
"""

#: Where :class:`Clock` starts: a Monday morning, fixed so tests replay.
CLOCK_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Clock:
    """A clock a test moves by hand; call it for "now" (an aware UTC datetime)."""

    def __init__(self, start: datetime = CLOCK_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        """Move forward by ``timedelta(**kwargs)`` (``hours=49``); returns the new now."""
        self.now += timedelta(**kwargs)
        return self.now

    def set(self, moment: datetime) -> None:
        if moment.utcoffset() is None:
            raise ValueError("the clock needs an aware datetime (tzinfo=UTC)")
        self.now = moment


def find_config(*starts: Path) -> Path | None:
    """The first ``config/ims.yaml`` in one of ``starts`` or a folder above it."""
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / "config" / "ims.yaml"
            if candidate.is_file():
                return candidate
    return None


@pytest.fixture
def ims_config_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The root configuration: $IMS_CONFIG, a config/ims.yaml above the tests, or MINIMAL_CONFIG."""
    explicit = os.environ.get("IMS_CONFIG")
    if explicit:
        return Path(explicit)
    found = find_config(request.config.rootpath, Path.cwd())
    if found is not None:
        return found
    folder = tmp_path_factory.mktemp("ims-config")
    (folder / "ims.yaml").write_text(MINIMAL_CONFIG, encoding="utf-8")
    return folder / "ims.yaml"


@pytest.fixture
def ims_database_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for this test."""
    return f"sqlite:///{tmp_path / 'ims.db'}"


@pytest.fixture
def ims_env(tmp_path: Path) -> dict[str, str]:
    """The environment settings are read with: os.environ, data in tmp_path."""
    return {**os.environ, "IMS_DATA_DIR": str(tmp_path / "ims-data")}


@pytest.fixture
def ims_plugins() -> list[object]:
    """Extra plugins to register (override: ``return [my_plugin_module]``)."""
    return []


@pytest.fixture
def ims_clock() -> Clock:
    """The clock ``ims_instance`` reads: 2026-01-05 09:00 UTC until advanced."""
    return Clock()


@pytest.fixture
def ims_instance(
    ims_config_path: Path,
    ims_database_url: str,
    ims_env: dict[str, str],
    ims_plugins: list[object],
    ims_clock: Clock,
) -> Iterator[IMS]:
    """An IMS on the configuration and database above, with ``ims_plugins`` registered."""
    from ims.facade import IMS

    instance = IMS.from_config(
        ims_config_path,
        env=ims_env,
        database_url=ims_database_url,
        clock=ims_clock,
        auto_upgrade=True,
        extra_plugins=ims_plugins,
    )
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def make_user(ims_instance: IMS) -> Callable[..., str]:
    """``make_user(username, *roles, **fields)``: an active user in ``ims_instance``; returns its name."""

    def make(username: str, *roles: str, **fields: Any) -> str:
        fields.setdefault("email", f"{username}@example.org")
        return ims_instance.users.create(username, roles=roles, **fields).username

    return make
