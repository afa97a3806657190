"""Built-in identity: ``{"type": "user", "username": ...}`` is a user stored by ims.

The user's roles are read from the database; an unknown or deactivated user is
not recognised (``None``), so another plugin may still know them, and
``ims.identity.resolve`` refuses them when none does.  Other credential types
(tokens, API keys) are left to the plugins that understand them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ims.errors import PermissionDenied
from ims.hooks import hookimpl

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ims.rules import Actor


@hookimpl(trylast=True)
def resolve_actor(ims: Any, credentials: Mapping[str, Any]) -> Actor | None:
    if credentials.get("type") != "user":
        return None
    username = credentials.get("username")
    if not isinstance(username, str) or not username:
        return None
    from ims.services._actors import resolve_actor as actor_of  # not at import: `ims check` loads this

    with ims.runtime.reading() as session:
        try:
            return actor_of(session, username)
        except PermissionDenied:  # unknown or inactive
            return None
