"""Writes every change to an application shares: version bump, history, audit.

Order matters for concurrency: :func:`touch` updates the application row first
(optimistic version check; on PostgreSQL the row lock is held from here to the
commit), so the history and audit rows written after it are serialised per
application without any other lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ims.errors import Conflict, NotFound
from ims.store import audit
from ims.store.models import Application, WorkflowEvent

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from ims.rules import Actor

ApplicationRef = int | str


def load_application(session: Session, ref: ApplicationRef) -> Application:
    """By id (int) or number (str such as ``BS-2026-000123``)."""
    if isinstance(ref, int):
        app = session.get(Application, ref)
    else:
        app = session.scalar(select(Application).where(Application.number == ref))
    if app is None:
        raise NotFound(f"application {ref!r} does not exist")
    return app


def check_version(app: Application, expected_version: int | None) -> None:
    if expected_version is not None and app.version != expected_version:
        raise Conflict(
            f"application {app.number} was changed by someone else "
            f"(version {app.version}, you had {expected_version}); reload and try again"
        )


def touch(session: Session, app: Application, now: datetime) -> None:
    """Bump the version now (UPDATE ... WHERE version = old); a lost race raises Conflict."""
    app.updated_at = now
    session.flush()


def record(
    session: Session,
    app: Application,
    actor: Actor,
    action: str,
    now: datetime,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> WorkflowEvent:
    """Append one history event and its audit row (same transaction)."""
    event = WorkflowEvent(
        application_id=app.id,
        action=action,
        from_state=from_state,
        to_state=to_state or app.state,
        actor=actor.username,
        reason=reason,
        comment=comment,
        data=data,
        created_at=now,
    )
    session.add(event)
    payload: dict[str, Any] = {
        "number": app.number,
        "from_state": from_state,
        "to_state": to_state or app.state,
        "version": app.version,
    }
    if reason:
        payload["reason"] = reason
    if comment:
        payload["comment"] = comment
    if data:
        payload["data"] = data
    audit.append(
        session,
        chain=f"application:{app.id}",
        application_id=app.id,
        actor=actor.username,
        action=action,
        payload=payload,
        now=now,
    )
    return event


def record_system(
    session: Session, actor: Actor, action: str, payload: dict[str, Any], now: datetime
) -> None:
    """Audit a change that belongs to no application (users, roles, reference data)."""
    audit.append(
        session,
        chain="system",
        application_id=None,
        actor=actor.username,
        action=action,
        payload=payload,
        now=now,
    )
