"""Built-in identity: users stored by ims, by name, by verified token claims, or by API key.

* ``{"type": "user", "username": ...}``: the user of that name;
* ``{"type": "jwt", "claims": {...}}``: claims of a bearer token the HTTP API has
  already verified (signature, expiry, issuer, audience); the user is named by the
  claim ``settings.api.jwt.username_claim`` (default ``sub``), whose value the API
  also passes as ``"username"``;
* ``{"type": "api_key", "key": "ims_..."}``: the owner of an unrevoked API key.

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
    kind = credentials.get("type")
    if kind == "user":
        username = credentials.get("username")
    elif kind == "jwt":  # the API puts the username claim's value in "username"
        claims = credentials.get("claims")
        claim = ims.config.settings.api.jwt.username_claim
        username = credentials.get("username") or (claims.get(claim) if isinstance(claims, dict) else None)
    elif kind == "api_key":
        key = credentials.get("key")
        username = ims.api_keys.authenticate(key) if isinstance(key, str) else None
    else:
        return None
    if not isinstance(username, str) or not username:
        return None
    from ims.services._actors import resolve_actor as actor_of  # not at import: `ims check` loads this

    with ims.runtime.reading() as session:
        try:
            return actor_of(session, username)
        except PermissionDenied:  # unknown or inactive
            return None
