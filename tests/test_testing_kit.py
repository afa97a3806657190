"""The plugin author's kit: the ims.testing fixtures, used here as a plugin's own tests use them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import ims.testing.fixtures as kit
from ims import IMS, hookimpl
from ims.config import load
from ims.testing.fixtures import MINIMAL_CONFIG, Clock, find_config

REPO = Path(__file__).resolve().parents[1]


class KitPlugin:
    """The "plugin under test" of this module."""

    @hookimpl
    def register_predicates(self, register: Callable[[str, Any], None]) -> None:
        register("kit_income_known", kit_income_known)


def kit_income_known(ctx: Any, args: Mapping[str, Any]) -> str | None:
    return None if "income" in (ctx.snapshot.data.get("applicant") or {}) else "income unknown"


@pytest.fixture
def ims_plugins() -> list[object]:
    return [KitPlugin()]


def test_the_fixtures_are_a_pytest_plugin(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.get_plugin("ims") is kit


def test_ims_instance_runs_the_plugin_under_test(
    ims_instance: IMS, ims_config_path: Path, make_user: Callable[..., str], ims_clock: Clock
) -> None:
    assert ims_config_path == REPO / "config" / "ims.yaml"  # found above the tests
    assert "kit_income_known" in ims_instance.runtime.engine.predicates
    assert ims_instance.plugins.has_plugin("KitPlugin")
    fenna = make_user("fenna", "front_office")
    assert ims_instance.identity.resolve({"type": "user", "username": fenna}).roles == {"front_office"}
    first = ims_instance.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "A", "last_name": "B"}}, actor=fenna
    )
    assert first.created_at == kit.CLOCK_START
    ims_clock.advance(hours=49)
    second = ims_instance.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "C", "last_name": "D"}}, actor=fenna
    )
    assert second.created_at == datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


def test_data_stays_in_tmp_path(ims_instance: IMS, tmp_path: Path, ims_database_url: str) -> None:
    assert Path(ims_instance.config.settings.data_dir) == tmp_path / "ims-data"
    assert ims_database_url == f"sqlite:///{tmp_path / 'ims.db'}"


def test_clock_refuses_naive_times() -> None:
    clock = Clock()
    with pytest.raises(ValueError, match="aware"):
        clock.set(datetime(2026, 1, 1))
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock() == datetime(2027, 1, 1, tzinfo=UTC)


def test_find_config_looks_upwards(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "ims.yaml").write_text(MINIMAL_CONFIG)
    assert find_config(deep) == tmp_path / "config" / "ims.yaml"


def test_the_minimal_configuration_runs(tmp_path: Path) -> None:
    root = tmp_path / "ims.yaml"
    root.write_text(MINIMAL_CONFIG)
    assert list(load(root).workflows) == ["grant"]
    with IMS.from_config(
        root, env={"IMS_LOAD_PLUGINS": ""}, database_url=f"sqlite:///{tmp_path / 'db'}"
    ) as ims:
        ims.users.create("clara", roles=["clerk"])
        ims.users.create("rob", roles=["reviewer"])
        number = ims.applications.create("grant", {"applicant": {"name": "Ana"}}, actor="clara").number
        ims.workflow.transition(number, "submit", actor="clara")
        assert ims.workflow.transition(number, "approve", actor="rob").to_state == "APPROVED"


def test_importing_the_fixtures_is_light() -> None:
    """The module is loaded into every pytest run of every project that installs ims."""
    code = (
        "import sys, ims.testing.fixtures\n"
        "heavy = {'sqlalchemy', 'alembic', 'jsonschema', 'pydantic', 'yaml', 'rich', 'apprise', 'PIL'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
