"""ims plugin: the rule predicate ``income_at_most``.

``{predicate: income_at_most, args: {limit: 3000, field: applicant.income}}`` holds
when the number at ``field`` (a dot path into the application data, default
``applicant.income``) is at most ``limit``.  A missing or non-numeric value fails:
a gate that limits the income also needs to know it.  Sentences are in Dutch when
the deployment's language is Dutch (``nl``, ``nl-SR``), else in English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ims import RuleError, hookimpl

__all__ = ["income_at_most", "register_predicates"]

DEFAULT_FIELD = "applicant.income"


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _number(value: float, dutch: bool) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    # 1,234.5 -> 1.234,5 in Dutch
    return text.translate(str.maketrans(",.", ".,")) if dutch else text


def income_at_most(ctx: Any, args: Mapping[str, Any]) -> str | None:
    """``None`` when the income is at most ``args["limit"]``, else why not."""
    limit = args.get("limit")
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise RuleError(f"income_at_most needs a number as args.limit, not {limit!r}")
    field = str(args.get("field", DEFAULT_FIELD))
    label = field.rsplit(".", 1)[-1].replace("_", " ")
    dutch = ctx.language.startswith("nl")
    value = _lookup(ctx.snapshot.data, field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        if dutch:
            return f"{'het inkomen' if label == 'income' else label} ontbreekt"
        return f"the {label} is missing"
    if value <= limit:
        return None
    if dutch:
        name = "het inkomen" if label == "income" else label
        return f"{name} mag hoogstens {_number(limit, True)} zijn (is {_number(value, True)})"
    return f"the {label} must be at most {_number(limit, False)} (is {_number(value, False)})"


@hookimpl
def register_predicates(register: Callable[[str, Any], None]) -> None:
    register("income_at_most", income_at_most)
