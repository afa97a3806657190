"""The package's public surface is deliberate: ``ims.__all__`` is exactly this."""

from __future__ import annotations

import ims


def test_exported_members() -> None:
    assert sorted(ims.__all__) == [
        "ConfigError",
        "Conflict",
        "IMS",
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
    for name in ims.__all__:
        assert hasattr(ims, name), name


def test_errors_share_one_base() -> None:
    for name in ims.__all__:
        obj = getattr(ims, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, ims.ImsError)
