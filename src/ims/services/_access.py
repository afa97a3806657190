"""Who may see an application (read it, its documents, steps, history, tasks).

* its own applicant (``applications.applicant`` is the user's name);
* a user holding a *staff* role of its workflow: a role the workflow names in a
  transition or task (``applicant`` excepted), or a role holding
  ``application.create`` or ``audit.read``;
* when the configuration declares the permission ``applications.read``, that
  permission replaces the staff rule (the applicant still sees their own).

Nobody else learns the application exists: callers raise :class:`ims.errors.NotFound`,
with the same message as for a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import false, or_

from ims.errors import NotFound
from ims.services._actors import SYSTEM
from ims.services._document_rules import workflow_roles
from ims.store.models import Application

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from ims.config.models import ImsConfig
    from ims.rules import Actor

READ_PERMISSION = "applications.read"


def _staff_roles(config: ImsConfig, workflow: str) -> frozenset[str]:
    if READ_PERMISSION in config.roles.permissions:
        return config.roles.roles_with(READ_PERMISSION) - {"applicant"}
    roles = set(workflow_roles(config.workflow(workflow)))
    roles |= config.roles.roles_with("application.create") | config.roles.roles_with("audit.read")
    return frozenset(roles - {"applicant"})


def can_see(config: ImsConfig, actor: Actor, workflow: str, applicant: str | None) -> bool:
    if actor is SYSTEM or (applicant is not None and applicant == actor.username):
        return True
    return bool(actor.roles & _staff_roles(config, workflow))


def require_visible(config: ImsConfig, actor: Actor, app: Any, ref: int | str | None = None) -> None:
    """NotFound (never PermissionDenied) when ``actor`` may not see ``app``.

    The message names ``ref``, what the caller asked for (default: the id), exactly as
    for an application that does not exist: it must not tell the id of a number.
    """
    if not can_see(config, actor, app.workflow, app.applicant):
        shown = app.id if ref is None else ref
        raise NotFound(f"application {shown!r} does not exist")


def sees_all(config: ImsConfig, actor: Actor) -> bool:
    """Whether ``actor`` holds a staff role of every workflow (or is the system)."""
    return actor is SYSTEM or all(actor.roles & _staff_roles(config, name) for name in config.workflows)


def visible_clause(config: ImsConfig, actor: Actor) -> ColumnElement[bool] | None:
    """A WHERE clause keeping the applications ``actor`` may see (``None``: all of them)."""
    if actor is SYSTEM:
        return None
    staff_in = [name for name in config.workflows if actor.roles & _staff_roles(config, name)]
    if len(staff_in) == len(config.workflows):
        return None
    clauses: list[ColumnElement[bool]] = [Application.applicant == actor.username]
    if staff_in:
        clauses.append(Application.workflow.in_(staff_in))
    return or_(false(), *clauses)
