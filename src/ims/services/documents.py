"""Documents on an application: upload, record, verify, reject, mark missing, download.

Permissions: uploading a photo (a type with ``photo: true``) needs ``photos.upload``,
any other document ``application.edit_intake``; verifying, rejecting and marking a
document missing need ``documents.verify``.  Reading (a download link) is open to the
application's own applicant and to users holding a role the workflow names, unless
the configuration declares the permission ``documents.read``, which then decides.
Documents of an application in a final state can no longer change.

An upload is read in chunks within the size limit (the document type's, else
``settings.documents.max_size_mb``), hashed with SHA-256, its MIME type sniffed from
the content and checked against the filename and the whitelist, and for photos the
EXIF time and place read.  The bytes are put in the document store *before* the
database transaction, so no transaction waits on a slow disk; if the transaction then
fails, the blob is an orphan: harmless (content-addressed, referenced by nothing) and
removed by :meth:`DocumentService.delete_orphans` (``ims documents gc --delete``).
"""

from __future__ import annotations

import builtins
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select

from ims.config.models import label_for
from ims.documents import (
    DownloadTokens,
    check_allowed,
    photo_metadata,
    read_limited,
    secret_key,
    sniff,
)
from ims.errors import NotFound, PermissionDenied, ValidationFailed
from ims.rules import ChecklistItem, checklist
from ims.services import _document_rules as rules
from ims.services import _records
from ims.services._actors import ActorLike, require_permission, resolve_actor
from ims.services._effects import notify_event
from ims.services._snapshots import snapshot_of
from ims.store.models import Application, Document

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import DocumentType
    from ims.hooks.protocols import DocumentStore
    from ims.rules import Actor
    from ims.services._runtime import Runtime

#: Orphan blobs younger than this are left alone by :meth:`DocumentService.orphans`:
#: they may belong to an upload whose transaction has not committed yet.
ORPHAN_GRACE = timedelta(hours=1)


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
    #: facts read from the file: a photo's ``taken_at`` and ``gps`` ``{"lat", "lon"}``
    meta: Mapping[str, Any] | None = None


