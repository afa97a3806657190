"""Who is acting: resolve a username to an :class:`ims.rules.Actor` and check permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, select

from ims.errors import PermissionDenied
from ims.rules import Actor
from ims.store.db import core
from ims.store.models import Role, User, UserRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import ImsConfig

_users = cast(Table, User.__table__)
_roles = cast(Table, Role.__table__)
_grants = cast(Table, UserRole.__table__)

#: The user and its roles in one round trip (one row per role; a user without roles: one row, name NULL).
_USER_WITH_ROLES = (
    select(_users.c.username, _users.c.active, _roles.c.name)
    .select_from(_users)
    .outerjoin(_grants, _grants.c.user_id == _users.c.id)
    .outerjoin(_roles, _roles.c.id == _grants.c.role_id)
    .where(_users.c.username == bindparam("username"))
)

#: The actor of administrative commands run from the CLI by the operator of the machine.
SYSTEM = Actor(username="system", roles=frozenset({"system"}))

ActorLike = str | Actor


def resolve_actor(session: Session, actor: ActorLike) -> Actor:
    """The actor with its current roles; an unknown or inactive user may do nothing."""
    if isinstance(actor, Actor):
        return actor
    rows = core(session).execute(_USER_WITH_ROLES, {"username": actor}).all()
    if not rows or not rows[0].active:
        state = "inactive" if rows else "unknown"
        raise PermissionDenied(f"{state} user '{actor}' may not act")
    return Actor(username=rows[0].username, roles=frozenset(r.name for r in rows if r.name is not None))


def require_permission(config: ImsConfig, actor: Actor, permission: str, what: str) -> None:
    """Refuse unless one of the actor's roles holds ``permission``.

    A permission the configuration does not declare restricts nobody; the
    ``system`` actor (the CLI operator) holds every permission.
    """
    if actor is SYSTEM:
        return
    allowed = config.roles.permissions.get(permission)
    if allowed is None or actor.roles & set(allowed):
        return
    names = ", ".join(allowed) or "nobody"
    mine = ", ".join(sorted(actor.roles)) or "no roles"
    raise PermissionDenied(f"{what} needs permission '{permission}' ({names}); {actor.username} has {mine}")
