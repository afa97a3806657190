"""Configuration: YAML files -> checked, frozen definitions (:class:`ImsConfig`).

``load("config/ims.yaml")`` reads the root file and the files it names, validates
each against its JSON Schema (``ims/schemas/``), runs the semantic checks and
either returns the models or raises :class:`~ims.errors.ConfigError` listing
every issue as ``file:line:col: error[code]: /pointer: message``.
"""

from __future__ import annotations

from ims.config.loader import (
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
from ims.config.models import ImsConfig, Settings, Workflow

__all__ = [
    "ImsConfig",
    "Settings",
    "Workflow",
    "check",
    "export_schemas",
    "is_workflow_file",
    "load",
    "load_workflow_file",
    "plugins_dir_of",
    "resolve_config_path",
    "summary",
    "summary_of_workflow",
]
