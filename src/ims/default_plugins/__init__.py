"""Built-in behaviour, written as ordinary plugins and registered like third-party ones."""

from __future__ import annotations

from ims.default_plugins import apprise_channel, fs_documents, identity, inbox, predicates, reports

MODULES = (predicates, fs_documents, identity, reports, inbox, apprise_channel)

__all__ = ["MODULES"]
