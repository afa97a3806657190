"""Identity from a single sign-on proxy: the user name and groups it vouches for.

A host application (or the HTTP API behind the proxy) passes what the proxy
sent as ``{"type": "proxy", "user": "fenna", "groups": ["ims-front-office"]}``;
the groups map to ims roles.  Users need no account in ims.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ims import hookimpl
from ims.rules import Actor

GROUP_ROLES = {
    "ims-front-office": "front_office",
    "ims-control": "control",
    "ims-directors": "director",
}


@hookimpl
def resolve_actor(credentials: Mapping[str, Any]) -> Actor | None:
    if credentials.get("type") != "proxy" or not credentials.get("user"):
        return None
    roles = frozenset(GROUP_ROLES[g] for g in credentials.get("groups", ()) if g in GROUP_ROLES)
    if not roles:
        return None  # not an ims user: let another plugin decide, else access is refused
    return Actor(username=str(credentials["user"]), roles=roles)
