"""Helpers for the store tests (the database fixtures live in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ims.store.models import Application

#: The clock of the store tests (microseconds on purpose: they must survive storage).
NOW = datetime(2026, 11, 25, 10, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    """A fixed, timezone-aware UTC time with microseconds."""
    return NOW


@pytest.fixture
def new_application() -> Callable[..., Application]:
    """``new_application(session, **overrides)`` adds and flushes an application."""
    counter = iter(range(1, 1_000_000))

    def make(session: Session, **overrides: Any) -> Application:
        values: dict[str, Any] = {
            "number": f"T-{next(counter):06d}",
            "workflow": "bouwsubsidie",
            "workflow_version": 1,
            "state": "DRAFT",
            "data": {"applicant": {"first_name": "Ana"}},
            "created_by": "frontoffice1",
            "created_at": NOW,
            "updated_at": NOW,
            "state_entered_at": NOW,
        }
        values.update(overrides)
        app = Application(**values)
        session.add(app)
        session.flush()
        return app

    return make