class DocumentService:
    def __init__(self, runtime: Runtime, store: DocumentStore) -> None:
        self._rt = runtime
        self.store = store
        self._tokens: DownloadTokens | None = None

    # ------------------------------------------------------------------ adding

    def upload(
        self,
        ref: _records.ApplicationRef,
        document_type: str,
        filename: str,
        stream: IO[bytes],
        *,
        actor: ActorLike,
        session: Session | None = None,
    ) -> DocumentView:
        """Upload a file: checked, hashed, stored, recorded as a PENDING document.

        Args:
            stream: the file's bytes, read in chunks (never whole into memory).

        Raises:
            ValidationFailed: too large, an empty file, a type that cannot be told, a
                name that says another type, a type not accepted, or a final state.
            Conflict: the same bytes are already a document of this application.
            PermissionDenied, NotFound.
        """
        rt = self._rt
        doc_type = self._document_type(document_type)
        name = rules.clean_filename(filename)
        limits = rt.config.settings.documents
        max_mb = doc_type.max_size_mb or limits.max_size_mb
        allowed = limits.allowed_mime_types
        if doc_type.mime_types is not None:
            allowed = tuple(m for m in doc_type.mime_types if m in allowed)
        with rt.reading(session) as s:  # refuse before reading any bytes
            self._may_add(s, ref, doc_type, actor)
        with read_limited(stream, int(max_mb * 1_000_000), what=name) as received:
            mime = sniff(received.head, name, file=received.file)
            label = label_for(doc_type.label, rt.config.settings.language, doc_type.code)
            check_allowed(mime, name, allowed, label)
            meta = photo_metadata(received.file) if doc_type.photo else None
            blob = self.store.put(received.file, sha256=received.sha256, size=received.size)
        return self._insert(
            ref,
            doc_type,
            actor,
            session,
            action="document-uploaded",
            values={
                "filename": name,
                "mime_type": mime,
                "size": received.size,
                "sha256": received.sha256,
                "storage_key": blob.key,
                "meta": meta or None,
            },
            refuse_duplicate=True,
        )

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
        """Record a document (status PENDING) as given, without the checks of :meth:`upload`.

        Give the ``content`` (its SHA-256 and size are computed and the bytes kept in
        the document store) or, for a file kept elsewhere, its ``sha256``.  The MIME
        type is taken as given, and duplicates are allowed: this is for imports and
        trusted callers; use :meth:`upload` for files from people.
        """
        if content is not None:
            sha256, size = hashlib.sha256(content).hexdigest(), len(content)
        if sha256 is None or len(sha256) != 64:
            raise ValidationFailed("document", ["give the content, or its SHA-256 as 64 hex digits"])
        doc_type = self._document_type(document_type)
        if not filename.strip():
            raise ValidationFailed("document", ["a filename is required"])
        storage_key = None
        if content is not None:
            with self._rt.reading(session) as s:  # refuse before storing any bytes
                self._may_add(s, ref, doc_type, actor)
            assert size is not None
            storage_key = self.store.put(io.BytesIO(content), sha256=sha256, size=size).key
        return self._insert(
            ref,
            doc_type,
            actor,
            session,
            action="document-added",
            values={
                "filename": filename,
                "mime_type": mime_type,
                "size": size,
                "sha256": sha256,
                "storage_key": storage_key,
            },
        )

    def mark_missing(
        self,
        ref: _records.ApplicationRef,
        document_type: str,
        *,
        actor: ActorLike,
        reason: str,
        session: Session | None = None,
    ) -> DocumentView:
        """Record that a document was not supplied (status MISSING, no file), with why."""
        if not reason or not reason.strip():
            raise ValidationFailed("marking a document missing", ["a reason is required"])
        doc_type = self._document_type(document_type)
        return self._insert(
            ref,
            doc_type,
            actor,
            session,
            action="document-missing",
            values={"status": "MISSING", "reason": reason.strip()},
            permission=("documents.verify", f"marking a {doc_type.code} document missing"),
        )

    def _insert(
        self,
        ref: _records.ApplicationRef,
        doc_type: DocumentType,
        actor: ActorLike,
        session: Session | None,
        *,
        action: str,
        values: dict[str, Any],
        refuse_duplicate: bool = False,
        permission: tuple[str, str] | None = None,
    ) -> DocumentView:
        rt = self._rt
        now = rt.now()
        with rt.transaction(session) as s:
            who, app = self._may_add(s, ref, doc_type, actor, permission)
            _records.touch(s, app, now)  # first: serialises writers of this application
            if refuse_duplicate:
                rules.refuse_duplicate(s, app, values["filename"], values["sha256"])
            doc = Document(
                application_id=app.id,
                document_type=doc_type.code,
                uploaded_by=who.username,
                created_at=now,
                **{"status": "PENDING", **values},
            )
            s.add(doc)
            s.flush()
            data: dict[str, Any] = {"document_id": doc.id, "type": doc_type.code}
            data.update((k, values[k]) for k in ("filename", "mime_type", "size", "sha256") if values.get(k))
            _records.record(s, app, who, action, now, reason=doc.reason, data=data)
            return _view(doc)

    def _may_add(
        self,
        s: Session,
        ref: _records.ApplicationRef,
        doc_type: DocumentType,
        actor: ActorLike,
        permission: tuple[str, str] | None = None,
    ) -> tuple[Actor, Application]:
        """The actor and the application, if the actor may add a ``doc_type`` document to it.

        ``permission`` is ``(name, what is being done)``; by default the upload permission.
        """
        rt = self._rt
        who = resolve_actor(s, actor)
        if permission is None:
            name = "photos.upload" if doc_type.photo else "application.edit_intake"
            permission = (name, f"adding a {doc_type.code} document")
        require_permission(rt.config, who, *permission)
        app = _records.load_application(s, ref)
        rules.refuse_final(rt.config, app)
        return who, app

    def _document_type(self, code: str) -> DocumentType:
        doc_type = self._rt.config.reference.document_types.get(code)
        if doc_type is None:
            known = ", ".join(sorted(self._rt.config.reference.document_types))
            raise NotFound(f"unknown document type '{code}' (known: {known})")
        return doc_type

    # ------------------------------------------------------------------ status

    def verify(self, document_id: int, *, actor: ActorLike, session: Session | None = None) -> DocumentView:
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
            require_permission(rt.config, who, "documents.verify", f"marking a document {status.lower()}")
            doc = s.get(Document, document_id)
            if doc is None:
                raise NotFound(f"document {document_id} does not exist")
            app = _records.load_application(s, doc.application_id)
            doc.status, doc.reason = status, reason
            doc.verified_by, doc.verified_at = who.username, now
            _records.touch(s, app, now)
            event_id = _records.record(
                s,
                app,
                who,
                f"document-{status.lower()}",
                now,
                reason=reason,
                data={"document_id": doc.id, "type": doc.document_type},
            )
            if status == "REJECTED":  # tell the uploader and the applicant, in this transaction
                extra = {"reason": reason, "document_type": doc.document_type, "actor": who.username}
                notify_event(
                    s,
                    rt.config,
                    app,
                    "document_rejected",
                    [doc.uploaded_by],
                    now,
                    f"doc{doc.id}-e{event_id}",
                    extra,
                    to_applicant=True,
                )
            return _view(doc)

    # ------------------------------------------------------------------ reading

    def get(self, document_id: int, *, session: Session | None = None) -> DocumentView:
        with self._rt.reading(session) as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise NotFound(f"document {document_id} does not exist")
            return _view(doc)

    def list(
        self, ref: _records.ApplicationRef, *, session: Session | None = None
    ) -> builtins.list[DocumentView]:
        with self._rt.reading(session) as s:
            app = _records.load_application(s, ref)
            rows = s.scalars(select(Document).where(Document.application_id == app.id).order_by(Document.id))
            return [_view(d) for d in rows]

    def checklist(
        self, ref: _records.ApplicationRef, *, session: Session | None = None
    ) -> builtins.list[ChecklistItem]:
        """Which document types are required now (``required_when`` applied) and their status."""
        rt = self._rt
        with rt.reading(session) as s:
            app = _records.load_application(s, ref)
            return checklist(rt.config, snapshot_of(s, app), rt.now())

    # ------------------------------------------------------------------ downloads

    @property
    def tokens(self) -> DownloadTokens:
        """Signs and verifies download links (the key is read or made on first use)."""
        if self._tokens is None:
            settings = self._rt.config.settings
            self._tokens = DownloadTokens(
                secret_key(settings),
                ttl_seconds=settings.documents.token_ttl_seconds,
                clock=self._rt.clock,
            )
        return self._tokens

    def download_token(self, document_id: int, *, actor: ActorLike, session: Session | None = None) -> str:
        """A signed link to the document's file, valid ``settings.documents.token_ttl_seconds``.

        Raises:
            PermissionDenied: the actor may not read the application's documents.
            NotFound: no such document, or it has no stored file (MISSING, or recorded
                by hash only).
        """
        with self._rt.reading(session) as s:
            who = resolve_actor(s, actor)
            doc = rules.stored_document(s, document_id)
            rules.require_read(self._rt.config, who, _records.load_application(s, doc.application_id))
            assert doc.sha256 is not None
            return self.tokens.issue(doc.id, doc.sha256, who.username)

    def open_download(self, token: str, *, session: Session | None = None) -> tuple[DocumentView, IO[bytes]]:
        """The document and its bytes (a file to read and close) for a valid token.

        The token's user must still be active and allowed to read the document, and
        the stored bytes must still have the document's SHA-256 (checked before the
        file is handed out).

        Raises:
            PermissionDenied: the token expired or is not valid, or its user may no
                longer read the document.
            NotFound: the document is gone.
            StoreError: the file is missing from the store, or corrupt.
        """
        claim = self.tokens.verify(token)
        with self._rt.reading(session) as s:
            doc = rules.stored_document(s, claim.document_id)
            if doc.sha256 != claim.sha256:
                raise PermissionDenied(f"the download link is not for the current file of document {doc.id}")
            who = resolve_actor(s, claim.username)
            rules.require_read(self._rt.config, who, _records.load_application(s, doc.application_id))
            view = _view(doc)
            key = doc.storage_key
        assert key is not None and view.sha256 is not None
        rules.check_blob(
            self.store, key, view.sha256, f"document {view.id}'s file ({view.filename}, key {key[:12]}…)"
        )
        return view, self.store.open(key)

    # ------------------------------------------------------------------ orphans

    def orphans(self, *, grace: timedelta = ORPHAN_GRACE) -> builtins.list[str]:
        """Keys of stored blobs no document references.

        Blobs younger than ``grace`` are left out when the store can tell their age
        (``stored_at(key)``, as both built-in stores do): they may belong to an upload
        whose transaction has not committed yet.
        """
        with self._rt.reading() as s:
            referenced = set(s.scalars(select(Document.storage_key).where(Document.storage_key.is_not(None))))
        return sorted(rules.unreferenced(self.store, referenced, grace))

    def delete_orphans(self, *, grace: timedelta = ORPHAN_GRACE) -> builtins.list[str]:
        """Delete the blobs :meth:`orphans` lists; their keys."""
        keys = self.orphans(grace=grace)
        for key in keys:
            self.store.delete(key)
        return keys


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
        d.meta,
    )
