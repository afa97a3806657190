"""Sentences a clerk can read: failure sentences and positive descriptions.

Sentences are in the context's language (``en`` or ``nl``, else English): the
templates are in :mod:`._phrases`, one per message id.  Labels come from the
configuration in that language (then English, then the code): document types
and categories from the reference data, steps from the workflow, roles from the
roles file.  A field's label is the last segment of its path with ``_`` read as
a space (``applicant.national_id`` -> ``national id``), in every language.
Every node can also describe itself positively ("district is a known
district"), which is what a failed ``not`` says it must not be.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ims.rules import _conditions as c
from ims.rules._context import EvalContext
from ims.rules._phrases import phrases_for, say, status_word


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


def join_or(items: Iterable[str], language: str = "en") -> str:
    """``a``, ``a or b``, ``a, b or c`` (``of`` in Dutch)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {say(language, 'or')} {items[-1]}"


def join_and(items: Iterable[str], language: str) -> str:
    """``a and b and c`` (``en`` in Dutch)."""
    return f" {say(language, 'and')} ".join(items)


def number(value: float, language: str = "en") -> str:
    """``3`` for 3.0, ``2.5`` for 2.5 (``2,5`` in Dutch): no trailing ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if not isinstance(value, float):
        return str(value)
    return repr(value).replace(".", phrases_for(language)["decimal-point"])


def value_text(value: Any, language: str = "en") -> str:
    """A data value inside a sentence: strings quoted, numbers plain."""
    if isinstance(value, bool):
        return say(language, "true" if value else "false")
    if isinstance(value, int | float):
        return number(value, language)
    if isinstance(value, str):
        return repr(value) if "'" not in value else f'"{value}"'
    if value is None:
        return say(language, "empty")
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v, language) for v in value)
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
        return say(ctx.language, "role.no-user")
    if not ctx.actor.roles:
        return say(ctx.language, "role.no-role")
    roles = ", ".join(sorted(role_label(ctx, r) for r in ctx.actor.roles))
    return say(ctx.language, "role.you-are", roles=roles)


# --------------------------------------------------------------------- field comparisons


def _operands(cond: c.FieldCompare, language: str) -> dict[str, str]:
    """``value`` (a list as ``'a', 'b'``) and ``options`` (``'a' or 'b'``)."""
    value = value_text(cond.value, language)
    if isinstance(cond.value, tuple):
        options = join_or((value_text(v, language) for v in cond.value), language)
    else:
        options = value
    return {"value": value, "options": options}


def field_required(cond: c.FieldCompare, ctx: EvalContext) -> str:
    return say(ctx.language, "field.required", field=field_label(cond))


def field_failure(cond: c.FieldCompare, actual: Any, ctx: EvalContext) -> str:
    """Why a present value fails (an absent one: :func:`field_required`)."""
    lang, label = ctx.language, field_label(cond)
    shown = value_text(actual, lang)
    if cond.op == "in_reference":
        category = category_label(ctx, cond.value)
        return say(lang, "field.in_reference", field=label, actual=shown, category=category)
    if cond.op in ("min_length", "max_length"):
        if isinstance(actual, str):
            key, size = f"field.{cond.op}.text", len(actual)
        else:
            key = f"field.{cond.op}.items"
            size = len(actual) if isinstance(actual, list | tuple | Mapping) else len(str(actual))
        return say(lang, key, field=label, value=cond.value, size=size)
    return say(lang, f"field.{cond.op}", field=label, actual=shown, **_operands(cond, lang))


def _describe_field(cond: c.FieldCompare, ctx: EvalContext) -> str:
    lang, label = ctx.language, field_label(cond)
    if cond.op == "present":
        return say(lang, "holds.field.present" if cond.value else "holds.field.absent", field=label)
    if cond.op == "in_reference":
        category = category_label(ctx, cond.value)
        return say(lang, "holds.field.in_reference", field=label, category=category)
    return say(lang, f"holds.field.{cond.op}", field=label, **_operands(cond, lang))


# --------------------------------------------------------------------- documents


def _status_word(statuses: tuple[str, ...], language: str) -> str:
    if set(statuses) == set(c.UPLOADED_STATUSES):
        return status_word(language, "UPLOADED")
    return join_or((status_word(language, s) for s in statuses), language)


def _documents_what(cond: c.Documents, ctx: EvalContext, count: int) -> str:
    if not cond.types:
        return say(ctx.language, "documents.a-document" if count == 1 else "documents.documents")
    return join_or((document_label(ctx, t) for t in cond.types), ctx.language)


def documents_failure(cond: c.Documents, found: int, ctx: EvalContext) -> str:
    """``plot map is needed (none uploaded)``, ``at least 4 photos are needed (2 uploaded)``."""
    lang = ctx.language
    status = _status_word(cond.statuses, lang)
    have = say(lang, "documents.have", count=found or say(lang, "none"), status=status)
    if found < cond.min_count:
        what = _documents_what(cond, ctx, cond.min_count)
        if cond.min_count == 1:
            return say(lang, "documents.needed", what=what, have=have)
        return say(lang, "documents.needed-many", min=cond.min_count, what=what, have=have)
    high = cond.max_count
    what = _documents_what(cond, ctx, high or 2)
    key = "documents.at-most-may" if high else "documents.none-may"
    return say(lang, key, max=high, what=what, status=status, have=have)


def _describe_documents(cond: c.Documents, ctx: EvalContext) -> str:
    lang = ctx.language
    status = _status_word(cond.statuses, lang)
    low, high = cond.min_count, cond.max_count
    if high is None:
        what = _documents_what(cond, ctx, low)
        key = "holds.documents.one" if low == 1 else "holds.documents.at-least"
    else:
        what = _documents_what(cond, ctx, high or 2)
        if low > 0:
            key = "holds.documents.between"
        else:
            key = "holds.documents.none" if high == 0 else "holds.documents.at-most"
    return say(lang, key, min=low, max=high, what=what, status=status)


def required_documents_failure(level: str, missing: list[str], total: int, language: str = "en") -> str:
    """``3 of 12 required documents are not verified: plot map, family extract, pay slip``."""
    key = "single" if total == 1 else "one" if len(missing) == 1 else "many"
    return say(
        language,
        f"required-documents.{key}",
        missing=len(missing),
        total=total,
        level=status_word(language, level.upper()),
        names=", ".join(missing),
    )


# --------------------------------------------------------------------- steps, roles, time


def step_failure(step: str, status: str, actual: str | None, ctx: EvalContext) -> str:
    """``step 'technical report' is not completed`` (``(is pending)`` when recorded)."""
    lang, label = ctx.language, step_label(ctx, step)
    wanted = status_word(lang, status)
    if actual is None:
        return say(lang, "step.not", step=label, status=wanted)
    return say(lang, "step.not-is", step=label, status=wanted, actual=status_word(lang, actual))


def step_field_failure(cond: c.StepField, sentence: str, ctx: EvalContext) -> str:
    """``step 'minister's decision': decision must be 'approve' (is 'reject')``."""
    return say(ctx.language, "step.field", step=step_label(ctx, cond.step), sentence=sentence)


