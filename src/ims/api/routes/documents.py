"""Documents: upload (multipart), list, checklist, verify/reject, signed download."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Annotated
from urllib.parse import quote

from litestar import Router, get, post
from litestar.datastructures import UploadFile
from litestar.params import JSONBody, MultipartBody, PathParameter
from litestar.response import Stream

from ims.api.deps import Caller, Ims, visible_document
from ims.api.errors import error_responses
from ims.api.routes._common import AppRef, DocId
from ims.api.schemas import ChecklistEntry, DownloadLink, MissingDocument, ReasonBody
from ims.config.models import label_for
from ims.services.applications import application_ref
from ims.services.documents import DocumentView

CHUNK = 256 * 1024


@dataclass
class UploadForm:
    #: a document type code from reference.yaml, e.g. plot_map
    document_type: str
    file: UploadFile


@post(
    "/applications/{app:str}/documents",
    sync_to_thread=True,
    status_code=201,
    responses=error_responses(403, 404, 409, 413, 415, 422),
    summary="Upload a document",
)
def upload(
    app: AppRef,
    data: MultipartBody[UploadForm],
    ims: Ims,
    actor: Caller,
) -> DocumentView:
    """Upload a file (``multipart/form-data`` with ``document_type`` and ``file``).

    The file is read in chunks up to the size limit (413 past it); its type is sniffed
    from the content (415 when not accepted); its SHA-256 is recorded.
    """
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    try:
        return ims.documents.upload(
            ref, data.document_type, data.file.filename or "upload", data.file.file, actor=actor
        )
    finally:
        data.file.file.close()


@post(
    "/applications/{app:str}/documents/missing",
    sync_to_thread=True,
    status_code=201,
    responses=error_responses(403, 404, 409, 422),
    summary="Record a missing document",
)
def mark_missing(app: AppRef, data: JSONBody[MissingDocument], ims: Ims, actor: Caller) -> DocumentView:
    """Record that a document was not supplied, with why (needs ``documents.verify``)."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.documents.mark_missing(ref, data.document_type, actor=actor, reason=data.reason)


@get(
    "/applications/{app:str}/documents",
    sync_to_thread=True,
    responses=error_responses(404),
    summary="Documents of an application",
)
def documents(app: AppRef, ims: Ims, actor: Caller) -> list[DocumentView]:
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    return ims.documents.list(ref)


@get(
    "/applications/{app:str}/checklist",
    sync_to_thread=True,
    responses=error_responses(404),
    summary="Document checklist",
)
def checklist(app: AppRef, ims: Ims, actor: Caller) -> list[ChecklistEntry]:
    """Every document type: required now (conditions applied) or not, and the best status so far."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    language = ims.config.settings.language
    return [
        ChecklistEntry(
            item.document_type.code,
            label_for(item.document_type.label, language, item.document_type.code),
            item.required,
            item.status,
        )
        for item in ims.documents.checklist(ref)
    ]


@get("/documents/{doc_id:int}", sync_to_thread=True, responses=error_responses(404), summary="A document")
def document(doc_id: DocId, ims: Ims, actor: Caller) -> DocumentView:
    view: DocumentView = visible_document(ims, actor, doc_id)
    return view


@post(
    "/documents/{doc_id:int}/verify",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404, 409, 422),
    summary="Verify a document",
)
def verify(doc_id: DocId, ims: Ims, actor: Caller) -> DocumentView:
    visible_document(ims, actor, doc_id)
    return ims.documents.verify(doc_id, actor=actor)


@post(
    "/documents/{doc_id:int}/reject",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404, 409, 422),
    summary="Reject a document",
)
def reject(doc_id: DocId, data: JSONBody[ReasonBody], ims: Ims, actor: Caller) -> DocumentView:
    """Reject with a reason; the uploader and the applicant are notified."""
    visible_document(ims, actor, doc_id)
    return ims.documents.reject(doc_id, data.reason, actor=actor)


@post(
    "/documents/{doc_id:int}/download-link",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404),
    summary="A signed download link",
)
def download_link(doc_id: DocId, ims: Ims, actor: Caller) -> DownloadLink:
    """A link to the file, valid ``settings.documents.token_ttl_seconds``, usable without credentials."""
    visible_document(ims, actor, doc_id)
    token = ims.documents.download_token(doc_id, actor=actor)
    ttl = ims.config.settings.documents.token_ttl_seconds
    return DownloadLink(f"/documents/download/{token}", token, ttl)


@get(
    "/documents/download/{token:str}",
    sync_to_thread=True,
    exclude_from_auth=True,
    responses=error_responses(403, 404, 503),
    summary="Download a file by its signed link",
    media_type="application/octet-stream",
)
def download(token: Annotated[str, PathParameter(max_length=1000)], ims: Ims) -> Stream:
    """The file's bytes (its SHA-256 checked first); the link's user must still be allowed to read it."""
    view, handle = ims.documents.open_download(token)
    name = quote(view.filename or f"document-{view.id}")
    return Stream(
        _chunks(handle),
        media_type=view.mime_type or "application/octet-stream",
        headers={
            "Content-Type": view.mime_type or "application/octet-stream",
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
            "X-Content-SHA256": view.sha256 or "",
        },
    )


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


router = Router(
    "/",
    route_handlers=[
        upload,
        mark_missing,
        documents,
        checklist,
        document,
        verify,
        reject,
        download_link,
        download,
    ],
    tags=["documents"],
)
