"""What handlers receive: the IMS, the calling actor, the expected version."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import HeaderParameter

from ims.errors import NotFound
from ims.facade import IMS
from ims.rules import Actor

#: ``If-Match: "3"`` (or ``3``): the version the caller last read; a stale one is a 409.
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        description='The application version the caller last read, e.g. "3"; a stale version gives 409',
        max_length=40,
    ),
]


#: the IMS the app serves, injected by name (``ims: Ims``)
Ims = NamedDependency[IMS]
#: the authenticated caller, injected by name (``actor: Caller``)
Caller = NamedDependency[Actor]


def provide_ims(state: State) -> IMS:
    ims: IMS = state.ims
    return ims


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    actor: Actor = request.user
    return actor


def expected_version(if_match: str | None, body_version: int | None = None) -> int | None:
    """The version from ``If-Match`` (``"3"``, ``W/"3"``, ``3``), else from the body."""
    if if_match is None or if_match.strip() == "*":
        return body_version
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 18:
        raise ValidationException(f'If-Match must be an application version such as "3", not {if_match!r}')
    return int(text)


def bad_query(problems: list[tuple[str, str]]) -> ValidationException:
    """A 400 for query parameters that do not say anything valid, shaped like Litestar's own 400s:
    ``details.problems`` is ``[{"message", "key", "source": "query"}]``."""
    return ValidationException(
        "; ".join(f"{key}: {message}" for key, message in problems),
        extra=[{"message": message, "key": key, "source": "query"} for key, message in problems],
    )


def check_query(*, times: dict[str, datetime | None], more: list[tuple[str, str]] | None = None) -> None:
    """400 when a time in the query has no time zone (``2026-01-01T00:00:00Z`` does, ``...T00:00:00``
    does not), or for the ``more`` problems a handler found."""
    problems = [
        (key, f"{value.isoformat()} has no time zone (add Z or +00:00, e.g. 2026-01-01T00:00:00Z)")
        for key, value in times.items()
        if value is not None and value.utcoffset() is None
    ]
    problems += more or []
    if problems:
        raise bad_query(problems)


def etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def visible_document(ims: IMS, actor: Actor, document_id: int) -> Any:
    """The document, if its application is visible to ``actor``; NotFound otherwise."""
    try:
        doc = ims.documents.get(document_id)
        ims.applications.require_visible(doc.application_id, actor=actor)
    except NotFound:
        raise NotFound(f"document {document_id} does not exist") from None
    return doc
