"""Applications: create, read, update data, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from ims.errors import ValidationFailed
from ims.rules import Actor
from ims.services import _access, _records, _search
from ims.services._actors import ActorLike, require_permission, resolve_actor
from ims.services._effects import apply_effects
from ims.services._snapshots import snapshot_of
from ims.services._validation import merge, validate
from ims.store.models import Application, User
from ims.store.numbers import next_number

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime

ApplicationRef = _records.ApplicationRef
IdOrNumber = _records.IdOrNumber


def application_ref(text: str) -> IdOrNumber:
    """The application a person or a URL names by its id or its number.

    ``"17"`` is tried as the id 17 first, then as the number ``"17"``; ``"BS-2026-000017"``
    is the number.  (In the Python API an ``int`` is always the id and a ``str`` always the
    number.)  The CLI and the HTTP API read application references with this.
    """
    return IdOrNumber(text.strip())


@dataclass(frozen=True)
class ApplicationView:
    """A read-only copy of an application, safe to use after the session closed."""

    id: int
    number: str
    workflow: str
    workflow_version: int
    state: str
    previous_state: str | None
    data: dict[str, Any]
    version: int
    assignee: str | None
    applicant: str | None
    priority: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    state_entered_at: datetime
    closed_at: datetime | None
    #: the district of the application data (``applications.district``, for reports)
    district: str | None = None

    @classmethod
    def of(cls, app: Application) -> ApplicationView:
        return cls(
            id=app.id,
            number=app.number,
            workflow=app.workflow,
            workflow_version=app.workflow_version,
            state=app.state,
            previous_state=app.previous_state,
            data=dict(app.data or {}),
            version=app.version,
            assignee=app.assignee,
            applicant=app.applicant,
            priority=app.priority,
            created_by=app.created_by,
            created_at=app.created_at,
            updated_at=app.updated_at,
            state_entered_at=app.state_entered_at,
            closed_at=app.closed_at,
            district=app.district,
        )


@dataclass(frozen=True)
class ApplicationPage:
    """One page of a search; ``next_cursor`` continues a keyset walk (``None``: last page)."""

    items: list[ApplicationView]
    next_cursor: str | None
    has_more: bool


class ApplicationService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def create(
        self,
        workflow: str,
        data: dict[str, Any] | None = None,
        *,
        actor: ActorLike,
        applicant: str | None = None,
        assignee: str | None = None,
        priority: int = 3,
        session: Session | None = None,
    ) -> ApplicationView:
        """Create an application in the workflow's initial state and enter it (effects, history, audit).

        The permission is checked first: a caller without ``application.create`` is
        refused (PermissionDenied) whatever the data.  ``applicant`` and ``assignee``
        must be users (the assignee an active one), else ValidationFailed.
        """
        rt = self._rt
        data = dict(data or {})
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "application.create", "creating an application")
            definition = rt.config.workflow(workflow)
            if not 1 <= priority <= 4:
                raise ValidationFailed("priority", [f"priority must be 1 to 4 (is {priority})"])
            validate(definition.data_schema, data, f"data of a new {workflow} application")
            _require_users(s, f"a new {workflow} application", applicant=applicant, assignee=assignee)
            pattern = definition.number_pattern or rt.config.settings.number_pattern
            number = next_number(s, name=workflow, pattern=pattern, now=now)
            app = Application(
                number=number,
                workflow=workflow,
                workflow_version=definition.version,
                state=definition.initial_state,
                previous_state=None,
                data=data,
                assignee=assignee,
                applicant=applicant,
                priority=priority,
                created_by=who.username,
                created_at=now,
                updated_at=now,
                state_entered_at=now,
                closed_at=None,
                district=_records.district_of(data),
            )
            s.add(app)
            s.flush()
            _records.open_period(s, app, now)
            effects = rt.engine.initial_effects(workflow, snapshot_of(s, app), now=now)
            apply_effects(s, rt.config, app, effects, now, event_key=f"app{app.id}-v{app.version}")
            _records.record(s, app, who, "created", now, to_state=app.state)
            return ApplicationView.of(app)

    def get(
        self, ref: ApplicationRef, *, actor: ActorLike | None = None, session: Session | None = None
    ) -> ApplicationView:
        """The application; with ``actor``, only if they may see it (else NotFound, as if missing)."""
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            if actor is not None:
                _access.require_visible(self._rt.config, resolve_actor(s, actor), app, ref)
            return ApplicationView.of(app)

    def require_visible(
        self, ref: ApplicationRef, *, actor: ActorLike, session: Session | None = None
    ) -> None:
        """NotFound unless ``actor`` may see the application (no read at all for staff of every workflow)."""
        rt = self._rt
        if isinstance(actor, Actor) and _access.sees_all(rt.config, actor):
            return
        with rt.reading(session) as s:
            who = resolve_actor(s, actor)
            if not _access.sees_all(rt.config, who):
                _access.require_visible(rt.config, who, _records.load_application(s, ref), ref)

    def search(
        self, query: _search.ApplicationQuery, *, actor: ActorLike, session: Session | None = None
    ) -> ApplicationPage:
        """The applications ``actor`` may see that match ``query``, one page of them.

        Filters, sort keys and pagination are described by
        :class:`~ims.services._search.ApplicationQuery`; where the district and the
        applicant's name are in the data comes from ``settings.api.search``.
        """
        rt = self._rt
        fields = rt.config.settings.api.search
        with rt.reading(session) as s:
            who = resolve_actor(s, actor)
            stmt, column, _ = _search.build(
                query,
                district_field=tuple(fields.district_field.split(".")),
                name_fields=tuple(tuple(f.split(".")) for f in fields.name_fields),
                visible=_access.visible_clause(rt.config, who),
            )
            rows = list(s.scalars(stmt))
            more = len(rows) > query.limit
            rows = rows[: query.limit]
            cursor = None
            if more and query.page is None:
                last = rows[-1]
                cursor = _search.encode_cursor(getattr(last, column.key), last.id)
            return ApplicationPage([ApplicationView.of(a) for a in rows], cursor, more)

    def update_data(
        self,
        ref: ApplicationRef,
        patch: dict[str, Any],
        *,
        actor: ActorLike,
        expected_version: int | None = None,
        session: Session | None = None,
    ) -> ApplicationView:
        """Merge ``patch`` into the data (``None`` deletes a key), validate, bump the version."""
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            app = _records.load_application(s, ref)
            definition = rt.config.workflow(app.workflow)
            for permission, keys in _permissions_for(definition.field_permissions, patch).items():
                require_permission(rt.config, who, permission, f"changing {', '.join(keys)}")
            _records.check_version(app, expected_version)
            if app.state in definition.final_states:
                raise ValidationFailed(f"application {app.number}", [f"it is closed ({app.state})"])
            new = merge(app.data or {}, patch)
            validate(definition.data_schema, new, f"data of {app.number}")
            app.data = new
            app.district = _records.district_of(new)
            _records.touch(s, app, now)
            _records.record(s, app, who, "data-updated", now, data={"changed": sorted(patch)})
            return ApplicationView.of(app)

    def set_assignee(
        self,
        ref: ApplicationRef,
        assignee: str | None,
        *,
        actor: ActorLike,
        expected_version: int | None = None,
        session: Session | None = None,
    ) -> ApplicationView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "application.edit_intake", "assigning an application")
            app = _records.load_application(s, ref)
            _records.check_version(app, expected_version)
            _require_users(s, f"application {app.number}", assignee=assignee)
            app.assignee = assignee
            _records.touch(s, app, now)
            _records.record(s, app, who, "assigned", now, data={"assignee": assignee})
            return ApplicationView.of(app)

    def list(
        self,
        *,
        workflow: str | None = None,
        state: str | None = None,
        assignee: str | None = None,
        applicant: str | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        session: Session | None = None,
    ) -> list[ApplicationView]:
        query = select(Application).order_by(Application.id)
        if workflow:
            query = query.where(Application.workflow == workflow)
        if state:
            query = query.where(Application.state == state)
        if assignee:
            query = query.where(Application.assignee == assignee)
        if applicant:
            query = query.where(Application.applicant == applicant)
        if search:
            query = query.where(or_(Application.number.ilike(f"%{search}%")))
        with self._rt.reading(session) as s:
            return [ApplicationView.of(a) for a in s.scalars(query.limit(limit).offset(offset))]

    def count_by_state(
        self, *, workflow: str | None = None, session: Session | None = None
    ) -> dict[str, int]:
        query = select(Application.state, func.count()).group_by(Application.state)
        if workflow:
            query = query.where(Application.workflow == workflow)
        with self._rt.reading(session) as s:
            return {state: n for state, n in s.execute(query).all()}


def _permissions_for(field_permissions: dict[str, str], patch: dict[str, Any]) -> dict[str, list[str]]:
    """Which permission each changed top-level key needs (default ``application.edit_intake``)."""
    needed: dict[str, list[str]] = {}
    for key in sorted(patch):
        needed.setdefault(field_permissions.get(key, "application.edit_intake"), []).append(key)
    return needed


def _require_users(
    session: Session, what: str, *, applicant: str | None = None, assignee: str | None = None
) -> None:
    """ValidationFailed unless the applicant is a user and the assignee an active one (``None``: nobody)."""
    names = {name for name in (applicant, assignee) if name is not None}
    if not names:
        return
    rows = session.execute(select(User.username, User.active).where(User.username.in_(names)))
    active = {row.username: row.active for row in rows}
    problems = [
        f"{role} '{name}' is not a user"
        for role, name in (("applicant", applicant), ("assignee", assignee))
        if name is not None and name not in active
    ]
    if assignee is not None and active.get(assignee) is False:
        problems.append(f"assignee '{assignee}' is inactive")
    if problems:
        raise ValidationFailed(what, problems)
