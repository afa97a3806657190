from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from ims.config import (
    check,
    export_schemas,
    is_workflow_file,
    load,
    load_workflow_file,
    plugins_dir_of,
    resolve_config_path,
    summary,
    summary_of_workflow,
)
from ims.config.build import sqlite_url_absolute
from ims.config.models import Notify, OpenStep, OpenTask
from ims.errors import ConfigError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config"
MINIMAL = FIXTURES / "minimal"


def test_minimal_config_builds_the_models() -> None:
    url = "postgresql+psycopg://ims@db/ims"
    config = load(MINIMAL / "ims.yaml", env={"IMS_DATABASE_URL": url})

    assert config.root == str(MINIMAL / "ims.yaml")
    settings = config.settings
    assert settings.database_url == url
    assert settings.data_dir == str(FIXTURES / "var")
    assert settings.plugins_dir == str(MINIMAL / "plugins")  # the default, made absolute
    assert (settings.language, settings.timezone) == ("nl", "UTC")
    assert settings.number_pattern == "APP-{year}-{seq:06d}"

    assert sorted(config.roles.roles) == ["admin", "clerk", "director"]
    assert config.roles.roles["clerk"].description == "Handles applications"
    assert config.roles.roles_with("application.create") == {"admin", "clerk"}

    district = config.reference.categories["district"]
    assert [v.code for v in district.values] == ["paramaribo", "wanica"]
    assert district.active_codes == {"paramaribo"}
    payslip = config.reference.document_types["payslip"]
    assert payslip.required_when_raw == {"field": "applicant.employed", "eq": True}
    assert config.reference.document_types["photo"].photo is True

    sla = config.sla.for_state("demo", "REVIEW")
    assert sla is not None
    assert (sla.hours, sla.warning) == (48, 0.5)
    assert [e.notify for e in sla.escalation] == [("admin",), ("director",)]

    wf = config.workflow("demo")
    assert wf.source == str(MINIMAL / "workflow.yaml")
    assert (wf.version, wf.initial_state, wf.number_pattern) == (2, "DRAFT", "DM-{year}-{seq:04d}")
    assert wf.field_permissions == {"officer": "visit.record"}
    assert wf.steps["visit"].permission == "visit.record"
    assert wf.steps["visit"].data_schema["properties"]["date"]["format"] == "date"
    assert wf.states["REVIEW"].on_enter == (
        OpenStep(step="visit"),
        OpenTask(roles=("clerk",), assignee_field="officer"),
        Notify(template="review", roles=("director",), assignee=True),
    )
    assert wf.hold_states == {"ON_HOLD"}
    assert wf.final_states == {"APPROVED", "REJECTED"}
    assert wf.states["REJECTED"].requires == ("reason",)
    by_name = {t.name: t for t in wf.transitions}
    assert by_name["submit"].from_states == ("DRAFT",)
    assert by_name["reject"].from_states == ("DRAFT", "REVIEW")
    assert by_name["resume"].to == "@previous"
    assert by_name["approve"].effects == (Notify(applicant=True),)
    assert wf.sources_of(by_name["hold"]) == {"DRAFT", "REVIEW"}
    assert by_name["submit"].when is not None  # compiles with ims.rules
    assert config.plugins == {"ims-demo": {"greeting": "hello"}}


def test_relative_paths_are_relative_to_the_root_file() -> None:
    settings = load(MINIMAL / "ims.yaml", env={}).settings
    assert settings.database_url == f"sqlite:///{FIXTURES / 'var' / 'test.db'}"


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "IMS_DATABASE_URL": "sqlite:///local.db",
        "IMS_DATA_DIR": "data",
        "IMS_PLUGINS_DIR": "/opt/plugins",
        "IMS_LANGUAGE": "en",
    }
    settings = load(MINIMAL / "ims.yaml", env=env).settings
    # paths from the environment are relative to the working directory
    assert settings.database_url == f"sqlite:///{tmp_path / 'local.db'}"
    assert settings.data_dir == str(tmp_path / "data")
    assert settings.plugins_dir == "/opt/plugins"
    assert settings.language == "en"


