"""Write ``application_steps`` rows without races: one row per (application, step).

Both functions are a single ``INSERT ... ON CONFLICT (application_id, step_name) DO
UPDATE``, so two transactions opening or recording the same step never produce two
rows or a unique-violation error, on SQLite and PostgreSQL alike.  They return the
ORM object, refreshed from the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ims.store._dialect import upsert_insert
from ims.store.db import wrap_errors
from ims.store.models import STEP_STATUSES, ApplicationStep

__all__ = ["open_step", "record_step"]


def open_step(session: Session, *, application_id: int, step_name: str, now: datetime) -> ApplicationStep:
    """Make the step PENDING, creating it if needed; data recorded earlier is kept."""
    statement = (
        upsert_insert(session, ApplicationStep)
        .values(
            application_id=application_id,
            step_name=step_name,
            status="PENDING",
            data={},
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(
            index_elements=["application_id", "step_name"],
            set_={
                "status": "PENDING",
                "completed_by": None,
                "completed_at": None,
                "updated_at": now,
            },
        )
    )
    return _upsert(session, statement, f"opening step {step_name!r}")


def record_step(
    session: Session,
    *,
    application_id: int,
    step_name: str,
    data: dict[str, Any],
    actor: str,
    now: datetime,
    status: str = "COMPLETED",
) -> ApplicationStep:
    """Store the step's data with ``status``; COMPLETED also stamps who and when."""
    if status not in STEP_STATUSES:
        raise ValueError(f"step status must be one of {STEP_STATUSES}, got {status!r}")
    done = status == "COMPLETED"
    values: dict[str, Any] = {
        "status": status,
        "data": data,
        "completed_by": actor if done else None,
        "completed_at": now if done else None,
        "updated_at": now,
    }
    statement = (
        upsert_insert(session, ApplicationStep)
        .values(application_id=application_id, step_name=step_name, created_at=now, **values)
        .on_conflict_do_update(index_elements=["application_id", "step_name"], set_=values)
    )
    return _upsert(session, statement, f"recording step {step_name!r}")


def _upsert(session: Session, statement: Any, action: str) -> ApplicationStep:
    with wrap_errors(action):
        step: ApplicationStep = session.scalars(
            statement.returning(ApplicationStep),
            execution_options={"populate_existing": True},
        ).one()
    return step
