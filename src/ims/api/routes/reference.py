"""``/reference``: the coded values of reference.yaml (districts, marital statuses...)."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import FromQuery, PathParameter, QueryParameter

from ims.api.deps import Ims
from ims.api.errors import error_responses
from ims.services.reference import ReferenceItem

Language = Annotated[str | None, QueryParameter(pattern=r"^[a-z]{2,3}([_-][A-Za-z0-9]+)*$", max_length=20)]


@get("/", responses=error_responses(), summary="Reference categories")
async def categories(ims: Ims) -> list[str]:
    return ims.reference.categories()


@get("/{category:str}", responses=error_responses(404), summary="Values of a category")
async def values(
    category: Annotated[str, PathParameter(max_length=100)],
    ims: Ims,
    language: Language = None,
    include_inactive: FromQuery[bool] = False,
) -> list[ReferenceItem]:
    """The category's values in display order, labelled in ``language`` (default: the office's)."""
    return ims.reference.values(category, language=language, include_inactive=include_inactive)


router = Router("/reference", route_handlers=[categories, values], tags=["reference data"])
