"""Pick the document store a deployment uses, from the stores plugins register.

``settings.document_store`` names it (default ``filesystem``); its options come from
``settings.document_stores.<name>``.  Plugins register store factories through the
``register_document_stores`` hook; a later registration of a name replaces an earlier
one, and the built-in store registers first, so a plugin can replace it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ims.errors import ConfigError, ConfigIssue
from ims.hooks.manager import call_each
from ims.hooks.protocols import DocumentStore

if TYPE_CHECKING:
    from ims.facade import IMS

StoreFactory = Callable[[Mapping[str, Any]], DocumentStore]


def store_factories(ims: IMS) -> dict[str, StoreFactory]:
    """Every registered store factory by name."""
    factories: dict[str, StoreFactory] = {}

    def register(name: str, factory: StoreFactory) -> None:
        factories[name] = factory

    call_each(ims.plugins, "register_document_stores", register=register, ims=ims)
    return factories


def open_document_store(ims: IMS) -> DocumentStore:
    """The configured store, built from its options.

    Raises:
        ConfigError: no plugin registers the store named, or its factory refused
            the options.
    """
    settings = ims.config.settings
    name = settings.document_store
    factories = store_factories(ims)
    factory = factories.get(name)
    if factory is None:
        known = ", ".join(sorted(factories)) or "none"
        raise _config_error(
            ims,
            "/settings/document_store",
            "unknown-document-store",
            f"no plugin provides the document store '{name}' (known: {known})",
            "install the plugin that provides it, or put its .py file in the plugins folder",
        )
    options = settings.document_stores.get(name, {})
    try:
        store = factory(options)
    except (ValueError, TypeError) as exc:
        raise _config_error(
            ims, f"/settings/document_stores/{name}", "bad-store-options", str(exc), None
        ) from exc
    if not isinstance(store, DocumentStore):
        raise TypeError(f"the factory of document store '{name}' returned {store!r}, not a DocumentStore")
    return store


def _config_error(ims: IMS, pointer: str, code: str, message: str, hint: str | None) -> ConfigError:
    return ConfigError([ConfigIssue(ims.config.root, 1, 1, code, pointer, message, hint)])
