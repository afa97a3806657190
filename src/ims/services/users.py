"""Users and their roles.  Roles are declared in configuration; grants live in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from ims.errors import Conflict, NotFound, ValidationFailed
from ims.services._actors import SYSTEM, ActorLike, require_permission, resolve_actor
from ims.services._records import record_system
from ims.store.models import Role, User, UserRole

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from sqlalchemy.orm import Session

    from ims.rules import Actor
    from ims.services._runtime import Runtime


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str | None
    email: str | None
    active: bool
    roles: tuple[str, ...]


class UserService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def create(
        self,
        username: str,
        *,
        display_name: str | None = None,
        email: str | None = None,
        roles: Iterable[str] = (),
        actor: ActorLike = SYSTEM,
        session: Session | None = None,
    ) -> UserView:
        username = username.strip()
        if not username or any(c.isspace() for c in username):
            raise ValidationFailed("username", [f"{username!r} must be non-empty without spaces"])
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "creating a user")
            if s.scalar(select(User.id).where(User.username == username)) is not None:
                raise Conflict(f"user '{username}' already exists")
            user = User(
                username=username,
                display_name=display_name,
                email=email,
                active=True,
                created_at=now,
                updated_at=now,
            )
            s.add(user)
            s.flush()
            record_system(s, who, "user-created", {"username": username}, now)
            for role in roles:
                self._grant(s, user, role, who, now)
            return _view(s, user)

    def get(self, username: str, *, session: Session | None = None) -> UserView:
        with self._rt.reading(session) as s:
            return _view(s, _load(s, username))

    def list(self, *, session: Session | None = None) -> list[UserView]:
        with self._rt.reading(session) as s:
            return [_view(s, u) for u in s.scalars(select(User).order_by(User.username))]

    def grant(
        self, username: str, role: str, *, actor: ActorLike = SYSTEM, session: Session | None = None
    ) -> UserView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "granting a role")
            user = _load(s, username)
            self._grant(s, user, role, who, now)
            return _view(s, user)

    def revoke(
        self, username: str, role: str, *, actor: ActorLike = SYSTEM, session: Session | None = None
    ) -> UserView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "revoking a role")
            user = _load(s, username)
            role_row = s.scalar(select(Role).where(Role.name == role))
            if role_row is None or s.get(UserRole, (user.id, role_row.id)) is None:
                raise NotFound(f"user '{username}' does not have role '{role}'")
            s.execute(delete(UserRole).where(UserRole.user_id == user.id, UserRole.role_id == role_row.id))
            record_system(s, who, "role-revoked", {"username": username, "role": role}, now)
            return _view(s, user)

    def deactivate(
        self, username: str, *, actor: ActorLike = SYSTEM, session: Session | None = None
    ) -> UserView:
        return self._set_active(username, False, actor, session)

    def activate(
        self, username: str, *, actor: ActorLike = SYSTEM, session: Session | None = None
    ) -> UserView:
        return self._set_active(username, True, actor, session)

    def _set_active(self, username: str, active: bool, actor: ActorLike, session: Session | None) -> UserView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "users.manage", "changing a user")
            user = _load(s, username)
            user.active, user.updated_at = active, now
            record_system(
                s,
                who,
                "user-activated" if active else "user-deactivated",
                {"username": username},
                now,
            )
            return _view(s, user)

    def _grant(self, s: Session, user: User, role: str, by: Actor, now: datetime) -> None:
        rt = self._rt
        if role not in rt.config.roles.roles:
            known = ", ".join(sorted(rt.config.roles.roles))
            raise NotFound(f"unknown role '{role}' (roles: {known})")
        role_row = ensure_role(s, role, dict(rt.config.roles.roles[role].label))
        if s.get(UserRole, (user.id, role_row.id)) is None:
            s.add(UserRole(user_id=user.id, role_id=role_row.id, granted_at=now, granted_by=by.username))
            s.flush()
            record_system(s, by, "role-granted", {"username": user.username, "role": role}, now)


def ensure_role(s: Session, name: str, label: dict[str, str]) -> Role:
    row = s.scalar(select(Role).where(Role.name == name))
    if row is None:
        row = Role(name=name, label=label)
        s.add(row)
        s.flush()
    return row


def _load(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    return user


def _view(s: Session, user: User) -> UserView:
    roles = s.scalars(
        select(Role.name)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user.id)
        .order_by(Role.name)
    ).all()
    return UserView(user.id, user.username, user.display_name, user.email, user.active, tuple(roles))