def test_environment_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMS_LANGUAGE", "en")
    monkeypatch.setenv("IMS_DATABASE_URL", "sqlite:///:memory:")
    settings = load(MINIMAL / "ims.yaml").settings
    assert (settings.language, settings.database_url) == ("en", "sqlite:///:memory:")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///var/ims.db", "sqlite:////base/var/ims.db"),
        ("sqlite:///../var/ims.db?timeout=5", "sqlite:////var/ims.db?timeout=5"),
        ("sqlite+pysqlite:///x.db", "sqlite+pysqlite:////base/x.db"),
        ("sqlite:////abs/ims.db", "sqlite:////abs/ims.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///file:x.db?mode=ro&uri=true", "sqlite:///file:x.db?mode=ro&uri=true"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_sqlite_url_absolute(url: str, expected: str) -> None:
    assert sqlite_url_absolute(url, Path("/base")) == expected


def test_resolve_config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        resolve_config_path(None, env={})
    assert str(info.value) == (
        "config/ims.yaml:1:1: error[missing-file]: /: no configuration file found"
        f" (looked for config/ims.yaml and ims.yaml in {tmp_path})\n"
        "  hint: pass the root file's path, or set IMS_CONFIG\n"
        "1 error in 1 file"
    )
    (tmp_path / "ims.yaml").write_text("version: 1\n")
    assert resolve_config_path(None, env={}) == Path("ims.yaml")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "ims.yaml").write_text("version: 1\n")
    assert resolve_config_path(None, env={}) == Path("config/ims.yaml")
    other = tmp_path / "other.yaml"
    other.write_text("version: 1\n")
    assert resolve_config_path(None, env={"IMS_CONFIG": str(other)}) == other
    assert resolve_config_path("ims.yaml", env={"IMS_CONFIG": str(other)}) == Path("ims.yaml")
    assert resolve_config_path("config", env={}) == Path("config/ims.yaml")
    with pytest.raises(ConfigError) as info:
        resolve_config_path(None, env={"IMS_CONFIG": "gone.yaml"})
    assert info.value.issues[0].format() == (
        "gone.yaml:1:1: error[missing-file]: /: file not found (named by IMS_CONFIG)"
    )


def test_missing_root_file(fixtures: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load("nope.yaml")
    assert str(info.value) == ("nope.yaml:1:1: error[missing-file]: /: file not found\n1 error in 1 file")


def test_load_workflow_file_alone(fixtures: Path) -> None:
    workflow = load_workflow_file("minimal/workflow.yaml")
    assert workflow.name == "demo"
    # roles and reference data are unknown on their own: not checked
    assert load_workflow_file("bad_unknown_role.yaml").name == "demo"
    with pytest.raises(ConfigError) as info:
        load_workflow_file("bad_unknown_state.yaml")
    assert [i.code for i in info.value.issues] == ["unknown-state", "unknown-state"]


def test_check_returns_issues_without_raising(fixtures: Path) -> None:
    assert check("minimal/ims.yaml") == []
    issues = check("bad_sla/ims.yaml")
    assert [i.code for i in issues] == [
        "unknown-role",
        "unknown-state",
        "sla-final-state",
        "unknown-workflow",
    ]
    assert [i.code for i in check("absent/ims.yaml")] == ["missing-file"]


def test_summary() -> None:
    assert summary(load(MINIMAL / "ims.yaml", env={})) == (
        "1 workflow, 5 states, 5 transitions, 1 step, 3 roles, 2 permissions,"
        " 3 document types, 1 reference category, 2 SLA rules"
    )


def test_export_schemas(tmp_path: Path) -> None:
    written = export_schemas(tmp_path / "schemas")
    assert [p.name for p in written] == [
        "condition.schema.json",
        "ims.schema.json",
        "notifications.schema.json",
        "reference.schema.json",
        "roles.schema.json",
        "sla.schema.json",
        "workflow.schema.json",
    ]
    for path in written:
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_a_file_named_twice_is_reported_once(tmp_path: Path) -> None:
    root = tmp_path / "ims.yaml"
    bad = FIXTURES / "bad_type.yaml"
    root.write_text(f"version: 1\nworkflows: [{bad}, {bad}]\n")
    with pytest.raises(ConfigError) as info:
        load(root, env={})
    assert [i.code for i in info.value.issues] == ["schema", "schema"]


def test_issue_paths_are_absolute_outside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    with pytest.raises(ConfigError) as info:
        load_workflow_file(FIXTURES / "bad_initial_state.yaml")
    assert info.value.issues[0].file == os.fspath(FIXTURES / "bad_initial_state.yaml")


def test_is_workflow_file(fixtures: Path, tmp_path: Path) -> None:
    assert is_workflow_file("minimal/workflow.yaml")
    assert is_workflow_file("bad_syntax.yaml")  # recognised despite its YAML error
    assert not is_workflow_file("minimal/ims.yaml")
    assert not is_workflow_file("minimal/roles.yaml")
    assert not is_workflow_file("absent.yaml")


def test_plugins_dir_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert plugins_dir_of(MINIMAL / "ims.yaml", env={}) == MINIMAL / "plugins"
    assert plugins_dir_of(MINIMAL / "ims.yaml", env={"IMS_PLUGINS_DIR": "p"}) == tmp_path / "p"
    root = tmp_path / "ims.yaml"
    root.write_text("version: 1\nsettings: {plugins_dir: null}\n")
    assert plugins_dir_of(root, env={}) is None
    root.write_text("version: [1\n")  # broken: the default; load() reports the error
    assert plugins_dir_of(root, env={}) == tmp_path / "plugins"


def test_summary_of_workflow() -> None:
    workflow = load(MINIMAL / "ims.yaml", env={}).workflow("demo")
    assert summary_of_workflow(workflow) == "workflow demo: 5 states, 5 transitions, 1 step"
