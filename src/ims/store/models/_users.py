"""Users, roles and the roles granted to users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType, UTCDateTime, utcnow
from ims.store.models._common import NAME, USERNAME, created_at_column, updated_at_column


class User(Base):
    """A person who acts in ims; ``username`` is what other tables store."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(USERNAME, unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Role(Base):
    """A role from the configuration (``roles.yaml``), with its labels."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(NAME, unique=True, nullable=False)
    label: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)


class UserRole(Base):
    """A role granted to a user; deleting either side deletes the grant."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
