"""Shared parameter types of the route modules."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

#: An application in a path: its id (digits) or its number; read with
#: :func:`ims.services.applications.application_ref`.  Letters, digits and ``-._~``
#: (what a URL carries unescaped); anything else is a 400, never a database error.
AppRef = Annotated[
    str,
    PathParameter(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._~-]+$",
        description="The application: its id (e.g. 17) or its number (e.g. BS-2026-000017)",
    ),
]
#: Database ids in paths: positive 32-bit integers (anything else is a 400, never a database error).
DocId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The document's id")]
KeyId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The API key's id")]
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="How many items at most (1-200)")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000, description="How many items to skip")]
