"""The facade a host application sees: ``IMS.from_config(path)``.

It wires configuration, plugins, the engine and the database into the
services and holds no logic of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ims.errors import StoreError

if TYPE_CHECKING:
    from ims.config.models import ImsConfig
    from ims.hooks.manager import ImsPluginManager
    from ims.rules import Predicate


class IMS:
    """One configured ims: services over one database.

    Attributes: ``applications``, ``workflow``, ``steps``, ``documents``,
    ``tasks``, ``notifications`` (the in-app inbox), ``outbox`` (delivery through
    the other channels), ``users``, ``reference``, ``audit``, ``reports``,
    ``identity``, ``dashboard``, ``sla`` (the SLA sweep), ``backup`` (archives and ``verify``),
    ``api_keys`` (keys of service accounts), ``health`` (the checks of ``ims health`` and
    ``/health/ready``), ``config`` (the loaded, validated configuration) and
    ``plugins`` (the plugin manager).
    """

    def __init__(
        self,
        config: ImsConfig,
        *,
        plugins: ImsPluginManager,
        predicates: Mapping[str, Predicate],
        database_url: str | None = None,
        clock: Callable[[], datetime] | None = None,
        auto_upgrade: bool | None = None,
    ) -> None:
        from ims import services
        from ims.documents import open_document_store
        from ims.engine import Engine
        from ims.services.api_keys import ApiKeyService
        from ims.services.dashboard import DashboardService
        from ims.services.health import HealthService
        from ims.services.identity import IdentityService
        from ims.services.outbox import OutboxService, collect_channels
        from ims.services.reports import ReportService
        from ims.services.sla import SlaService
        from ims.store import migrate
        from ims.store.db import database_kind, make_engine, make_sessionmaker

        self.config = config
        self.plugins = plugins
        document_store = open_document_store(self)  # before the database: a bad store leaks nothing
        self.reports = ReportService(plugins, self)  # likewise a broken report plugin
        channels = collect_channels(plugins, self, config.notifications.channel_settings())  # and channels
        url = database_url or config.settings.database_url
        self.db = make_engine(url)
        kind = database_kind(self.db)
        if auto_upgrade is None:
            auto_upgrade = kind == "sqlite"
        if not migrate.is_current(self.db):
            if not auto_upgrade:
                raise StoreError(
                    f"the database at {self.db.url.render_as_string(hide_password=True)} is at revision "
                    f"{migrate.current(self.db) or 'none'}, not {migrate.head()}: run `ims db upgrade`"
                )
            migrate.upgrade(self.db)
        runtime = services.Runtime(
            config=config,
            engine=Engine(config, predicates),
            db=self.db,
            sessions=make_sessionmaker(self.db),
            plugins=plugins,
            clock=clock or services.utcnow,
            ims=self,
        )
        self.runtime = runtime
        self.applications = services.ApplicationService(runtime)
        self.workflow = services.WorkflowService(runtime)
        self.steps = services.StepService(runtime)
        self.documents = services.DocumentService(runtime, document_store)
        self.tasks = services.TaskService(runtime)
        self.notifications = services.NotificationService(runtime)
        self.users = services.UserService(runtime)
        self.reference = services.ReferenceService(runtime)
        self.audit = services.AuditService(runtime)
        self.identity = IdentityService(runtime)
        self.outbox = OutboxService(runtime, channels)
        self.dashboard = DashboardService(runtime)
        self.sla = SlaService(runtime)
        from ims.backup import BackupService

        self.backup = BackupService(self)
        self.api_keys = ApiKeyService(runtime)
        self.health = HealthService(self)
        if auto_upgrade:
            self.reference.sync()

    @classmethod
    def from_config(
        cls,
        path: str | Path | None = None,
        *,
        env: Mapping[str, str] | None = None,
        database_url: str | None = None,
        clock: Callable[[], datetime] | None = None,
        auto_upgrade: bool | None = None,
        extra_plugins: Iterable[object] = (),
    ) -> IMS:
        """Load and check the configuration, load plugins, open the database.

        ``path`` defaults to ``$IMS_CONFIG``, then ``./config/ims.yaml``.  An
        embedded SQLite database is created and migrated on first use; a
        PostgreSQL database must be migrated with ``ims db upgrade`` first
        (``auto_upgrade=True`` does it here).  ``clock`` returns "now" (UTC)
        and exists for tests and replays.  ``extra_plugins`` are plugin objects
        (modules, instances with ``@hookimpl`` methods) registered after the ones
        found, e.g. a host application's own ``resolve_actor``.
        """
        config, plugins, predicates = load_everything(path, env=env, extra_plugins=extra_plugins)
        return cls(
            config,
            plugins=plugins,
            predicates=predicates,
            database_url=database_url,
            clock=clock,
            auto_upgrade=auto_upgrade,
        )

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> IMS:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_everything(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    extra_plugins: Iterable[object] = (),
) -> tuple[ImsConfig, ImsPluginManager, dict[str, Predicate]]:
    """Configuration, plugins and their predicates — what ``ims check`` and ``IMS`` both need.

    The plugins directory is read from the root file's settings before the full
    check, so rules may name predicates that local plugins register.  A plugin
    whose ``register_predicates`` fails raises ``PluginLoadError`` naming it.
    """
    import os

    from ims import config as config_mod
    from ims.hooks.manager import call_each, make_plugin_manager

    env = os.environ if env is None else env
    root = config_mod.resolve_config_path(str(path) if path is not None else None, env)
    plugins = make_plugin_manager(config_mod.plugins_dir_of(root, env), env=env, extra=extra_plugins)
    predicates: dict[str, Predicate] = {}

    def register(name: str, fn: Predicate) -> None:
        predicates[name] = fn

    call_each(plugins, "register_predicates", register=register, ims=None)
    config = config_mod.load(root, env=env, known_predicates=set(predicates))
    return config, plugins, predicates
