"""Built-in behaviour, written as ordinary plugins and registered like third-party ones."""

from __future__ import annotations

from ims.default_plugins import predicates

MODULES = (predicates,)

__all__ = ["MODULES"]
