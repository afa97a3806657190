"""ims: application and case workflows declared in YAML.

The public surface: :class:`IMS` (the facade), :data:`hookimpl` for plugins,
the error classes, and ``__version__``.
"""

from __future__ import annotations

from ims.errors import (
    ConfigError,
    Conflict,
    ImsError,
    NotFound,
    PermissionDenied,
    RuleError,
    StoreError,
    TransitionRefused,
    ValidationFailed,
)
from ims.facade import IMS
from ims.hooks import hookimpl

__version__ = "0.1.0"

__all__ = [
    "IMS",
    "ConfigError",
    "Conflict",
    "ImsError",
    "NotFound",
    "PermissionDenied",
    "RuleError",
    "StoreError",
    "TransitionRefused",
    "ValidationFailed",
    "__version__",
    "hookimpl",
]
