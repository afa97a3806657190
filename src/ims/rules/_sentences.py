"""Sentences a clerk can read: failure sentences and positive descriptions.

Labels come from the configuration in the context's language (then English,
then the code): document types and categories from the reference data, steps
from the workflow, roles from the roles file.  A field's label is the last
segment of its path with ``_`` read as a space (``applicant.national_id`` ->
``national id``).  Every node can also describe itself positively ("district
is a known district"), which is what a failed ``not`` says it must not be.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ims.rules import _conditions as c
from ims.rules._context import EvalContext


def label_for(labels: Mapping[str, str], language: str, fallback: str) -> str:
    """The label in ``language``, else English, else any, else ``fallback``.

    (The same rule as ``ims.config.models.label_for``; rules cannot import
    config at run time, because config imports rules.)
    """
    return labels.get(language) or labels.get("en") or next(iter(labels.values()), fallback)


def text_for(message: c.Message, language: str) -> str:
    """A ``message`` override in ``language``."""
    return message if isinstance(message, str) else label_for(message, language, "")


def lower_first(text: str) -> str:
    """``Plot map`` -> ``plot map``, for labels inside a sentence; ``AOV x`` stays."""
    if not text or text[:2].isupper():
        return text
    return text[0].lower() + text[1:]


def join_or(items: Iterable[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def number(value: float) -> str:
    """``3`` for 3.0, ``2.5`` for 2.5: no trailing ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def value_text(value: Any) -> str:
    """A data value inside a sentence: strings quoted, numbers plain."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, str):
        return repr(value) if "'" not in value else f'"{value}"'
    if value is None:
        return "empty"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value)
    return str(value)


def field_label(cond: c.FieldCompare) -> str:
    return cond.parts[-1].replace("_", " ")


def document_label(ctx: EvalContext, code: str) -> str:
    doc = ctx.config.reference.document_types.get(code)
    return code if doc is None else lower_first(label_for(doc.label, ctx.language, code))


def category_label(ctx: EvalContext, name: str) -> str:
    cat = ctx.config.reference.categories.get(name)
    return name if cat is None else lower_first(label_for(cat.label, ctx.language, name))


def step_label(ctx: EvalContext, name: str) -> str:
    workflow = ctx.workflow
    step = None if workflow is None else workflow.steps.get(name)
    return name if step is None else lower_first(label_for(step.label, ctx.language, name))


def role_label(ctx: EvalContext, role: str) -> str:
    found = ctx.config.roles.roles.get(role)
    return role if found is None else lower_first(label_for(found.label, ctx.language, role))


def actor_roles(ctx: EvalContext) -> str:
    """``(you are: staff, control)`` / ``(you have no role)``."""
    if ctx.actor is None:
        return "(no user)"
    if not ctx.actor.roles:
        return "(you have no role)"
    return f"(you are: {', '.join(sorted(role_label(ctx, r) for r in ctx.actor.roles))})"


# --------------------------------------------------------------------- field comparisons

_FIELD_FAILS = {
    "eq": "must be {v} (is {a})",
    "ne": "must not be {v}",
    "gt": "must be more than {v} (is {a})",
    "gte": "must be at least {v} (is {a})",
    "lt": "must be less than {v} (is {a})",
    "lte": "must be at most {v} (is {a})",
    "in": "must be one of {v} (is {a})",
    "not_in": "must not be one of {v} (is {a})",
    "present": "must be empty (is {a})",
    "matches": "does not have the expected format (is {a})",
}
_FIELD_HOLDS = {
    "eq": "is {v}",
    "ne": "is not {v}",
    "gt": "is more than {v}",
    "gte": "is at least {v}",
    "lt": "is less than {v}",
    "lte": "is at most {v}",
    "in": "is one of {v}",
    "not_in": "is not one of {v}",
    "matches": "has the expected format",
    "min_length": "has a length of at least {v}",
    "max_length": "has a length of at most {v}",
}


def field_required(cond: c.FieldCompare) -> str:
    return f"{field_label(cond)} is required"


def field_failure(cond: c.FieldCompare, actual: Any, ctx: EvalContext) -> str:
    """Why a present value fails (an absent one: :func:`field_required`)."""
    label = field_label(cond)
    if cond.op == "in_reference":
        return f"{label} {value_text(actual)} is not a known {category_label(ctx, cond.value)}"
    if cond.op in ("min_length", "max_length"):
        bound = "at least" if cond.op == "min_length" else "at most"
        if isinstance(actual, str):
            return f"{label} must be {bound} {cond.value} characters long (is {len(actual)})"
        size = len(actual) if isinstance(actual, list | tuple | Mapping) else len(str(actual))
        return f"{label} must have {bound} {cond.value} items (has {size})"
    template = _FIELD_FAILS[cond.op]
    return f"{label} {template.format(v=value_text(cond.value), a=value_text(actual))}"


def _describe_field(cond: c.FieldCompare, ctx: EvalContext) -> str:
    label = field_label(cond)
    if cond.op == "present":
        return f"{label} is {'given' if cond.value else 'empty'}"
    if cond.op == "in_reference":
        return f"{label} is a known {category_label(ctx, cond.value)}"
    return f"{label} {_FIELD_HOLDS[cond.op].format(v=value_text(cond.value))}"


# --------------------------------------------------------------------- documents


def _status_word(statuses: tuple[str, ...]) -> str:
    if set(statuses) == set(c.UPLOADED_STATUSES):
        return "uploaded"
    return join_or(s.lower() for s in statuses)


def _documents_what(cond: c.Documents, ctx: EvalContext, count: int) -> str:
    if not cond.types:
        return "a document" if count == 1 else "documents"
    return join_or(document_label(ctx, t) for t in cond.types)


def documents_failure(cond: c.Documents, found: int, ctx: EvalContext) -> str:
    """``plot map is needed (none uploaded)``, ``at least 4 photos are needed (2 uploaded)``."""
    status = _status_word(cond.statuses)
    have = f"({found or 'none'} {status})"
    if found < cond.min_count:
        what = _documents_what(cond, ctx, cond.min_count)
        if cond.min_count == 1:
            return f"{what} is needed {have}"
        return f"at least {cond.min_count} {what} are needed {have}"
    high = cond.max_count
    what = _documents_what(cond, ctx, high or 2)
    if not high:
        return f"no {what} may be {status} {have}"
    return f"at most {high} {what} may be {status} {have}"


def _describe_documents(cond: c.Documents, ctx: EvalContext) -> str:
    status = _status_word(cond.statuses)
    low, high = cond.min_count, cond.max_count
    if high is None:
        what = _documents_what(cond, ctx, low)
        return f"{what} is {status}" if low == 1 else f"at least {low} {what} are {status}"
    what = _documents_what(cond, ctx, high or 2)
    if low > 0:
        return f"between {low} and {high} {what} are {status}"
    return f"no {what} is {status}" if high == 0 else f"at most {high} {what} are {status}"


def required_documents_failure(level: str, missing: list[str], total: int) -> str:
    """``3 of 12 required documents are not verified: plot map, family extract, pay slip``."""
    noun = "document" if total == 1 else "documents"
    verb = "is" if len(missing) == 1 else "are"
    return f"{len(missing)} of {total} required {noun} {verb} not {level}: {', '.join(missing)}"


# --------------------------------------------------------------------- steps, roles, time


def _status_text(status: str) -> str:
    return status.lower().replace("_", " ")


def step_failure(cond: c.StepIs, actual: str | None, ctx: EvalContext) -> str:
    """``step 'technical report' is not completed`` (``(is pending)`` when recorded)."""
    text = f"step '{step_label(ctx, cond.step)}' is not {_status_text(cond.status)}"
    return text if actual is None else f"{text} (is {_status_text(actual)})"


def only_roles_may(roles: Iterable[str], doing: str, ctx: EvalContext) -> str:
    """``only director or minister may <doing> (you are: staff)``."""
    return f"only {join_or(role_label(ctx, r) for r in roles)} may {doing} {actor_roles(ctx)}"


def role_failure(cond: c.HasRole, ctx: EvalContext) -> str:
    """``only director or minister may do this (you are: staff)``."""
    return only_roles_may(cond.roles, "do this", ctx)


def time_failure(cond: c.TimeInState, hours: float) -> str:
    """``at least 48 hours must pass in this state (12 so far)``."""
    so_far = number(round(hours, 1))
    if cond.min_hours is not None and hours < cond.min_hours:
        return f"at least {number(cond.min_hours)} hours must pass in this state ({so_far} so far)"
    return f"at most {number(cond.max_hours or 0)} hours may pass in this state ({so_far} so far)"


def _describe_time(cond: c.TimeInState) -> str:
    parts = []
    if cond.min_hours is not None:
        parts.append(f"at least {number(cond.min_hours)} hours passed in this state")
    if cond.max_hours is not None:
        parts.append(f"at most {number(cond.max_hours)} hours passed in this state")
    return " and ".join(parts)


# --------------------------------------------------------------------- combinators


def none_of(parts: list[str]) -> str:
    """The sentence of a failed ``any``: ``none of: a; b``."""
    return f"none of: {'; '.join(parts)}"


def not_allowed(cond: c.Not, ctx: EvalContext) -> str:
    """The sentence of a failed ``not``: ``not allowed when <child holds>``."""
    return f"not allowed when {describe(cond.condition, ctx)}"


def describe(cond: c.Condition, ctx: EvalContext) -> str:
    """What it means that ``cond`` holds, e.g. ``district is one of 'a', 'b'``."""
    if isinstance(cond, c.All | c.Any):
        glue = " and " if isinstance(cond, c.All) else " or "
        return glue.join(_nested(child, ctx) for child in cond.conditions)
    if isinstance(cond, c.Not):
        return f"not ({describe(cond.condition, ctx)})"
    if isinstance(cond, c.FieldCompare):
        return _describe_field(cond, ctx)
    if isinstance(cond, c.Documents):
        return _describe_documents(cond, ctx)
    if isinstance(cond, c.RequiredDocuments):
        return f"all required documents are {cond.level}"
    if isinstance(cond, c.StepIs):
        return f"step '{step_label(ctx, cond.step)}' is {_status_text(cond.status)}"
    if isinstance(cond, c.HasRole):
        return f"you are {join_or(role_label(ctx, r) for r in cond.roles)}"
    if isinstance(cond, c.TimeInState):
        return _describe_time(cond)
    if isinstance(cond, c.PredicateCall):
        return f"'{cond.name}' holds"
    return type(cond).__name__


def _nested(cond: c.Condition, ctx: EvalContext) -> str:
    text = describe(cond, ctx)
    return f"({text})" if isinstance(cond, c.All | c.Any) and len(cond.conditions) > 1 else text
