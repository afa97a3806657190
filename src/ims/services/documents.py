"""Documents on an application: record, verify, reject, and the checklist.

This issue records document *metadata*; storing the bytes (size limit, MIME
sniffing, SHA-256 of the content, signed downloads) arrives with the document
store plugins.  Photos need permission ``photos.upload``; other documents
``application.edit_intake``; verifying and rejecting ``documents.verify``.
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ims.errors import NotFound, ValidationFailed
from ims.rules import ChecklistItem, checklist
from ims.services import _records
from ims.services._actors import ActorLike, require_permission, resolve_actor
from ims.services._snapshots import snapshot_of
from ims.store.models import Document

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.services._runtime import Runtime


@dataclass(frozen=True)
class DocumentView:
    id: int
    application_id: int
    document_type: str
    filename: str | None
    mime_type: str | None
    size: int | None
    sha256: str | None
    status: str
    reason: str | None
    uploaded_by: str
    created_at: datetime
    verified_by: str | None
    verified_at: datetime | None


class DocumentService:
    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def add(
        self,
        ref: _records.ApplicationRef,
        document_type: str,
        filename: str,
        *,
        actor: ActorLike,
        content: bytes | None = None,
        mime_type: str | None = None,
        size: int | None = None,
        sha256: str | None = None,
        session: Session | None = None,
    ) -> DocumentView:
        """Record a document (status PENDING) on an application.

        Give the ``content`` (its SHA-256 and size are computed) or, for a file
        kept elsewhere, its ``sha256``.  Keeping the bytes in a document store
        arrives with the document-store plugins.
        """
        if content is not None:
            sha256, size = hashlib.sha256(content).hexdigest(), len(content)
        if sha256 is None or len(sha256) != 64:
            raise ValidationFailed("document", ["give the content, or its SHA-256 as 64 hex digits"])
        rt = self._rt
        doc_type = rt.config.reference.document_types.get(document_type)
        if doc_type is None:
            known = ", ".join(sorted(rt.config.reference.document_types))
            raise NotFound(f"unknown document type '{document_type}' (known: {known})")
        if not filename.strip():
            raise ValidationFailed("document", ["a filename is required"])
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            permission = "photos.upload" if doc_type.photo else "application.edit_intake"
            require_permission(rt.config, who, permission, f"adding a {document_type} document")
            app = _records.load_application(s, ref)
            doc = Document(
                application_id=app.id,
                document_type=document_type,
                filename=filename,
                mime_type=mime_type,
                size=size,
                sha256=sha256,
                status="PENDING",
                uploaded_by=who.username,
                created_at=now,
            )
            s.add(doc)
            _records.touch(s, app, now)
            s.flush()
            _records.record(
                s,
                app,
                who,
                "document-added",
                now,
                data={"document_id": doc.id, "type": document_type, "filename": filename},
            )
            return _view(doc)

    def verify(
        self, document_id: int, *, actor: ActorLike, session: Session | None = None
    ) -> DocumentView:
        return self._set_status(document_id, "VERIFIED", None, actor, session)

    def reject(
        self, document_id: int, reason: str, *, actor: ActorLike, session: Session | None = None
    ) -> DocumentView:
        if not reason or not reason.strip():
            raise ValidationFailed("rejecting a document", ["a reason is required"])
        return self._set_status(document_id, "REJECTED", reason, actor, session)

    def _set_status(
        self,
        document_id: int,
        status: str,
        reason: str | None,
        actor: ActorLike,
        session: Session | None,
    ) -> DocumentView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who = resolve_actor(s, actor)
            require_permission(
                rt.config, who, "documents.verify", f"marking a document {status.lower()}"
            )
            doc = s.get(Document, document_id)
            if doc is None:
                raise NotFound(f"document {document_id} does not exist")
            app = _records.load_application(s, doc.application_id)
            doc.status, doc.reason = status, reason
            doc.verified_by, doc.verified_at = who.username, now
            _records.touch(s, app, now)
            _records.record(
                s,
                app,
                who,
                f"document-{status.lower()}",
                now,
                reason=reason,
                data={"document_id": doc.id, "type": doc.document_type},
            )
            return _view(doc)

    def list(
        self, ref: _records.ApplicationRef, *, session: Session | None = None
    ) -> list[DocumentView]:
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            rows = s.scalars(
                select(Document).where(Document.application_id == app.id).order_by(Document.id)
            )
            return [_view(d) for d in rows]

    def checklist(
        self, ref: _records.ApplicationRef, *, session: Session | None = None
    ) -> builtins.list[ChecklistItem]:
        """Which document types are required now (``required_when`` applied) and their status."""
        rt = self._rt
        with rt.reading(session) as s:
            app = _records.load_application(s, ref)
            return checklist(rt.config, snapshot_of(s, app), rt.now())


def _view(d: Document) -> DocumentView:
    return DocumentView(
        d.id,
        d.application_id,
        d.document_type,
        d.filename,
        d.mime_type,
        d.size,
        d.sha256,
        d.status,
        d.reason,
        d.uploaded_by,
        d.created_at,
        d.verified_by,
        d.verified_at,
    )
