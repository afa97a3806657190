"""Writes every change to an application shares: version bump, history, audit.

Order matters for concurrency: :func:`touch` updates the application row first
(optimistic version check; on PostgreSQL the row lock is held from here to the
commit), so the history and audit rows written after it are serialised per
application without any other lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ims.errors import Conflict, NotFound
from ims.store import audit
from ims.store.db import core
from ims.store.models import Application, StatePeriod, WorkflowEvent

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from ims.rules import Actor

ApplicationRef = int | str
#: the largest id an application can have (ids are 32-bit integers in every database)
MAX_ID = 2_147_483_647


class IdOrNumber(str):
    """Text naming an application by its id or its number, as a person types it or a URL holds it.

    ASCII digits within the range of ids are tried as the id first, then as the number
    (a pattern such as ``{year}{seq:06d}`` makes numbers of digits); any other text is
    the number.  A plain ``str`` is always the number, an ``int`` always the id.
    """

    __slots__ = ()

    def as_id(self) -> int | None:
        if self.isascii() and self.isdigit() and len(self) <= 10 and 1 <= int(self) <= MAX_ID:
            return int(self)
        return None


_INSERT_EVENT = insert(cast(Table, WorkflowEvent.__table__))
_periods = cast(Table, StatePeriod.__table__)
_OPEN_PERIOD = insert(_periods)
_CLOSE_PERIOD = (
    update(_periods)
    .where(_periods.c.application_id == bindparam("app_id"), _periods.c.exited_at.is_(None))
    .values(
        exited_at=bindparam("now"),
        seconds=bindparam("seconds"),
        exit_transition=bindparam("action"),
        next_state=bindparam("next_state"),
    )
)
_apps = cast(Table, Application.__table__)
_BY_ID = select(_apps).where(_apps.c.id == bindparam("ref"))
_BY_NUMBER = select(_apps).where(_apps.c.number == bindparam("ref"))
#: the column names a version bump sets -> its UPDATE statement (a handful, built once)
_UPDATES: dict[tuple[str, ...], Any] = {}


def load_application(session: Session, ref: ApplicationRef) -> Application:
    """By id (int) or number (str such as ``BS-2026-000123``); an :class:`IdOrNumber` by either."""
    if isinstance(ref, int):
        app = session.get(Application, ref)
    else:
        as_id = ref.as_id() if isinstance(ref, IdOrNumber) else None
        app = None if as_id is None else session.get(Application, as_id)
        if app is None:
            app = session.scalar(select(Application).where(Application.number == str(ref)))
    if app is None:
        raise NotFound(f"application {ref!r} does not exist")
    return app


def read_application(session: Session, ref: ApplicationRef) -> Application:
    """Like :func:`load_application`, for a change made only through :func:`move`.

    When the session does not hold the application yet, its row is read with a Core
    SELECT into a new, *detached* object: no ORM load (identity map, instance events),
    a third of the cost.  :func:`move` keeps that object up to date.  When the session
    holds the application already (a caller's session), that object is used, so the
    caller never sees a stale copy.
    """
    connection = core(session)
    if isinstance(ref, int):
        row = connection.execute(_BY_ID, {"ref": ref}).first()
    else:
        as_id = ref.as_id() if isinstance(ref, IdOrNumber) else None
        row = None if as_id is None else connection.execute(_BY_ID, {"ref": as_id}).first()
        if row is None:
            row = connection.execute(_BY_NUMBER, {"ref": str(ref)}).first()
    if row is None:
        raise NotFound(f"application {ref!r} does not exist")
    held = session.identity_map.get(identity_key(Application, row.id))
    if isinstance(held, Application):
        return held
    return Application(**row._mapping)


def check_version(app: Application, expected_version: int | None) -> None:
    if expected_version is not None and app.version != expected_version:
        raise Conflict(
            f"application {app.number} was changed by someone else "
            f"(version {app.version}, you had {expected_version}); reload and try again"
        )


def touch(session: Session, app: Application, now: datetime) -> None:
    """Bump the version now (UPDATE ... WHERE version = old); a lost race raises Conflict.

    The UPDATE is always issued, even when nothing else changed (the ORM would skip a
    row whose values, ``updated_at`` included, are all equal): its row lock is what
    serialises the writers of the application's audit chain.
    """
    before = app.version
    app.updated_at = now
    session.flush()  # pending changes of app: UPDATE ... SET version = before + 1 ...
    if app.version == before:
        _bump(session, app, {"updated_at": now, "version": before + 1})


def _bump(session: Session, app: Application, values: dict[str, Any]) -> None:
    """``UPDATE applications SET <values> WHERE id = ? AND version = <loaded>``, then make
    ``values`` the object's committed state (no flush; a later flush checks the new version).
    """
    statement = _UPDATES.get(tuple(values))
    if statement is None:
        statement = _UPDATES[tuple(values)] = (
            update(_apps)
            .where(_apps.c.id == bindparam("_id"), _apps.c.version == bindparam("_version"))
            .values({key: bindparam(f"new_{key}") for key in values})
        )
    params = {f"new_{key}": value for key, value in values.items()}
    result = core(session).execute(statement, {"_id": app.id, "_version": app.version, **params})
    if result.rowcount != 1:
        raise Conflict(
            f"application {app.number} was changed or deleted by someone else since it was "
            f"read (version {app.version} is gone); reload it and try again"
        )
    for key, value in values.items():
        set_committed_value(app, key, value)


def district_of(data: Any) -> str | None:
    """The district an application is filed under: ``data["district"]``, else
    ``data["applicant"]["district"]`` (the reference workflow's place), a non-empty string
    cut to 64 characters, or ``None``.  Stored in ``applications.district`` for reports."""
    if not isinstance(data, dict):
        return None
    value = data.get("district")
    if value is None and isinstance(data.get("applicant"), dict):
        value = data["applicant"].get("district")
    return value[:64] if isinstance(value, str) and value else None


def open_period(session: Session, app: Application, now: datetime) -> None:
    """Open the period of ``app`` in its current state (a new application's initial state)."""
    core(session).execute(
        _OPEN_PERIOD,
        {"application_id": app.id, "workflow": app.workflow, "state": app.state, "entered_at": now},
    )


def move(
    session: Session,
    app: Application,
    to_state: str,
    now: datetime,
    *,
    final: bool,
    action: str | None = None,
) -> None:
    """Put ``app`` in ``to_state`` and bump its version: what :func:`touch` does for a transition.

    The state period of the state left is closed (``action`` is its exit transition) and
    the period of ``to_state`` opened, in the same transaction.

    One ``UPDATE ... WHERE id = ? AND version = ?`` (the optimistic check; on PostgreSQL
    it takes the row lock, held until the commit).  It is a Core statement, cheaper than
    a flush; the loaded object gets the written values as its committed state, so the
    session stays consistent and a later flush of ``app`` checks the new version.

    Raises:
        Conflict: the row's version is no longer the one loaded.
    """
    session.flush()  # pending changes of app first (they bump its version)
    entered = app.state_entered_at
    conn = core(session)
    conn.execute(
        _CLOSE_PERIOD,
        {
            "app_id": app.id,
            "now": now,
            "seconds": max((now - entered).total_seconds(), 0.0),
            "action": action,
            "next_state": to_state,
        },
    )
    conn.execute(
        _OPEN_PERIOD,
        {"application_id": app.id, "workflow": app.workflow, "state": to_state, "entered_at": now},
    )
    _bump(
        session,
        app,
        {
            "state": to_state,
            "previous_state": app.state,
            "state_entered_at": now,
            "closed_at": now if final else None,
            "updated_at": now,
            "version": app.version + 1,
        },
    )


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
) -> int:
    """Append one history event and its audit row (same transaction); the event's id.

    Call it after the application's row was written in this transaction (:func:`touch`,
    :func:`move`, or the INSERT of a new application): that row lock serialises the
    writers of the application's audit chain.
    """
    result = core(session).execute(
        _INSERT_EVENT,
        {
            "application_id": app.id,
            "action": action,
            "from_state": from_state,
            "to_state": to_state or app.state,
            "actor": actor.username,
            "reason": reason,
            "comment": comment,
            "data": data,
            "created_at": now,
        },
    )
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
        row_locked=True,
    )
    event_id = result.inserted_primary_key
    assert event_id is not None
    return int(event_id[0])


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