def only_roles_may(roles: Iterable[str], doing: str, ctx: EvalContext) -> str:
    """``only director or minister may <doing> (you are: staff)``."""
    names = join_or((role_label(ctx, r) for r in roles), ctx.language)
    return say(ctx.language, "role.only", roles=names, doing=doing, you=actor_roles(ctx))


def role_failure(cond: c.HasRole, ctx: EvalContext) -> str:
    """``only director or minister may do this (you are: staff)``."""
    return only_roles_may(cond.roles, say(ctx.language, "role.do-this"), ctx)


def time_failure(cond: c.TimeInState, hours: float, language: str = "en") -> str:
    """``at least 48 hours must pass in this state (12 so far)``."""
    so_far = number(round(hours, 1), language)
    if cond.min_hours is not None and hours < cond.min_hours:
        return say(language, "time.min", hours=number(cond.min_hours, language), so_far=so_far)
    return say(language, "time.max", hours=number(cond.max_hours or 0, language), so_far=so_far)


def _describe_time(cond: c.TimeInState, language: str) -> str:
    parts = []
    if cond.min_hours is not None:
        parts.append(say(language, "holds.time.min", hours=number(cond.min_hours, language)))
    if cond.max_hours is not None:
        parts.append(say(language, "holds.time.max", hours=number(cond.max_hours, language)))
    return join_and(parts, language)


# --------------------------------------------------------------------- combinators


def none_of(parts: list[str], language: str = "en") -> str:
    """The sentence of a failed ``any``: ``none of: a; b``."""
    return say(language, "any.none-of", parts="; ".join(parts))


def not_allowed(cond: c.Not, ctx: EvalContext) -> str:
    """The sentence of a failed ``not``: ``not allowed when <child holds>``."""
    return say(ctx.language, "not.allowed", description=describe(cond.condition, ctx))


def describe(cond: c.Condition, ctx: EvalContext) -> str:
    """What it means that ``cond`` holds, e.g. ``district is one of 'a', 'b'``."""
    lang = ctx.language
    if isinstance(cond, c.All | c.Any):
        glue = say(lang, "and" if isinstance(cond, c.All) else "or")
        return f" {glue} ".join(_nested(child, ctx) for child in cond.conditions)
    if isinstance(cond, c.Not):
        return say(lang, "holds.not", description=describe(cond.condition, ctx))
    if isinstance(cond, c.FieldCompare):
        return _describe_field(cond, ctx)
    if isinstance(cond, c.Documents):
        return _describe_documents(cond, ctx)
    if isinstance(cond, c.RequiredDocuments):
        level = status_word(lang, cond.level.upper())
        return say(lang, "holds.required-documents", level=level)
    if isinstance(cond, c.StepIs):
        status = status_word(lang, cond.status)
        return say(lang, "holds.step", step=step_label(ctx, cond.step), status=status)
    if isinstance(cond, c.StepField):
        description = _describe_field(cond.compare, ctx)
        return say(lang, "holds.step.field", step=step_label(ctx, cond.step), description=description)
    if isinstance(cond, c.HasRole):
        return say(lang, "holds.role", roles=join_or((role_label(ctx, r) for r in cond.roles), lang))
    if isinstance(cond, c.TimeInState):
        return _describe_time(cond, lang)
    if isinstance(cond, c.PredicateCall):
        return say(lang, "holds.predicate", name=cond.name)
    return type(cond).__name__


def _nested(cond: c.Condition, ctx: EvalContext) -> str:
    text = describe(cond, ctx)
    return f"({text})" if isinstance(cond, c.All | c.Any) and len(cond.conditions) > 1 else text
