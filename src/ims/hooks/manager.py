"""Build a plugin manager: hook specs, built-in plugins, entry points, local files.

Order: specs, ``ims.default_plugins``, packages with an ``ims`` entry point
(unless ``IMS_LOAD_PLUGINS`` restricts them: a comma-separated list of
distribution or plugin names, empty = none), every ``*.py`` file in the
plugins directory, then plugin objects the host application passes.  A plugin
that fails to import is reported by name with its error; it is never silently
skipped.  ``IMS_TRACE_PLUGINS=1`` traces hook calls.

Calling hooks one implementation at a time, so a failure names its plugin:

* :func:`call_each` for the ``register_*`` hooks, which run while an
  :class:`ims.IMS` is built: a failing implementation raises
  :class:`PluginLoadError` naming the plugin and its error.
* :func:`call_each_logged` for observers (``after_transition``): a failing
  implementation is logged on the ``ims.hooks`` logger with the plugin's name,
  the others still run, and nothing is raised.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from ims.errors import ImsError
from ims.hooks import specs

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from types import ModuleType

log = logging.getLogger(__name__)
#: Where failures of observer hooks (``after_transition``) are logged.
hooks_log = logging.getLogger("ims.hooks")

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
    plugins_dir: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    extra: Iterable[object] = (),
) -> ImsPluginManager:
    """A fresh manager with every plugin loaded; raises PluginLoadError on a broken plugin.

    ``extra`` are plugin objects (modules, instances) a host application or a test
    passes; one already loaded (through its entry point, say) is not registered twice.
    """
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
    for plugin in extra:
        if not pm.is_registered(plugin):
            pm.register_from(plugin, _name_of(pm, plugin), "passed by the host application")
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
        raise PluginLoadError(f"plugin file {path} failed to load: {type(exc).__name__}: {exc}") from exc
    sys.modules[name] = module
    return module


def _name_of(pm: ImsPluginManager, plugin: object) -> str:
    """A module's name, else the class name (made unique: two instances may be passed)."""
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    unique, n = name, 2
    while pm.has_plugin(unique):
        unique, n = f"{name}-{n}", n + 1
    return unique


def call_each(pm: pluggy.PluginManager, hook_name: str, /, **kwargs: Any) -> list[Any]:
    """Call every implementation of ``hook_name`` in turn; a failure names its plugin.

    For the ``register_*`` hooks.  Implementations run in pluggy's order
    (``tryfirst`` first, then the most recently registered); the non-``None``
    results are returned in that order.

    Raises:
        PluginLoadError: an implementation raised, e.g. ``plugin 'x' failed in
            register_predicates: KeyError: 'limit'``; the original is the ``__cause__``.
    """
    results: list[Any] = []
    for name, caller in _one_by_one(pm, hook_name):
        try:
            _collect(results, caller(**kwargs))
        except Exception as exc:
            raise PluginLoadError(
                f"plugin '{name}' failed in {hook_name}: {type(exc).__name__}: {exc}"
            ) from exc
    return results


def call_each_logged(pm: pluggy.PluginManager, hook_name: str, /, **kwargs: Any) -> list[Any]:
    """Call every implementation of ``hook_name``; log failures, never raise them.

    For observers such as ``after_transition``: an implementation that raises is
    logged (with its traceback) on the ``ims.hooks`` logger as ``plugin 'x'
    failed in after_transition: ...`` and the next one still runs.
    """
    results: list[Any] = []
    for name, caller in _one_by_one(pm, hook_name):
        try:
            _collect(results, caller(**kwargs))
        except Exception as exc:
            hooks_log.exception("plugin '%s' failed in %s: %s: %s", name, hook_name, type(exc).__name__, exc)
    return results


def _collect(results: list[Any], returned: Any) -> None:
    """Add one implementation's result (a list from a normal hook, a value from a firstresult one)."""
    if isinstance(returned, list):
        results.extend(returned)
    elif returned is not None:
        results.append(returned)


def _one_by_one(pm: pluggy.PluginManager, hook_name: str) -> list[tuple[str, pluggy.HookCaller]]:
    """A caller per plain implementation, in call order, each with the plugin's name.

    Each caller leaves out the other plugins' plain implementations but keeps every
    wrapper, so ``wrapper=True`` implementations and ``IMS_TRACE_PLUGINS`` see each
    call as they would see a normal hook call.
    """
    impls = [i for i in getattr(pm.hook, hook_name).get_hookimpls() if not (i.wrapper or i.hookwrapper)]
    plugins = [i.plugin for i in impls]
    callers = []
    for impl in reversed(impls):  # pluggy calls the list from its end
        others = [p for p in plugins if p is not impl.plugin]
        name = pm.get_name(impl.plugin) or impl.plugin_name
        callers.append((name, pm.subset_hook_caller(hook_name, remove_plugins=others)))
    return callers


def describe_plugins(pm: ImsPluginManager) -> list[PluginInfo]:
    """What is loaded, from where, and which hooks each plugin implements."""
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        out.append(PluginInfo(name, pm.sources.get(name, "registered"), hooks))
    return out
