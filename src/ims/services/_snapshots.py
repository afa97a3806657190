"""Build the engine's input from the database: one application's facts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from ims.rules import DocumentFact, Snapshot
from ims.store.models import ApplicationStep, Document

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.store.models import Application


def snapshot_of(session: Session, app: Application) -> Snapshot:
    docs = session.execute(
        select(Document.document_type, Document.status).where(Document.application_id == app.id)
    ).all()
    steps = session.execute(
        select(ApplicationStep.step_name, ApplicationStep.status, ApplicationStep.data).where(
            ApplicationStep.application_id == app.id
        )
    ).all()
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
