"""Build the engine's input from the database: one application's facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

from ims.rules import DocumentFact, Snapshot
from ims.store.db import core
from ims.store.models import ApplicationStep, Document

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.store.models import Application

_docs, _steps = Document.__table__, ApplicationStep.__table__
_DOCUMENTS = select(_docs.c.document_type, _docs.c.status).where(
    _docs.c.application_id == bindparam("app_id")
)
_STEPS = select(_steps.c.step_name, _steps.c.status, _steps.c.data).where(
    _steps.c.application_id == bindparam("app_id")
)


def snapshot_of(session: Session, app: Application) -> Snapshot:
    conn = core(session)
    docs = conn.execute(_DOCUMENTS, {"app_id": app.id}).all()
    steps = conn.execute(_STEPS, {"app_id": app.id}).all()
    return Snapshot(
        workflow=app.workflow,
        state=app.state,
        previous_state=app.previous_state,
        data=app.data or {},
        documents=tuple(DocumentFact(type=t, status=s) for t, s in docs),
        steps={name: status for name, status, _ in steps},
        state_entered_at=app.state_entered_at,
        assignee=app.assignee,
        applicant=app.applicant,
        priority=app.priority,
        version=app.version,
        step_data={name: data or {} for name, _, data in steps},
    )
