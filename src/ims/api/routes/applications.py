"""``/applications``: create, read, update data, search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Response, Router, get, patch, post
from litestar.params import JSONBody, QueryParameter

from ims.api.auth import requires_permission
from ims.api.deps import Caller, IfMatch, Ims, check_query, etag, expected_version
from ims.api.errors import error_responses
from ims.api.routes._common import AppRef
from ims.api.schemas import ApplicationCreate, DataPatch
from ims.errors import ValidationFailed
from ims.services._search import SORT_COLUMNS, ApplicationQuery, decode_cursor
from ims.services.applications import ApplicationPage, ApplicationView, application_ref

SortKey = Annotated[
    str,
    QueryParameter(
        description="Sort key, '-' for descending",
        pattern="^-?(" + "|".join(SORT_COLUMNS) + ")$",
    ),
]
Filter = Annotated[str | None, QueryParameter(max_length=200)]


@post(
    "/",
    sync_to_thread=True,
    responses=error_responses(403, 404, 422),
    summary="Create an application",
    # the permission before the body: a caller without it gets 403 whatever they send
    guards=[requires_permission("application.create")],
)
def create(data: JSONBody[ApplicationCreate], ims: Ims, actor: Caller) -> Response[ApplicationView]:
    """Create an application in its workflow's initial state (needs ``application.create``; 403
    without it, whatever the body).  ``applicant`` and ``assignee`` must be users (422 otherwise)."""
    view = ims.applications.create(
        data.workflow,
        data.data,
        actor=actor,
        applicant=data.applicant,
        assignee=data.assignee,
        priority=data.priority,
    )
    return Response(view, status_code=201, headers=etag(view.version))


@get("/", sync_to_thread=True, responses=error_responses(422), summary="Search applications")
def search(
    ims: Ims,
    actor: Caller,
    workflow: Filter = None,
    in_state: Annotated[str | None, QueryParameter(name="state", max_length=200)] = None,
    assignee: Filter = None,
    applicant: Filter = None,
    district: Filter = None,
    priority: Annotated[int | None, QueryParameter(ge=1, le=4)] = None,
    created_from: Annotated[
        datetime | None, QueryParameter(description="Created at or after (with a time zone; 400 without)")
    ] = None,
    created_to: Annotated[
        datetime | None, QueryParameter(description="Created before (with a time zone; 400 without)")
    ] = None,
    q: Annotated[
        str | None, QueryParameter(max_length=100, description="Text in the number or applicant name")
    ] = None,
    sort: SortKey = "-created_at",
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, QueryParameter(max_length=400, description="next_cursor of the previous page")
    ] = None,
    page: Annotated[
        int | None, QueryParameter(ge=1, le=100_000, description="Page number (instead of a cursor)")
    ] = None,
) -> ApplicationPage:
    """The applications the caller may see (an applicant: their own), filtered, sorted, one page.

    Keyset pagination: pass the previous page's ``next_cursor`` as ``cursor``.  Or
    number the pages with ``page`` (1, 2, ...).  A time without a time zone, a cursor that
    is not one of this sort order, or a cursor with a page is a 400.
    """
    more: list[tuple[str, str]] = []
    if cursor is not None and page is not None:
        more.append(("page", "give a cursor or a page, not both"))
    elif cursor is not None:
        try:
            decode_cursor(cursor, SORT_COLUMNS[sort.removeprefix("-")])
        except ValidationFailed as exc:
            more.append(("cursor", "; ".join(exc.problems)))
    check_query(times={"created_from": created_from, "created_to": created_to}, more=more)
    query = ApplicationQuery(
        workflow=workflow,
        state=in_state,
        assignee=assignee,
        applicant=applicant,
        district=district,
        priority=priority,
        created_from=created_from,
        created_to=created_to,
        text=q,
        sort=sort,
        limit=limit,
        cursor=cursor,
        page=page,
    )
    return ims.applications.search(query, actor=actor)


@get("/{app:str}", sync_to_thread=True, responses=error_responses(404), summary="Read an application")
def read(app: AppRef, ims: Ims, actor: Caller) -> Response[ApplicationView]:
    """The application (404 when it does not exist or the caller may not see it); ``ETag`` is its version."""
    view = ims.applications.get(application_ref(app), actor=actor)
    return Response(view, headers=etag(view.version))


@patch(
    "/{app:str}/data",
    sync_to_thread=True,
    responses=error_responses(403, 404, 409, 422),
    summary="Update an application's data",
)
def update_data(
    app: AppRef, data: JSONBody[DataPatch], ims: Ims, actor: Caller, if_match: IfMatch = None
) -> Response[ApplicationView]:
    """Merge top-level keys into the data (``null`` deletes one); a stale version is a 409."""
    ref = application_ref(app)
    ims.applications.require_visible(ref, actor=actor)
    view = ims.applications.update_data(
        ref, data.data, actor=actor, expected_version=expected_version(if_match, data.version)
    )
    return Response(view, headers=etag(view.version))


router = Router("/applications", route_handlers=[create, search, read, update_data], tags=["applications"])
