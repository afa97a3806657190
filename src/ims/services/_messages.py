"""Write notifications: render a template, one inbox row and one outbox row per channel.

Runs inside the caller's transaction (a transition, a document rejection), so a
message exists exactly when the change it reports committed.  For each recipient:

* an ``inbox`` row, written ``SENT`` (the commit delivers it);
* for each enabled channel carrying the template, a ``PENDING`` row when the
  recipient has an address (a user's ``email``; for the applicant without an
  account or without an e-mail address, ``applicant.email`` of the application
  data), delivered later by the outbox worker (:mod:`ims.services.outbox`).

Idempotency keys: ``<event_key>:<template>:<state>:<recipient>`` for the inbox and
``<event_key>:<template>:<state>:<recipient>:<channel>`` for channel rows.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select

from ims.config.models import OpenTask, label_for
from ims.sla import times_for
from ims.store.bulk import bulk_insert
from ims.store.db import core
from ims.store.models import Notification, User

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.orm import Session

    from ims.config.models import ImsConfig
    from ims.store.models import Application

log = logging.getLogger(__name__)

#: The role a message to the applicant is addressed through.
APPLICANT = "applicant"

_notes = cast(Table, Notification.__table__)
_users = cast(Table, User.__table__)
_INSERT = insert(_notes)
_EMAILS = select(_users.c.username, _users.c.email).where(
    _users.c.username.in_(bindparam("names", expanding=True))
)


class _Values(dict[str, Any]):
    """Template values computed on first use (most templates use a few of them)."""

    def __init__(self, resolvers: Mapping[str, Callable[[], Any]], given: Mapping[str, Any]) -> None:
        super().__init__({k: "" if v is None else v for k, v in given.items()})
        self._resolvers = resolvers

    def __missing__(self, key: str) -> Any:
        resolver = self._resolvers.get(key)
        value = resolver() if resolver else ""
        self[key] = "" if value is None else value
        return self[key]


def template_values(
    config: ImsConfig, app: Application, state: str, now: datetime, context: Mapping[str, Any]
) -> dict[str, Any]:
    """The placeholder values of a message about ``app`` (see ``PLACEHOLDERS``)."""
    language = config.settings.language
    workflow = config.workflows.get(app.workflow)

    def state_label(name: str | None) -> str:
        st = workflow.states.get(name) if workflow and name else None
        return label_for(dict(st.label), language, name or "") if st else (name or "")

    def applicant_name() -> str:
        data = app.data.get(APPLICANT) if isinstance(app.data, Mapping) else None
        if not isinstance(data, Mapping):
            return ""
        return " ".join(str(data[k]) for k in ("first_name", "last_name") if data.get(k))

    def sla_hours() -> Any:
        sla = config.sla.for_state(app.workflow, state)
        return "" if sla is None else f"{sla.allowed_hours:g}"

    def due_at() -> str:
        sla = config.sla.for_state(app.workflow, state)
        if sla is None:
            return ""
        return local_time(config, times_for(config).open(sla, now)[1])

    def task_title() -> str:
        st = workflow.states.get(state) if workflow else None
        for effect in st.on_enter if st else ():
            if isinstance(effect, OpenTask):
                return label_for(dict(effect.title), language, "") or state_label(state)
        return ""

    def document_label() -> str:
        code = context.get("document_type")
        doc = config.reference.document_types.get(code) if code else None
        return label_for(dict(doc.label), language, str(code)) if doc else str(code or "")

    resolvers: dict[str, Callable[[], Any]] = {
        "workflow_label": lambda: label_for(dict(workflow.label), language, app.workflow) if workflow else "",
        "state_label": lambda: state_label(state),
        "previous_state_label": lambda: state_label(context.get("previous_state") or app.previous_state),
        "applicant_name": applicant_name,
        "assignee": lambda: app.assignee,
        "sla_hours": sla_hours,
        "due_at": due_at,
        "task_title": task_title,
        "document_label": document_label,
    }
    given = {"number": app.number, "workflow": app.workflow, "state": state, **context}
    return _Values(resolvers, given)


def local_time(config: ImsConfig, moment: datetime) -> str:
    """``moment`` as the deployment shows times in messages: ``2026-03-02 14:00`` local time."""
    return moment.astimezone(ZoneInfo(config.settings.timezone)).strftime("%Y-%m-%d %H:%M")


def render(config: ImsConfig, template: str, values: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and body of ``template`` in the deployment language (generic text without templates)."""
    language = config.settings.language
    found = config.notifications.templates.get(template)
    if found is not None:
        try:
            subject = label_for(dict(found.subject), language, "").format_map(values)
            body = label_for(dict(found.body), language, "").format_map(values)
            return subject, body
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # e.g. a format spec that does not fit an empty value; the message still goes out
            log.warning("template %r could not be rendered (%s); using the generic text", template, exc)
    state_label = values["state_label"]
    number = values["number"]
    if language == "nl":
        return f"{number}: {state_label}", f"Aanvraag {number} is nu in status {state_label}."
    return f"{number}: {state_label}", f"Application {number} is now in state {state_label}."


