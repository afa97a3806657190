"""The outbox relay: deliver notification rows through their channels, with retries.

Messages are written by the change they report (see :mod:`ims.services._messages`),
``PENDING``, in its transaction.  :meth:`OutboxService.deliver` then:

1. **claims** due rows (status ``PENDING``/``FAILED``, channel not ``inbox``,
   ``next_attempt_at`` NULL or past) in one short transaction: on PostgreSQL
   ``SELECT ... FOR UPDATE SKIP LOCKED`` (several workers never claim the same row),
   on SQLite under ``BEGIN IMMEDIATE`` (writers are serialised anyway).  Claiming
   adds one to ``attempts`` and moves ``next_attempt_at`` a lease ahead, so a row
   another worker claimed is not due again until the lease expires;
2. **sends** each message through its channel, outside any transaction;
3. **marks** each row in its own short transaction: ``SENT``; ``FAILED`` with the
   next attempt after an exponential backoff with jitter; or ``DEAD`` after
   ``max_attempts`` or a permanent :class:`~ims.hooks.protocols.DeliveryError`.
   The mark only applies while the row still holds the claim's ``attempts`` (a
   worker whose lease expired and whose row was claimed again does not overwrite).

A worker killed between claiming and marking leaves its rows leased; when the lease
expires another pass claims and sends them again.  Delivery is therefore at least
once, and the idempotency key lets receivers drop the duplicate.
"""

from __future__ import annotations

import builtins
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, and_, func, or_, select, update

from ims.hooks.manager import call_each
from ims.hooks.protocols import DeliveryError, OutgoingMessage
from ims.services._actors import SYSTEM, ActorLike, require_permission, resolve_actor
from ims.services._records import record_system
from ims.store.db import core
from ims.store.models import Notification

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ims.config.models import DeliverySettings
    from ims.hooks.manager import ImsPluginManager
    from ims.hooks.protocols import Channel
    from ims.services._runtime import Runtime

log = logging.getLogger(__name__)

_notes = cast(Table, Notification.__table__)
#: statuses a row may be claimed in
DUE_STATUSES = ("PENDING", "FAILED")
#: the longest ``last_error`` kept
MAX_ERROR = 500


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`OutboxService.deliver` pass did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.dead


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row, as ``ims notifications list`` shows it (no body, no secrets)."""

    id: int
    application_id: int | None
    channel: str
    template: str
    recipient: str | None
    address: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    idempotency_key: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class _Claimed:
    message: OutgoingMessage
    attempts: int


def collect_channels(plugins: ImsPluginManager, ims: Any, settings: Mapping[str, Any]) -> dict[str, Channel]:
    """The channels the plugins register (``register_channels``), by name; later ones win."""
    channels: dict[str, Channel] = {}

    def register(channel: Channel) -> None:
        channels[channel.name] = channel

    call_each(plugins, "register_channels", register=register, ims=ims, settings=settings)
    return channels


def backoff_delay(settings: DeliverySettings, attempts: int, rand: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones.

    ``min(backoff_max, backoff * 2**(attempts-1)) * (1 + jitter * rand)``, with
    ``rand`` in ``[-1, 1]``.
    """
    base = min(settings.backoff_max_seconds, settings.backoff_seconds * 2 ** max(attempts - 1, 0))
    return float(base * (1 + settings.jitter * rand))


