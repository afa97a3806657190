"""Built-in behaviour, written as ordinary plugins and registered like third-party ones."""

from __future__ import annotations

from ims.default_plugins import fs_documents, identity, predicates, reports

MODULES = (predicates, fs_documents, identity, reports)

__all__ = ["MODULES"]