def enqueue(
    session: Session,
    config: ImsConfig,
    app: Application,
    *,
    event: str,
    template: str,
    state: str,
    targets: Sequence[tuple[str | None, str | None]],
    to_applicant: bool,
    now: datetime,
    event_key: str,
    context: Mapping[str, Any] | None = None,
) -> None:
    """Write the inbox rows and outbox rows of one message.

    ``targets`` are ``(username, role it came through)``; ``(None, role)`` is a role
    nobody holds (an inbox row addressed to the role, no channel row).
    ``to_applicant``: the applicant is a recipient even without an account (then
    channels use ``applicant.email`` of the application data).
    """
    rows = message_rows(
        session,
        config,
        app,
        event=event,
        template=template,
        state=state,
        targets=targets,
        to_applicant=to_applicant,
        now=now,
        event_key=event_key,
        context=context,
    )
    if rows:
        core(session).execute(_INSERT, rows)


def insert_rows(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows built by :func:`message_rows`, many at once (``COPY`` on PostgreSQL)."""
    bulk_insert(core(session), _notes, rows)


def message_rows(
    session: Session,
    config: ImsConfig,
    app: Application,
    *,
    event: str,
    template: str,
    state: str,
    targets: Sequence[tuple[str | None, str | None]],
    to_applicant: bool,
    now: datetime,
    event_key: str,
    context: Mapping[str, Any] | None = None,
    emails: Mapping[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """The notification rows :func:`enqueue` writes, without writing them.

    ``emails`` (username -> address), when given, saves the query of the recipients'
    addresses (a batch of messages looks them up once).
    """
    values = template_values(config, app, state, now, context or {})
    subject, body = render(config, template, values)
    payload: dict[str, Any] = {"number": app.number, "state": state, "event": event, "template": template}
    key = f"{event_key}:{template}:{state}:"
    base = {
        "application_id": app.id,
        "event": event,
        "template": template,
        "subject": subject,
        "body": body,
        "created_at": now,
    }
    rows = [
        {
            **base,
            "channel": "inbox",
            "recipient": recipient,
            "recipient_role": via_role,
            "payload": payload,
            "status": "SENT",
            "attempts": 0,
            "next_attempt_at": None,
            "idempotency_key": key + (recipient or f"role-{via_role}"),
            "sent_at": now,
        }
        for recipient, via_role in targets
    ]
    channels = config.notifications.channels_for(template)
    if channels:
        rows += _channel_rows(
            session, config, app, base, payload, key, targets, to_applicant, channels, emails
        )
    return rows


def user_emails(session: Session, usernames: Sequence[str]) -> dict[str, str | None]:
    """username -> e-mail address of the given users."""
    if not usernames:
        return {}
    return {u: e for u, e in core(session).execute(_EMAILS, {"names": list(usernames)})}


def _channel_rows(
    session: Session,
    config: ImsConfig,
    app: Application,
    base: Mapping[str, Any],
    payload: Mapping[str, Any],
    key: str,
    targets: Sequence[tuple[str | None, str | None]],
    to_applicant: bool,
    channels: Sequence[tuple[str, Any]],
    known: Mapping[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    users = [u for u, _ in targets if u]
    wanted = users + ([app.applicant] if to_applicant and app.applicant else [])
    if known is not None and all(u in known for u in wanted):
        emails: Mapping[str, str | None] = known
    else:
        emails = user_emails(session, users)
    addressed: list[tuple[str | None, str | None, str]] = []  # (recipient, role, address)
    for username, role in targets:
        if username and emails.get(username) and not (to_applicant and username == app.applicant):
            addressed.append((username, role, cast(str, emails[username])))
    if to_applicant:
        address = (emails.get(app.applicant) if app.applicant else None) or _data_email(app)
        if address:
            addressed.append((app.applicant, APPLICANT, address))
    language = config.settings.language
    rows = []
    for name, _channel in channels:
        for recipient, role, address in addressed:
            rows.append(
                {
                    **base,
                    "channel": name,
                    "recipient": recipient,
                    "recipient_role": role,
                    "payload": {**payload, "address": address, "language": language},
                    "status": "PENDING",
                    "attempts": 0,
                    "next_attempt_at": None,
                    "idempotency_key": f"{key}{recipient or APPLICANT}:{name}",
                    "sent_at": None,
                }
            )
    return rows


def _data_email(app: Application) -> str | None:
    data = app.data.get(APPLICANT) if isinstance(app.data, Mapping) else None
    email = data.get("email") if isinstance(data, Mapping) else None
    return email if isinstance(email, str) and "@" in email else None
