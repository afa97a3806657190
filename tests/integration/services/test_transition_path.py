"""The transition's hot path (Core statements) keeps sessions, versions and rows consistent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ims import IMS, Conflict, PermissionDenied
from ims.demo import applicant_data
from ims.services import _records
from ims.services._actors import resolve_actor
from ims.store.models import Application, AuditLog, Notification, Task, WorkflowEvent


def intake(ims: IMS) -> int:
    app = ims.applications.create("bouwsubsidie", applicant_data("Ann", "Lee"), actor="fenna")
    ims.documents.add(app.id, "national_declaration", "n.pdf", actor="fenna", content=b"x")
    ims.workflow.transition(app.id, "submit", actor="fenna")
    return app.id


def test_hold_and_resume_write_every_row(ims: IMS) -> None:
    app_id = intake(ims)
    before = ims.applications.get(app_id)
    held = ims.workflow.transition(app_id, "hold", actor="dirk", reason="papers missing")
    assert (held.from_state, held.to_state) == ("INTAKE_REVIEW", "ON_HOLD")
    assert held.application.version == before.version + 1
    assert held.application.previous_state == "INTAKE_REVIEW"
    resumed = ims.workflow.transition(app_id, "resume", actor="dirk")
    assert resumed.to_state == "INTAKE_REVIEW"
    assert resumed.application.version == before.version + 2
    with ims.runtime.sessions() as s:
        tasks = s.scalars(select(Task).where(Task.application_id == app_id).order_by(Task.id)).all()
        # the hold paused the intake task's clock; resuming restarted the same task
        assert [(t.state, t.status, t.paused_at) for t in tasks][-1:] == [("INTAKE_REVIEW", "PENDING", None)]
        assert [t.state for t in tasks].count("INTAKE_REVIEW") == 1
        notes = s.scalars(select(Notification).where(Notification.application_id == app_id)).all()
        held_notes = sorted((n.recipient, n.recipient_role) for n in notes if n.payload["state"] == "ON_HOLD")
        # ON_HOLD notifies admin, director and minister: one row per holder
        assert held_notes == [
            ("anna", "admin"),
            ("dirk", "director"),
            ("mina", "minister"),
        ]
        event = s.get(WorkflowEvent, held.event_id)
        assert event is not None and (event.action, event.reason) == ("hold", "papers missing")
        audits = s.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action.in_(["hold", "resume"]))
        )
        assert audits == 2
    assert ims.audit.verify().ok


def test_a_callers_session_sees_the_transition(ims: IMS) -> None:
    """The session's own object is updated, and a later ORM change checks the new version."""
    app_id = intake(ims)
    with ims.runtime.sessions.begin() as s:
        app = s.get(Application, app_id)
        assert app is not None
        version = app.version
        ims.workflow.transition(app_id, "hold", actor="dirk", reason="wait", session=s)
        assert (app.state, app.previous_state, app.version) == ("ON_HOLD", "INTAKE_REVIEW", version + 1)
        assert not s.dirty
        app.priority = 1  # flushed with UPDATE ... WHERE version = version + 1
        s.flush()
        assert app.version == version + 2
    assert ims.applications.get(app_id).priority == 1


def test_a_callers_session_without_the_application(ims: IMS) -> None:
    app_id = intake(ims)
    with ims.runtime.sessions.begin() as s:
        result = ims.workflow.transition(app_id, "hold", actor="dirk", reason="wait", session=s)
        loaded = s.get(Application, app_id)
        assert loaded is not None
        assert (loaded.state, loaded.version) == ("ON_HOLD", result.application.version)


def test_pending_changes_of_the_session_are_kept(ims: IMS) -> None:
    app_id = intake(ims)
    with ims.runtime.sessions.begin() as s:
        app = s.get(Application, app_id)
        assert app is not None
        version = app.version
        app.priority = 2  # pending when the transition starts
        ims.workflow.transition(app_id, "hold", actor="dirk", reason="wait", session=s)
        assert app.version == version + 2  # the pending change, then the transition
    stored = ims.applications.get(app_id)
    assert (stored.priority, stored.state, stored.version) == (2, "ON_HOLD", version + 2)


def test_a_stale_object_is_a_conflict(ims: IMS) -> None:
    app_id = intake(ims)
    with ims.runtime.sessions.begin() as s:
        app = _records.read_application(s, app_id)
        ims.workflow.transition(app_id, "hold", actor="dirk", reason="wait", session=s)
        with pytest.raises(Conflict, match="changed or deleted by someone else"):
            _records.move(s, app, "INTAKE_REVIEW", ims.runtime.now(), final=False)
        s.rollback()


def test_touch_bumps_the_version_even_when_nothing_else_changed(ims: IMS) -> None:
    """A frozen clock leaves updated_at equal; the UPDATE (and its row lock) must still happen."""
    app_id = intake(ims)
    now = ims.runtime.now()
    with ims.runtime.sessions.begin() as s:
        app = s.get(Application, app_id)
        assert app is not None
        version = app.version
        _records.touch(s, app, app.updated_at)
        assert app.version == version + 1
        _records.touch(s, app, now)
        assert app.version == version + 2
    assert ims.applications.get(app_id).version == version + 2


def test_resolve_actor_in_one_query(ims: IMS) -> None:
    ims.users.create("noroles", display_name="No Roles")
    with ims.runtime.sessions() as s:
        assert resolve_actor(s, "dirk").roles == frozenset({"director"})
        assert resolve_actor(s, "noroles").roles == frozenset()
        with pytest.raises(PermissionDenied, match="unknown user 'nobody'"):
            resolve_actor(s, "nobody")
