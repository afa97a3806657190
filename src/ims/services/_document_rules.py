"""The rules of :mod:`ims.services.documents` that need no service state.

Who may read documents, which applications take no more, what counts as a duplicate,
how a stored file is checked, which stored files are orphans.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from ims.errors import Conflict, NotFound, PermissionDenied, StoreError, ValidationFailed
from ims.services._actors import SYSTEM, require_permission
from ims.store.models import Application, Document

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ims.config.models import ImsConfig, Workflow
    from ims.hooks.protocols import DocumentStore
    from ims.rules import Actor

#: Bytes read at a time when checking a stored file's SHA-256.
_CHECK_CHUNK = 1024 * 1024


def clean_filename(filename: str) -> str:
    """The file's own name, without folders a client may send (``C:\\scans\\plot.pdf``)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable())
    if not name or name in {".", ".."}:
        raise ValidationFailed("document", ["a filename is required"])
    return name[-255:]


def refuse_final(config: ImsConfig, app: Application) -> None:
    """Refuse any change to the documents of an application in a final state."""
    workflow = config.workflows.get(app.workflow)
    if workflow is not None and app.state in workflow.final_states:
        raise ValidationFailed(
            f"changing the documents of {app.number}",
            [f"the application is {app.state}, a final state: its documents can no longer change"],
        )


def refuse_duplicate(s: Session, app: Application, filename: str, sha256: str) -> None:
    """Refuse content already uploaded to ``app`` (any status), naming that document."""
    existing = s.scalars(
        select(Document)
        .where(Document.application_id == app.id, Document.sha256 == sha256)
        .order_by(Document.id)
        .limit(1)
    ).first()
    if existing is not None:
        status = "" if existing.status == "PENDING" else f", {existing.status.lower()}"
        raise Conflict(
            f"{filename} was already uploaded as document {existing.id} "
            f"({existing.filename}{status}) of {app.number}"
        )


def require_read(config: ImsConfig, who: Actor, app: Application) -> None:
    """The application's applicant, or a role the workflow names; ``documents.read`` when declared."""
    if who is SYSTEM or (app.applicant is not None and app.applicant == who.username):
        return
    if "documents.read" in config.roles.permissions:
        require_permission(config, who, "documents.read", "reading documents")
        return
    roles = workflow_roles(config.workflow(app.workflow)) - {"applicant"}
    if not who.roles & roles:
        mine = ", ".join(sorted(who.roles)) or "no roles"
        raise PermissionDenied(
            f"reading the documents of {app.number} needs a role of workflow {app.workflow} "
            f"({', '.join(sorted(roles))}); {who.username} has {mine}"
        )


def workflow_roles(workflow: Workflow) -> frozenset[str]:
    """Roles named by the workflow's transitions and by its tasks and notifications."""
    roles: set[str] = set()
    for transition in workflow.transitions:
        roles.update(transition.roles)
    for state in workflow.states.values():
        for effect in state.on_enter:
            roles.update(getattr(effect, "roles", ()))
    return frozenset(roles)


def stored_document(s: Session, document_id: int) -> Document:
    """The document, which must have a stored file."""
    doc = s.get(Document, document_id)
    if doc is None:
        raise NotFound(f"document {document_id} does not exist")
    if doc.storage_key is None or doc.sha256 is None:
        why = "it is marked missing" if doc.status == "MISSING" else "only its hash was recorded"
        raise NotFound(f"document {document_id} has no stored file ({why})")
    return doc


def check_blob(store: DocumentStore, key: str, sha256: str, what: str) -> None:
    """Raise :class:`StoreError` unless the store holds ``key`` with bytes of ``sha256``."""
    try:
        stream = store.open(key)
    except KeyError:
        raise StoreError(f"{what} is missing from the document store '{store.name}'") from None
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(_CHECK_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise StoreError(
            f"{what} is corrupt: its SHA-256 is {digest.hexdigest()[:12]}…, not {sha256[:12]}… as recorded"
        )


def unreferenced(store: DocumentStore, referenced: set[str | None], grace: timedelta) -> Iterator[str]:
    """Keys in ``store`` not in ``referenced``, sparing those younger than ``grace``.

    A blob's age comes from the store's optional ``stored_at(key)``; a store without
    it has every unreferenced key listed.
    """
    stored_at = getattr(store, "stored_at", None)
    cutoff = time.time() - grace.total_seconds()
    keys = store.keys()
    for key in keys:
        if key in referenced:
            continue
        if callable(stored_at) and grace > timedelta(0):
            try:
                if stored_at(key).timestamp() > cutoff:
                    continue
            except KeyError:  # deleted meanwhile
                continue
        yield key
