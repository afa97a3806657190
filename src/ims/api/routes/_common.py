"""Shared parameter types of the route modules."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

#: Database ids in paths: positive 32-bit integers (anything else is a 400, never a database error).
AppId = Annotated[int, Parameter(ge=1, le=2_147_483_647, description="The application's id")]
DocId = Annotated[int, Parameter(ge=1, le=2_147_483_647, description="The document's id")]
KeyId = Annotated[int, Parameter(ge=1, le=2_147_483_647, description="The API key's id")]
Limit = Annotated[int, Parameter(ge=1, le=200, description="How many items at most (1-200)")]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000, description="How many items to skip")]
