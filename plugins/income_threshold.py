"""The reference deployment's income rule: household income per person.

Predicate ``income_per_person_at_most`` (used by the ``accept_intake`` gate of
workflows/bouwsubsidie.yaml): the monthly household income divided by the size of
the household is at most ``limit`` SRD.  The household is the applicant, a spouse
or partner (marital status ``married`` or ``common_law``) and everyone listed in
``household_members``.

Args: ``limit`` (required, SRD a month per person); ``field`` (default
``applicant.income``).  An income not given holds: the ``submit`` gate already
asks for it where it is required, and this rule judges the amount, not whether
the form is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ims import RuleError, hookimpl

PARTNERED = frozenset({"married", "common_law"})


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def household_size(data: Mapping[str, Any]) -> int:
    applicant = data.get("applicant") or {}
    partner = 1 if applicant.get("marital_status") in PARTNERED else 0
    members = data.get("household_members") or []
    return 1 + partner + len(members)


def income_per_person_at_most(ctx: Any, args: Mapping[str, Any]) -> str | None:
    limit = args.get("limit")
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        raise RuleError(f"income_per_person_at_most needs a number as args.limit, not {limit!r}")
    income = _lookup(ctx.snapshot.data, str(args.get("field", "applicant.income")))
    if not isinstance(income, int | float) or isinstance(income, bool):
        return None
    persons = household_size(ctx.snapshot.data)
    per_person = income / persons
    if per_person <= limit:
        return None
    if ctx.language.startswith("nl"):
        return (
            f"het gezinsinkomen per persoon mag hoogstens {limit:,.0f} SRD per maand zijn "
            f"(is {per_person:,.0f} bij {persons} {'persoon' if persons == 1 else 'personen'})"
        ).replace(",", ".")
    return (
        f"the household income per person must be at most {limit:,.0f} SRD a month "
        f"(is {per_person:,.0f} for {persons} {'person' if persons == 1 else 'persons'})"
    )


@hookimpl
def register_predicates(register: Callable[[str, Any], None]) -> None:
    register("income_per_person_at_most", income_per_person_at_most)
