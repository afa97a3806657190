"""A local plugin file, loaded from a plugins directory by the tests."""

from __future__ import annotations

from typing import Any

from ims import hookimpl


def income_below(ctx: Any, args: Any) -> str | None:
    income = (ctx.snapshot.data.get("applicant") or {}).get("income")
    limit = args["limit"]
    if income is not None and income <= limit:
        return None
    return f"household income must be at most {limit} (is {income})"


@hookimpl
def register_predicates(register: Any) -> None:
    register("income_below", income_below)
