"""The audit log: read it, and verify its hash chains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ims.services import _records
from ims.services._actors import SYSTEM, ActorLike, require_permission, resolve_actor
from ims.store import audit
from ims.store.models import AuditLog

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime
    from ims.store.audit import AuditReport


@dataclass(frozen=True)
class AuditEntry:
    id: int
    chain: str
    seq: int
    actor: str
    action: str
    payload: dict[str, Any]
    created_at: datetime
    hash: str


class AuditService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def entries(
        self,
        application: _records.ApplicationRef | None = None,
        *,
        actor: ActorLike = SYSTEM,
        limit: int = 100,
        session: Session | None = None,
    ) -> list[AuditEntry]:
        """Entries of one application (or the system chain when ``application`` is None)."""
        rt = self._rt
        with rt.reading(session) as s:
            who = resolve_actor(s, actor)
            require_permission(rt.config, who, "audit.read", "reading the audit log")
            query = select(AuditLog).order_by(AuditLog.chain, AuditLog.seq).limit(limit)
            if application is None:
                query = query.where(AuditLog.chain == "system")
            else:
                app = _records.load_application(s, application)
                query = query.where(AuditLog.chain == f"application:{app.id}")
            return [
                AuditEntry(
                    r.id,
                    r.chain,
                    r.seq,
                    r.actor,
                    r.action,
                    dict(r.payload or {}),
                    r.created_at,
                    r.hash,
                )
                for r in s.scalars(query)
            ]

    def verify(self, *, session: Session | None = None) -> AuditReport:
        """Check every chain; the report names the first broken row of each broken chain."""
        with self._rt.reading(session) as s:
            return audit.verify(s)
