"""Who is acting: resolve a username to an :class:`ims.rules.Actor` and check permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from ims.errors import PermissionDenied
from ims.rules import Actor
from ims.store.models import Role, User, UserRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import ImsConfig

#: The actor of administrative commands run from the CLI by the operator of the machine.
SYSTEM = Actor(username="system", roles=frozenset({"system"}))

ActorLike = str | Actor


def resolve_actor(session: Session, actor: ActorLike) -> Actor:
    """The actor with its current roles; an unknown or inactive user may do nothing."""
    if isinstance(actor, Actor):
        return actor
    user = session.scalar(select(User).where(User.username == actor))
    if user is None or not user.active:
        state = "inactive" if user is not None else "unknown"
        raise PermissionDenied(f"{state} user '{actor}' may not act")
    roles = session.scalars(
        select(Role.name)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user.id)
    ).all()
    return Actor(username=user.username, roles=frozenset(roles))


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
    raise PermissionDenied(
        f"{what} needs permission '{permission}' ({names}); {actor.username} has {mine}"
    )
