"""Build a plugin manager: hook specs, built-in plugins, entry points, local files.

Order: specs, ``ims.default_plugins``, packages with an ``ims`` entry point
(unless ``IMS_LOAD_PLUGINS`` restricts them: a comma-separated list of
distribution or plugin names, empty = none), then every ``*.py`` file in the
plugins directory.  A plugin that fails to import is reported by name with its
error; it is never silently skipped.  ``IMS_TRACE_PLUGINS=1`` traces hook calls.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

from ims.errors import ImsError
from ims.hooks import specs

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import ModuleType

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ims"


class PluginLoadError(ImsError):
    """A plugin could not be imported or registered."""

    code = "plugin-load-failed"


class ImsPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("ims")
        self.sources: dict[str, str] = {}

    def register_from(self, plugin: object, name: str, source: str) -> None:
        self.register(plugin, name=name)
        self.sources[name] = source


@dataclass(frozen=True)
class PluginInfo:
    name: str
    source: str
    hooks: tuple[str, ...]


def make_plugin_manager(
    plugins_dir: str | Path | None = None, *, env: Mapping[str, str] | None = None
) -> ImsPluginManager:
    """A fresh manager with every plugin loaded; raises PluginLoadError on a broken plugin."""
    env = os.environ if env is None else env
    pm = ImsPluginManager()
    pm.add_hookspecs(specs)
    from ims import default_plugins

    for module in default_plugins.MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        pm.register_from(module, f"ims.default_plugins.{short}", "built in")
    _load_entry_points(pm, env.get("IMS_LOAD_PLUGINS"))
    if plugins_dir is not None:
        _load_directory(pm, Path(plugins_dir))
    pm.check_pending()
    if env.get("IMS_TRACE_PLUGINS") == "1":
        pm.trace.root.setwriter(lambda text: sys.stderr.write(text))
        pm.enable_tracing()
    return pm


def _load_entry_points(pm: ImsPluginManager, only: str | None) -> None:
    wanted = None if only is None else {n.strip() for n in only.split(",") if n.strip()}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist.name if ep.dist else ""
        if wanted is not None and ep.name not in wanted and dist not in wanted:
            continue
        if pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # report any import failure by plugin name
            raise PluginLoadError(
                f"plugin '{ep.name}' (entry point {ep.value} from {dist or 'unknown'}) "
                f"failed to load: {type(exc).__name__}: {exc}"
            ) from exc
        pm.register_from(plugin, ep.name, f"entry point {ep.value} ({dist})")


def _load_directory(pm: ImsPluginManager, directory: Path) -> None:
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"ims_local_plugin_{path.stem}"
        module = _import_file(name, path)
        pm.register_from(module, path.stem, f"file {path}")


def _import_file(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginLoadError(f"plugin file {path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PluginLoadError(
            f"plugin file {path} failed to load: {type(exc).__name__}: {exc}"
        ) from exc
    sys.modules[name] = module
    return module


def describe_plugins(pm: ImsPluginManager) -> list[PluginInfo]:
    """What is loaded, from where, and which hooks each plugin implements."""
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        out.append(PluginInfo(name, pm.sources.get(name, "registered"), hooks))
    return out
