"""One module per resource; :data:`ROUTERS` lists them for :func:`ims.api.create_app`."""

from __future__ import annotations

from ims.api.routes import (
    applications,
    audit,
    documents,
    health,
    inbox,
    me,
    reference,
    reports,
    steps,
    tasks,
    transitions,
    users,
)

ROUTERS = [
    health.router,
    me.router,
    applications.router,
    transitions.router,
    steps.router,
    documents.router,
    tasks.router,
    inbox.router,
    users.router,
    reference.router,
    reports.router,
    audit.router,
]

__all__ = ["ROUTERS"]
