"""Every hook spec has a test named ``test_hook_<name>``; plugins load from entry points and files."""

from __future__ import annotations

import inspect
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ims.errors import ConfigError
from ims.hooks import hookimpl, specs
from ims.hooks.manager import PluginLoadError, describe_plugins, make_plugin_manager

PLUGINS = Path(__file__).parent / "plugins"


def test_every_hook_has_a_test() -> None:
    module = sys.modules[__name__]
    for name, fn in inspect.getmembers(specs, inspect.isfunction):
        if hasattr(fn, "ims_spec"):
            assert hasattr(module, f"test_hook_{name}"), f"no test_hook_{name}"


def test_hook_register_predicates(tmp_path: Path) -> None:
    from ims.config import load
    from ims.engine import Actor, Engine, Snapshot

    pm = make_plugin_manager(PLUGINS, env={"IMS_LOAD_PLUGINS": ""})
    found: dict[str, object] = {}
    pm.hook.register_predicates(register=lambda n, f: found.setdefault(n, f), ims=None)
    assert {"income_below", "age_at_least"} <= set(found)

    root = tmp_path / "ims.yaml"
    root.write_text(
        """version: 1
roles: {roles: {clerk: {}}}
reference: {}
workflows:
  - name: grant
    initial_state: OPEN
    states: {OPEN: {}, DONE: {final: true}}
    transitions:
      - name: finish
        from: OPEN
        to: DONE
        when: {predicate: income_below, args: {limit: 1000}}
"""
    )
    with pytest.raises(ConfigError, match="unknown-predicate"):
        load(root, known_predicates={"age_at_least"})
    config = load(root, known_predicates=set(found))
    engine = Engine(config, found)  # type: ignore[arg-type]
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def snap(income: int) -> Snapshot:
        return Snapshot(
            workflow="grant",
            state="OPEN",
            previous_state=None,
            data={"applicant": {"income": income}},
            documents=(),
            steps={},
            state_entered_at=now,
        )

    clerk = Actor("c", frozenset({"clerk"}))
    assert engine.decide(snap(900), clerk, "finish", now=now).allowed
    refused = engine.decide(snap(1500), clerk, "finish", now=now)
    assert refused.reasons == ["household income must be at most 1000 (is 1500)"]


def test_plugins_report_where_they_come_from() -> None:
    pm = make_plugin_manager(PLUGINS, env={"IMS_LOAD_PLUGINS": ""})
    info = {p.name: p for p in describe_plugins(pm)}
    assert info["ims.default_plugins.predicates"].source == "built in"
    local = info["age_and_income"]
    assert local.source.startswith("file ")
    assert local.hooks == ("register_predicates",)


def test_a_broken_plugin_file_is_reported_by_name(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import does_not_exist\n")
    with pytest.raises(PluginLoadError, match=r"broken\.py failed to load: ModuleNotFoundError"):
        make_plugin_manager(tmp_path, env={"IMS_LOAD_PLUGINS": ""})


def test_registered_class_plugins_are_found() -> None:
    pm = make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": ""})

    class Extra:
        @hookimpl
        def register_predicates(self, register):  # type: ignore[no-untyped-def]
            register("always", lambda ctx, args: None)

    pm.register(Extra(), name="extra")
    try:
        names: list[str] = []
        pm.hook.register_predicates(register=lambda n, f: names.append(n), ims=None)
        assert "always" in names
    finally:
        pm.unregister(name="extra")
