"""Build the frozen models from checked configuration data.

Runs after the schema and semantic checks passed: it normalises the YAML forms
(effects to their ``kind`` form, ``from`` to a tuple), applies the ``IMS_*``
environment overrides, makes relative paths absolute, and compiles every
condition once so a loaded configuration never fails later.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ims.config.models import (
    ApiSettings,
    ImsConfig,
    NotificationsConfig,
    ReferenceConfig,
    RolesConfig,
    Settings,
    SlaConfig,
    Workflow,
)
from ims.config.notification_checks import resolve_env
from ims.config.semantic import ConfigParts
from ims.config.yaml_marks import JsonPath, Part, YamlFile
from ims.errors import ConfigIssue, RuleError

#: Environment variables overriding settings of the root file.
ENV_SETTINGS = {
    "IMS_DATABASE_URL": "database_url",
    "IMS_DATA_DIR": "data_dir",
    "IMS_PLUGINS_DIR": "plugins_dir",
    "IMS_LANGUAGE": "language",
    "IMS_SECRET_KEY": "secret_key",
}


class BuildFailed(Exception):
    """Issues found while building the models."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        super().__init__(issues)
        self.issues = issues


def build_config(root: YamlFile, parts: ConfigParts, env: Mapping[str, str]) -> ImsConfig:
    """The models of a checked configuration.

    Raises:
        BuildFailed: a model rejected its data (the schema and the models disagree),
            or a condition does not compile.
    """
    settings = build_settings(parts.settings.data if parts.settings else {}, root.path.parent, env)
    return ImsConfig(
        root=str(root.path),
        settings=settings,
        roles=_roles(parts.roles),
        reference=_reference(parts.reference),
        sla=_model(parts.sla, SlaConfig, parts.sla.data if parts.sla else {}),
        workflows={w.name: w for w in (build_workflow(p) for p in parts.workflows)},
        plugins=root.data.get("plugins") or {},
        notifications=_notifications(parts.notifications, env),
    )


def _notifications(part: Part | None, env: Mapping[str, str]) -> NotificationsConfig:
    """The notifications models, ``{env:...}`` in channel settings resolved."""
    if part is None:
        return NotificationsConfig()
    missing: list[ConfigIssue] = []
    channels = resolve_env(part, part.data.get("channels") or {}, env, ("channels",), missing)
    if missing:
        raise BuildFailed(missing)
    return _model(part, NotificationsConfig, {**part.data, "channels": channels})  # type: ignore[no-any-return]


def _model(part: Part | None, cls: type[Any], data: Any) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        if part is None:
            raise
        issues = [part.issue(tuple(e["loc"]), "model", e["msg"]) for e in exc.errors(include_url=False)]
        raise BuildFailed(issues) from None


def build_settings(raw: Mapping[str, Any], root_dir: Path, env: Mapping[str, str]) -> Settings:
    """Settings with ``IMS_*`` overrides; relative paths made absolute.

    Paths from the file are relative to its folder; paths from the environment
    to the working directory (where the variable was set).
    """
    values = dict(raw)
    from_env = set()
    for var, key in ENV_SETTINGS.items():
        if env.get(var):
            values[key] = env[var]
            from_env.add(key)
    settings = Settings.model_validate(values)

    def base(key: str) -> Path:
        return Path.cwd() if key in from_env else root_dir

    plugins_dir = settings.plugins_dir
    return settings.model_copy(
        update={
            "database_url": sqlite_url_absolute(settings.database_url, base("database_url")),
            "data_dir": _absolute(settings.data_dir, base("data_dir")),
            "plugins_dir": None if plugins_dir is None else _absolute(plugins_dir, base("plugins_dir")),
            "api": _api_paths_absolute(settings.api, root_dir),
        }
    )


def _api_paths_absolute(api: ApiSettings, root_dir: Path) -> ApiSettings:
    """``api.jwt.public_keys`` that are file paths, made absolute (inline PEM keys stay)."""
    keys = tuple(
        k if k.lstrip().startswith("-----BEGIN") else _absolute(k, root_dir) for k in api.jwt.public_keys
    )
    return api.model_copy(update={"jwt": api.jwt.model_copy(update={"public_keys": keys})})


def _absolute(path: str, base: Path) -> str:
    return os.path.normpath(os.path.join(base, os.path.expanduser(path)))


_SQLITE = re.compile(r"^(sqlite(?:\+\w+)?):///(.*)$", re.DOTALL)


def sqlite_url_absolute(url: str, base: Path) -> str:
    """``sqlite:///var/ims.db`` -> ``sqlite:////abs/base/var/ims.db``; other URLs unchanged.

    In-memory databases (``sqlite://``, ``sqlite:///:memory:``) and ``file:`` URIs stay.
    """
    match = _SQLITE.match(url)
    if match is None:
        return url
    scheme, rest = match.groups()
    path, sep, query = rest.partition("?")
    if path in ("", ":memory:") or path.startswith("file:"):
        return url
    path = os.path.expanduser(path)
    if os.path.isabs(path):
        return f"{scheme}:///{path}{sep}{query}"
    return f"{scheme}:///{_absolute(path, base)}{sep}{query}"


def _roles(part: Part | None) -> RolesConfig:
    data = part.data if part else {"roles": {}}
    roles = {name: {"name": name, **(role or {})} for name, role in data.get("roles", {}).items()}
    return _model(part, RolesConfig, {**data, "roles": roles})  # type: ignore[no-any-return]


def _reference(part: Part | None) -> ReferenceConfig:
    data = part.data if part else {}
    categories = {n: {"name": n, **c} for n, c in data.get("categories", {}).items()}
    documents = {code: {"code": code, **d} for code, d in data.get("document_types", {}).items()}
    reference: ReferenceConfig = _model(
        part, ReferenceConfig, {"categories": categories, "document_types": documents}
    )
    failed: list[ConfigIssue] = []
    for code, doc in reference.document_types.items():
        _compile(part, ("document_types", code, "required_when"), lambda d=doc: d.required_when, failed)
    if failed:
        raise BuildFailed(failed)
    return reference


def build_workflow(part: Part) -> Workflow:
    data = dict(part.data)
    data["states"] = {
        name: {"name": name, **state, "on_enter": [_effect(e) for e in state.get("on_enter", [])]}
        for name, state in data["states"].items()
    }
    data["steps"] = {name: {"name": name, **step} for name, step in data.get("steps", {}).items()}
    data["transitions"] = [
        {
            **t,
            "from": (t["from"],) if isinstance(t["from"], str) else tuple(t["from"]),
            "effects": [_effect(e) for e in t.get("effects", [])],
        }
        for t in data.get("transitions", [])
    ]
    data["source"] = str(part.file.path)
    workflow: Workflow = _model(part, Workflow, data)
    failed: list[ConfigIssue] = []
    for i, t in enumerate(workflow.transitions):
        _compile(part, ("transitions", i, "when"), lambda t=t: t.when, failed)
    if failed:
        raise BuildFailed(failed)
    return workflow


def _effect(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``{open_step: x}`` -> ``{"kind": "open_step", "step": x}``, and so on."""
    ((kind, value),) = raw.items()
    if kind == "open_step":
        return {"kind": kind, "step": value}
    return {"kind": kind, **(value or {})}


def _compile(part: Part | None, path: JsonPath, get: Any, out: list[ConfigIssue]) -> None:
    """Compile a condition now (not on first use), reporting a :class:`RuleError` as an issue."""
    try:
        get()
    except RuleError as exc:
        if part is None:
            raise
        out.append(part.issue(path, "bad-condition", str(exc)))
