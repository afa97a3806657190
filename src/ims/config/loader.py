"""Load a configuration: the root file, the files it names, checks, then the models.

``load()`` reports every problem of every file at once (a :class:`ConfigError`
whose ``issues`` are in file order) or returns a frozen :class:`ImsConfig`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ims.config import semantic
from ims.config.build import BuildFailed, build_config, build_settings, build_workflow
from ims.config.models import ImsConfig, Workflow
from ims.config.validate import SCHEMA_DIR, SCHEMA_NAMES, validate
from ims.config.workflow_checks import Known, check_workflow
from ims.config.yaml_marks import JsonPath, Part, YamlFile, display_path, pointer, read_yaml
from ims.errors import ConfigError, ConfigIssue

log = logging.getLogger(__name__)

#: Where ``resolve_config_path`` looks when given nothing (relative to the working directory).
DEFAULT_LOCATIONS = ("config/ims.yaml", "ims.yaml")


def resolve_config_path(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The root file: ``explicit``, else ``$IMS_CONFIG``, else ``config/ims.yaml`` or ``ims.yaml``.

    A folder stands for the ``ims.yaml`` inside it.

    Raises:
        ConfigError: the file named does not exist, or none of the defaults does.
    """
    env = os.environ if env is None else env
    if explicit:
        return _existing(Path(explicit), None)
    if env.get("IMS_CONFIG"):
        return _existing(Path(env["IMS_CONFIG"]), "named by IMS_CONFIG")
    for candidate in DEFAULT_LOCATIONS:
        if Path(candidate).is_file():
            return Path(candidate)
    looked = " and ".join(DEFAULT_LOCATIONS)
    issue = ConfigIssue(
        DEFAULT_LOCATIONS[0],
        1,
        1,
        "missing-file",
        "",
        f"no configuration file found (looked for {looked} in {os.getcwd()})",
        "pass the root file's path, or set IMS_CONFIG",
    )
    raise ConfigError([issue])


def _existing(path: Path, why: str | None) -> Path:
    if path.is_dir():
        path = path / "ims.yaml"
    if path.is_file():
        return path
    message = "file not found" + (f" ({why})" if why else "")
    raise ConfigError([ConfigIssue(display_path(path), 1, 1, "missing-file", "", message)])


def load(
    path: str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    known_predicates: Iterable[str] | None = None,
) -> ImsConfig:
    """Read, check and build the configuration rooted at ``path``.

    Args:
        path: the root file (``config/ims.yaml``), or a folder holding ``ims.yaml``.
        env: environment for the ``IMS_*`` overrides; default ``os.environ``.
        known_predicates: names of the plugin predicates; ``None`` skips that check.

    Raises:
        ConfigError: with every issue found in every file.
    """
    found = _collect(_existing(Path(path), None), known_predicates)
    config = None
    if not any(i.severity == "error" for i in found.issues):
        config = _build(found, os.environ if env is None else env)
    _raise_on_errors(found.issues, found.order)
    assert config is not None
    return config


def check(
    path: str | os.PathLike[str], *, known_predicates: Iterable[str] | None = None
) -> list[ConfigIssue]:
    """Every issue (errors and warnings) of the configuration at ``path``, without raising."""
    try:
        found = _collect(_existing(Path(path), None), known_predicates)
    except ConfigError as exc:
        return exc.issues
    if not any(i.severity == "error" for i in found.issues):
        _build(found, {})
    return _sorted(found.issues, found.order)


def load_workflow_file(
    path: str | os.PathLike[str], *, known_predicates: Iterable[str] | None = None
) -> Workflow:
    """Read and check one workflow file on its own (roles and reference data unknown).

    Raises:
        ConfigError: with every issue of the file.
    """
    file = read_yaml(_existing(Path(path), None))
    issues = list(file.issues)
    if file.ok:
        errors = validate(Part(file, (), file.data), "workflow")
        issues += errors
        if not errors:
            part = Part(file, (), file.data)
            predicates = None if known_predicates is None else frozenset(known_predicates)
            steps = frozenset(file.data.get("steps", {}))
            schema = file.data.get("data_schema")
            known = Known(steps=steps, predicates=predicates, data_schema=schema)
            check_workflow(part, known, issues)
    _raise_on_errors(issues, {file.display: 0})
    try:
        return build_workflow(Part(file, (), file.data))
    except BuildFailed as exc:
        raise ConfigError(exc.issues) from None