class OutboxService:
    """``ims.outbox``: deliver, retry and inspect the messages of the channels."""

    def __init__(self, runtime: Runtime, channels: Mapping[str, Channel]) -> None:
        self._rt = runtime
        self.channels: dict[str, Channel] = dict(channels)
        self._random = random.Random()
        self._secrets = _secrets_of(runtime.config.notifications.channels)

    # ------------------------------------------------------------------ delivering

    def deliver(self, batch: int | None = None, *, now: datetime | None = None) -> DeliveryReport:
        """Claim up to ``batch`` due messages (default ``delivery.batch``), send, mark them.

        ``now`` fixes the clock for claiming and scheduling (tests); default: the
        runtime's clock at each step.  A channel's failure never raises here.
        """
        settings = self._rt.config.notifications.delivery
        claimed = self.claim(batch or settings.batch, now=now)
        sent = failed = dead = 0
        for item in claimed:
            outcome = self._send(item, now)
            sent += outcome == "SENT"
            failed += outcome == "FAILED"
            dead += outcome == "DEAD"
        return DeliveryReport(sent, failed, dead)

    def claim(self, batch: int, *, now: datetime | None = None) -> list[_Claimed]:
        """Lease up to ``batch`` due messages to this caller (one short transaction)."""
        rt = self._rt
        now = now or rt.now()
        lease = now + timedelta(seconds=rt.config.notifications.delivery.lease_seconds)
        due = and_(
            _notes.c.status.in_(DUE_STATUSES),
            _notes.c.channel != "inbox",
            or_(_notes.c.next_attempt_at.is_(None), _notes.c.next_attempt_at <= now),
        )
        with rt.transaction() as s:
            conn = core(s)
            # FOR UPDATE SKIP LOCKED on PostgreSQL; SQLAlchemy leaves it out on SQLite,
            # where the transaction began with BEGIN IMMEDIATE and so holds the write lock
            ids = (
                conn.execute(
                    select(_notes.c.id)
                    .where(due)
                    .order_by(_notes.c.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            if not ids:
                return []
            rows = conn.execute(
                update(_notes)
                .where(_notes.c.id.in_(ids), due)
                .values(next_attempt_at=lease, attempts=_notes.c.attempts + 1)
                .returning(*_notes.c)
            ).all()
        language = rt.config.settings.language
        out = []
        for row in sorted(rows, key=lambda r: r.id):
            payload = dict(row.payload or {})
            message = OutgoingMessage(
                id=row.id,
                idempotency_key=row.idempotency_key,
                channel=row.channel,
                event=row.event,
                template=row.template,
                subject=row.subject,
                body=row.body,
                recipient=row.recipient,
                address=payload.get("address"),
                language=payload.get("language") or language,
                application_number=payload.get("number"),
                payload=payload,
            )
            out.append(_Claimed(message, row.attempts))
        return out

    def _send(self, item: _Claimed, now: datetime | None) -> str:
        message = item.message
        channel = self.channels.get(message.channel)
        error: str | None = None
        permanent = False
        if channel is None:
            error = f"no channel '{message.channel}' is registered (is its plugin installed and configured?)"
        else:
            try:
                channel.send(message)
            except DeliveryError as exc:
                error, permanent = str(exc) or type(exc).__name__, exc.permanent
            except Exception as exc:  # any other failure is temporary: retried
                error = f"{type(exc).__name__}: {exc}"
        if error is None:
            self._mark(item, now, status="SENT")
            return "SENT"
        error = self._scrub(error)
        settings = self._rt.config.notifications.delivery
        if permanent or item.attempts >= settings.max_attempts:
            log.warning("notification %s is dead after %s attempts: %s", message.id, item.attempts, error)
            self._mark(item, now, status="DEAD", error=error)
            return "DEAD"
        delay = backoff_delay(settings, item.attempts, self._random.uniform(-1, 1))
        self._mark(item, now, status="FAILED", error=error, delay=delay)
        return "FAILED"

    def _mark(
        self, item: _Claimed, now: datetime | None, *, status: str, error: str | None = None, delay: float = 0
    ) -> None:
        rt = self._rt
        with rt.transaction() as s:
            at = now or rt.now()
            values: dict[str, Any] = {"status": status, "last_error": error}
            if status == "SENT":
                values.update(sent_at=at, next_attempt_at=None)
            elif status == "FAILED":
                values["next_attempt_at"] = at + timedelta(seconds=delay)
            else:
                values["next_attempt_at"] = None
            core(s).execute(
                update(_notes)
                .where(
                    _notes.c.id == item.message.id,
                    _notes.c.attempts == item.attempts,
                    _notes.c.status.in_(DUE_STATUSES),
                )
                .values(**values)
            )

    def _scrub(self, text: str) -> str:
        """``text`` without any channel URL or credential in it, and not too long."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text[:MAX_ERROR]

    # ------------------------------------------------------------------ operating

    def retry(self, ids: Iterable[int] | None = None, *, actor: ActorLike = SYSTEM) -> builtins.list[int]:
        """Requeue DEAD messages (all, or those of ``ids``): PENDING, attempts 0, due now.

        Audited (``notifications-retried``); returns the ids requeued.
        """
        rt = self._rt
        now = rt.now()
        wanted = None if ids is None else sorted(set(ids))
        with rt.transaction() as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "notifications.manage", "requeueing notifications")
            query = select(_notes.c.id).where(_notes.c.status == "DEAD").order_by(_notes.c.id)
            if wanted is not None:
                query = query.where(_notes.c.id.in_(wanted))
            found = [int(i) for i in core(s).execute(query).scalars()]
            if found:
                core(s).execute(
                    update(_notes)
                    .where(_notes.c.id.in_(found), _notes.c.status == "DEAD")
                    .values(status="PENDING", attempts=0, next_attempt_at=None)
                )
                record_system(s, who, "notifications-retried", {"ids": found}, now)
            return found

    def list(
        self, *, status: str | None = None, channel: str | None = None, limit: int = 100
    ) -> builtins.list[OutboxItem]:
        """Outbox rows (never the inbox), newest first; ``status`` e.g. ``DEAD``."""
        query = select(_notes).where(_notes.c.channel != "inbox").order_by(_notes.c.id.desc()).limit(limit)
        if status:
            query = query.where(_notes.c.status == status.upper())
        if channel:
            query = query.where(_notes.c.channel == channel)
        with self._rt.reading() as s:
            return [
                OutboxItem(
                    id=r.id,
                    application_id=r.application_id,
                    channel=r.channel,
                    template=r.template,
                    recipient=r.recipient,
                    address=(r.payload or {}).get("address"),
                    status=r.status,
                    attempts=r.attempts,
                    next_attempt_at=r.next_attempt_at,
                    last_error=r.last_error,
                    idempotency_key=r.idempotency_key,
                    created_at=r.created_at,
                    sent_at=r.sent_at,
                )
                for r in core(s).execute(query)
            ]

    def counts(self) -> dict[str, int]:
        """Outbox rows per status (``PENDING``, ``FAILED``, ``SENT``, ``DEAD``)."""
        query = (
            select(_notes.c.status, func.count()).where(_notes.c.channel != "inbox").group_by(_notes.c.status)
        )
        with self._rt.reading() as s:
            found = {str(k): int(v) for k, v in core(s).execute(query)}
        return {k: found.get(k, 0) for k in ("PENDING", "FAILED", "SENT", "DEAD")}

    def backlog(self, *, now: datetime | None = None) -> tuple[int, timedelta | None]:
        """Messages still to deliver (PENDING or FAILED) and the age of the oldest."""
        now = now or self._rt.now()
        waiting = and_(_notes.c.status.in_(DUE_STATUSES), _notes.c.channel != "inbox")
        with self._rt.reading() as s:
            conn = core(s)
            count = conn.execute(select(func.count()).select_from(_notes).where(waiting)).scalar_one()
            oldest = conn.execute(
                select(_notes.c.created_at).where(waiting).order_by(_notes.c.created_at).limit(1)
            ).scalar()
        if not count or oldest is None:
            return 0, None
        return int(count), now - oldest


def _secrets_of(channels: Mapping[str, Any]) -> builtins.list[str]:
    """Texts an error message must not show: each channel URL and its credentials."""
    out: set[str] = set()
    for channel in channels.values():
        url = getattr(channel, "url", None)
        if not url:
            continue
        out.add(url)
        try:
            parts = urlsplit(url)
            for value in (parts.password, parts.username):
                if value and len(value) >= 4:
                    out.add(value)
        except ValueError:
            pass
    return sorted(out, key=len, reverse=True)
