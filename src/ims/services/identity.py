"""Identity: who is behind a set of credentials (``ims.identity``).

Plugins answer through the ``resolve_actor`` hook (the first that knows the
credentials wins); the built-in one knows ``{"type": "user", "username": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ims.errors import PermissionDenied
from ims.rules import Actor

if TYPE_CHECKING:
    from ims.services._runtime import Runtime


class IdentityService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def resolve(self, credentials: Mapping[str, Any]) -> Actor:
        """The actor the credentials stand for, with its roles.

        Raises:
            PermissionDenied: no plugin recognises the credentials (unknown or
                inactive user, bad token).  The message names the credential type,
                never its secret parts.
        """
        if not isinstance(credentials, Mapping):
            raise PermissionDenied("credentials must be a mapping with a 'type'")
        actor = self._rt.plugins.hook.resolve_actor(ims=self._rt.ims, credentials=credentials)
        if actor is None:
            kind = credentials.get("type")
            raise PermissionDenied(f"credentials of type {kind!r} are not recognised")
        if not isinstance(actor, Actor):
            raise TypeError(f"resolve_actor returned {actor!r}, not an ims.rules.Actor")
        return actor
