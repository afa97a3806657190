"""Shared parameter types of the route modules."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

#: Database ids in paths: positive 32-bit integers (anything else is a 400, never a database error).
AppId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The application's id")]
DocId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The document's id")]
KeyId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The API key's id")]
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="How many items at most (1-200)")]
Offset = Annotated[int, QueryParameter(ge=0, le=1_000_000, description="How many items to skip")]
