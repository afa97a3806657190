"""application_steps: at most one row per (application, step), enforced by the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as SessionMaker

from ims.errors import Conflict
from ims.store.db import wrap_errors
from ims.store.models import Application, ApplicationStep

NewApplication = Callable[..., Application]


def _count(session: Session, app_id: int) -> int:
    return session.scalar(select(func.count()).where(ApplicationStep.application_id == app_id)) or 0


def test_plain_duplicate_insert_is_a_conflict(
    sessionmaker: SessionMaker[Session], new_application: NewApplication, now: datetime
) -> None:
    with sessionmaker.begin() as s:
        app_id = new_application(s).id
        s.add(ApplicationStep(application_id=app_id, step_name="visit", created_at=now))
    with (
        pytest.raises(Conflict, match="uq_application_steps_application_id_step_name"),
        wrap_errors(),
        sessionmaker.begin() as s,
    ):
        s.add(ApplicationStep(application_id=app_id, step_name="visit", created_at=now))
