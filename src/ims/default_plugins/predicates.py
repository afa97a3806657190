"""Built-in rule predicates.

``age_at_least``: the applicant's age (from a date-of-birth field) is at least
``years`` on the evaluation's ``now``.  Args: ``field`` (default
``applicant.date_of_birth``), ``years``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ims.hooks import hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ims.rules import EvalContext, Predicate


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def age_at_least(ctx: EvalContext, args: Mapping[str, Any]) -> str | None:
    field = str(args.get("field", "applicant.date_of_birth"))
    years = int(args.get("years", 18))
    raw = _lookup(ctx.snapshot.data, field)
    try:
        born = date.fromisoformat(str(raw))
    except ValueError:
        label = field.rsplit(".", 1)[-1].replace("_", " ")
        if ctx.language.startswith("nl"):
            return f"{label} is geen geldige datum"
        return f"{label} is not a valid date"
    today = ctx.now.date()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age >= years:
        return None
    if ctx.language.startswith("nl"):
        return f"de aanvrager moet minstens {years} jaar oud zijn (is {age})"
    return f"the applicant must be at least {years} years old (is {age})"


@hookimpl(trylast=True)
def register_predicates(register: Callable[[str, Predicate], None]) -> None:
    register("age_at_least", age_at_least)