def is_workflow_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` holds a workflow (``states:`` at the top) rather than a root file.

    Decided on the top-level keys, so a workflow file with a YAML error elsewhere is
    still recognised (and its error reported by :func:`load_workflow_file`).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    keys = set(_TOP_LEVEL_KEY.findall(text))
    return bool(keys & {"states", "initial_state", "transitions"}) and "workflows" not in keys


_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:", re.MULTILINE)


def plugins_dir_of(root: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Path | None:
    """The local plugins folder of the root file, read before the full check.

    Plugins register the predicates the full check needs, so this reads only
    ``settings.plugins_dir`` (``IMS_PLUGINS_DIR`` wins); a broken root file gives
    the default and :func:`load` reports its problems afterwards.
    """
    env = os.environ if env is None else env
    file = read_yaml(root)
    data = file.data if file.ok and isinstance(file.data, dict) else {}
    raw = data.get("settings")
    # only plugins_dir: a bad value elsewhere in settings is for load() to report, with its line
    wanted = {"plugins_dir": raw["plugins_dir"]} if isinstance(raw, dict) and "plugins_dir" in raw else {}
    try:
        settings = build_settings(wanted, file.path.parent, env)
    except ValidationError:
        settings = build_settings({}, file.path.parent, env)
    return None if settings.plugins_dir is None else Path(settings.plugins_dir)


# --------------------------------------------------------------------------- collecting


@dataclass
class _Found:
    root: YamlFile
    parts: semantic.ConfigParts = field(default_factory=semantic.ConfigParts)
    issues: list[ConfigIssue] = field(default_factory=list)
    #: file display name -> position in reading order (issues are sorted by it)
    order: dict[str, int] = field(default_factory=dict)
    files: dict[Path, YamlFile] = field(default_factory=dict)
    #: (file, schema) -> its schema issues, so a file named twice is reported once
    checked: dict[tuple[Path, str], list[ConfigIssue]] = field(default_factory=dict)

    def read(self, path: Path) -> YamlFile:
        absolute = Path(os.path.abspath(path))
        if absolute not in self.files:
            file = read_yaml(absolute)
            self.files[absolute] = file
            self.order.setdefault(file.display, len(self.order))
            self.issues.extend(file.issues)
        return self.files[absolute]


def _collect(path: Path, known_predicates: Iterable[str] | None) -> _Found:
    root = read_yaml(path)
    found = _Found(root, issues=list(root.issues), order={root.display: 0})
    found.files[root.path] = root
    if not root.ok:
        return found
    root_errors = validate(Part(root, (), root.data), "ims")
    found.issues += root_errors
    if not isinstance(root.data, dict):
        return found

    def valid(at: JsonPath) -> bool:
        prefix = pointer(at)
        return not any(i.pointer == prefix or i.pointer.startswith(prefix + "/") for i in root_errors)

    data = root.data
    parts = found.parts
    parts.settings = Part(root, ("settings",), data.get("settings") or {}, valid(("settings",)))
    parts.roles = _part(found, ("roles",), data.get("roles"), "roles", valid)
    parts.reference = _part(found, ("reference",), data.get("reference"), "reference", valid)
    parts.sla = _part(found, ("sla",), data.get("sla"), "sla", valid)
    notifications = data.get("notifications")
    parts.notifications = _part(found, ("notifications",), notifications, "notifications", valid)
    workflows = data.get("workflows")
    for i, value in enumerate(workflows if isinstance(workflows, list) else []):
        part = _part(found, ("workflows", i), value, "workflow", valid)
        if part is not None:
            parts.workflows.append(part)
    found.issues += semantic.check(parts, known_predicates)
    return found


def _part(
    found: _Found, at: JsonPath, value: Any, schema: str, valid: Callable[[JsonPath], bool]
) -> Part | None:
    """The part at ``at`` of the root: inline, or read from the file it names."""
    root = found.root
    if value is None:
        return None
    if not isinstance(value, str):
        return Part(root, at, value, isinstance(value, dict) and valid(at))
    target = root.path.parent / os.path.expanduser(value)
    if not target.is_file():
        message = f"file not found: {value}"
        hint = f"looked for {display_path(target)}; paths are relative to the folder of this file"
        found.issues.append(root.issue(at, "missing-file", message, hint))
        return Part(root, at, None, False)
    file = found.read(target)
    if not file.ok:
        return Part(file, (), None, False)
    if (file.path, schema) not in found.checked:
        found.checked[file.path, schema] = validate(Part(file, (), file.data), schema)
        found.issues += found.checked[file.path, schema]
    return Part(file, (), file.data, not found.checked[file.path, schema])


def _build(found: _Found, env: Mapping[str, str]) -> ImsConfig | None:
    """The models, or ``None`` with the issues of a model that did not build added."""
    try:
        return build_config(found.root, found.parts, env)
    except BuildFailed as exc:
        found.issues += exc.issues
        return None


# --------------------------------------------------------------------------- reporting


def _sorted(issues: list[ConfigIssue], order: Mapping[str, int]) -> list[ConfigIssue]:
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (order.get(i.file, len(order)), i.line, i.column))


def _raise_on_errors(issues: list[ConfigIssue], order: Mapping[str, int]) -> None:
    ordered = _sorted(issues, order)
    if any(i.severity == "error" for i in ordered):
        raise ConfigError(ordered)
    for issue in ordered:
        log.warning("%s", issue.format())


def summary(config: ImsConfig) -> str:
    """One line counting what a configuration defines, e.g. ``1 workflow, 12 states, ...``."""
    workflows = config.workflows.values()
    counts = [
        (len(config.workflows), "workflow"),
        (sum(len(w.states) for w in workflows), "state"),
        (sum(len(w.transitions) for w in workflows), "transition"),
        (sum(len(w.steps) for w in workflows), "step"),
        (len(config.roles.roles), "role"),
        (len(config.roles.permissions), "permission"),
        (len(config.reference.document_types), "document type"),
        (len(config.reference.categories), "reference category"),
        (sum(len(s) for s in config.sla.workflows.values()), "SLA rule"),
    ]
    return ", ".join(f"{n} {_plural(word, n)}" for n, word in counts)


def summary_of_workflow(workflow: Workflow) -> str:
    """One line counting what a workflow defines, e.g. ``workflow bouwsubsidie: 12 states, ...``."""
    counts = [
        (len(workflow.states), "state"),
        (len(workflow.transitions), "transition"),
        (len(workflow.steps), "step"),
    ]
    return f"workflow {workflow.name}: " + ", ".join(f"{n} {_plural(w, n)}" for n, w in counts)


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def export_schemas(directory: str | os.PathLike[str]) -> list[Path]:
    """Copy the JSON Schemas into ``directory`` (created if needed), e.g. for an editor."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_NAMES:
        source = SCHEMA_DIR / f"{name}.schema.json"
        destination = target / source.name
        destination.write_bytes(source.read_bytes())
        written.append(destination)
    return sorted(written)


def config_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files a configuration is read from: the root file and every file it names, in reading order."""
    found = _collect(_existing(Path(path), None), None)
    return list(found.files)
