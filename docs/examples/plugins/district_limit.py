"""A rule predicate: the requested amount stays within a limit per district.

Use it in a workflow gate:

    when:
      predicate: within_district_limit
      args: {default: 60000, limits: {sipaliwini: 90000}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ims import hookimpl


def within_district_limit(ctx: Any, args: Mapping[str, Any]) -> str | None:
    data = ctx.snapshot.data
    district = (data.get("applicant") or {}).get("district")
    limit = args.get("limits", {}).get(district, args["default"])
    amount = data.get("requested_amount", 0)
    if amount <= limit:
        return None
    if ctx.language.startswith("nl"):
        return f"het gevraagde bedrag {amount} is hoger dan het maximum van {limit} voor dit district"
    return f"the requested amount {amount} is above the limit of {limit} for this district"


@hookimpl
def register_predicates(register: Callable[[str, Any], None]) -> None:
    register("within_district_limit", within_district_limit)
