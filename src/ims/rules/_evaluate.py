"""Evaluate a condition tree against an :class:`EvalContext`.

``evaluate`` returns the failed conditions as sentences (an empty list when
the condition holds).  Absent data (a missing path, ``null`` or a blank
string) fails every field operator with ``"<field> is required"``, except
``present: false``, which it satisfies.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ims.errors import RuleError
from ims.rules import _conditions as c
from ims.rules import _sentences as s
from ims.rules._context import EvalContext, FailedCondition
from ims.rules._facts import holds_any_role

if TYPE_CHECKING:
    from ims.config.models import DocumentType, ImsConfig

_Evaluator = Callable[[Any, EvalContext], list[FailedCondition]]

_ABSENT: Any = object()


def evaluate(cond: c.Condition, ctx: EvalContext) -> list[FailedCondition]:
    """The failed parts of ``cond`` as sentences; empty when it holds.

    Raises:
        RuleError: the condition cannot be evaluated (unknown predicate or
            reference category, a predicate returning something odd).
    """
    try:
        evaluator = _EVALUATORS[type(cond)]
    except KeyError:
        raise RuleError(f"cannot evaluate {type(cond).__name__}: not a condition") from None
    return evaluator(cond, ctx)


def _failed(cond: c.Condition, ctx: EvalContext, sentence: str) -> list[FailedCondition]:
    if cond.message is not None:
        sentence = s.text_for(cond.message, ctx.language)
    return [FailedCondition(cond.kind, sentence)]


def resolve(data: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    """The value at a dot path (list items by index), or ``_ABSENT``."""
    current: Any = data
    for part in parts:
        try:
            current = current[part]
        except (KeyError, TypeError, IndexError):
            if isinstance(current, list | tuple) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
                continue
            return _ABSENT
    return current


def value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dot path of ``data``, ``None`` when absent."""
    value = resolve(data, tuple(path.split(".")))
    return None if value is _ABSENT else value


# --------------------------------------------------------------------- combinators


def _all(cond: c.All, ctx: EvalContext) -> list[FailedCondition]:
    failed: list[FailedCondition] = []
    for child in cond.conditions:
        failed.extend(evaluate(child, ctx))
    if failed and cond.message is not None:
        return _failed(cond, ctx, "")
    return failed


def _any(cond: c.Any, ctx: EvalContext) -> list[FailedCondition]:
    parts: list[str] = []
    for child in cond.conditions:
        failed = evaluate(child, ctx)
        if not failed:
            return []
        parts.append(s.join_and((f.message for f in failed), ctx.language))
    return _failed(cond, ctx, s.none_of(parts, ctx.language))


def _not(cond: c.Not, ctx: EvalContext) -> list[FailedCondition]:
    if evaluate(cond.condition, ctx):
        return []
    return _failed(cond, ctx, s.not_allowed(cond, ctx))


# --------------------------------------------------------------------- field comparisons


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(value: Any, operand: Any) -> bool:
        try:
            return test(value, operand)
        except TypeError:  # e.g. a string compared with a number: does not hold
            return False

    return compare


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | Mapping) else len(str(value))


def _matches(value: Any, cond: c.FieldCompare) -> bool:
    assert cond.regex is not None
    return cond.regex.search(value if isinstance(value, str) else str(value)) is not None


def _same(value: Any, operand: Any) -> bool:
    """Equality as JSON sees it: ``true`` is not ``1``."""
    return bool(value == operand) and isinstance(value, bool) == isinstance(operand, bool)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _same,
    "ne": lambda value, operand: not _same(value, operand),
    "gt": _ordered(operator.gt),
    "gte": _ordered(operator.ge),
    "lt": _ordered(operator.lt),
    "lte": _ordered(operator.le),
    "in": lambda value, options: any(_same(value, o) for o in options),
    "not_in": lambda value, options: not any(_same(value, o) for o in options),
    "min_length": lambda value, n: _length(value) >= n,
    "max_length": lambda value, n: _length(value) <= n,
}


def _field(cond: c.FieldCompare, ctx: EvalContext) -> list[FailedCondition]:
    sentence = _compare(cond, ctx.snapshot.data, ctx)
    return [] if sentence is None else _failed(cond, ctx, sentence)


def _compare(cond: c.FieldCompare, data: Mapping[str, Any], ctx: EvalContext) -> str | None:
    """``None`` when the value at ``cond.path`` of ``data`` compares; else why not."""
    value = resolve(data, cond.parts)
    op = cond.op
    if value is _ABSENT or value is None or (isinstance(value, str) and not value.strip()):
        if op == "present" and cond.value is False:
            return None
        return s.field_required(cond, ctx)
    compare = _COMPARE.get(op)
    if compare is not None:
        holds = compare(value, cond.value)
    elif op == "present":
        holds = cond.value is True
    elif op == "matches":
        holds = _matches(value, cond)
    else:  # in_reference
        category = ctx.config.reference.categories.get(cond.value)
        if category is None:
            raise RuleError(f"unknown reference category '{cond.value}' in field '{cond.path}'")
        holds = isinstance(value, str) and value in category.active_codes
    return None if holds else s.field_failure(cond, value, ctx)


# --------------------------------------------------------------------- documents


def _documents(cond: c.Documents, ctx: EvalContext) -> list[FailedCondition]:
    types, statuses = cond.types, cond.statuses
    found = sum(
        1 for doc in ctx.snapshot.documents if doc.status in statuses and (not types or doc.type in types)
    )
    high = cond.max_count
    if found >= cond.min_count and (high is None or found <= high):
        return []
    return _failed(cond, ctx, s.documents_failure(cond, found, ctx))


def document_types_in_order(config: ImsConfig) -> list[DocumentType]:
    """Every document type of the reference data, by ``order`` then code."""
    return sorted(config.reference.document_types.values(), key=lambda d: (d.order, d.code))


def required_now(ctx: EvalContext) -> list[DocumentType]:
    """Document types required for this application now, in ``order``.

    A type is required when ``required`` is true and its ``required_when``
    (if any) holds.
    """
    out: list[DocumentType] = []
    for doc_type in document_types_in_order(ctx.config):
        if not doc_type.required:
            continue
        when = doc_type.required_when
        if when is not None:
            if any(isinstance(node, c.RequiredDocuments) for node in c.walk(when)):
                raise RuleError(
                    f"required_when of document type '{doc_type.code}' cannot use"
                    " required_documents (it would depend on itself)"
                )
            if evaluate(when, ctx):
                continue
        out.append(doc_type)
    return out


def _required_documents(cond: c.RequiredDocuments, ctx: EvalContext) -> list[FailedCondition]:
    good = ("VERIFIED",) if cond.level == "verified" else c.UPLOADED_STATUSES
    have = {doc.type for doc in ctx.snapshot.documents if doc.status in good}
    required = required_now(ctx)
    missing = [s.document_label(ctx, doc_type.code) for doc_type in required if doc_type.code not in have]
    if not missing:
        return []
    sentence = s.required_documents_failure(cond.level, missing, len(required), ctx.language)
    return _failed(cond, ctx, sentence)


# --------------------------------------------------------------------- steps, roles, time, plugins


def _step(cond: c.StepIs, ctx: EvalContext) -> list[FailedCondition]:
    actual = ctx.snapshot.steps.get(cond.step)
    if actual == cond.status:
        return []
    return _failed(cond, ctx, s.step_failure(cond.step, cond.status, actual, ctx))


def _step_field(cond: c.StepField, ctx: EvalContext) -> list[FailedCondition]:
    actual = ctx.snapshot.steps.get(cond.step)
    if actual != c.COMPLETED:
        return _failed(cond, ctx, s.step_failure(cond.step, c.COMPLETED, actual, ctx))
    data = ctx.snapshot.step_data.get(cond.step) or {}
    sentence = _compare(cond.compare, data, ctx)
    if sentence is None:
        return []
    return _failed(cond, ctx, s.step_field_failure(cond, sentence, ctx))


def _role(cond: c.HasRole, ctx: EvalContext) -> list[FailedCondition]:
    if holds_any_role(ctx.actor, cond.role_set, ctx.snapshot):
        return []
    return _failed(cond, ctx, s.role_failure(cond, ctx))


def _time_in_state(cond: c.TimeInState, ctx: EvalContext) -> list[FailedCondition]:
    try:
        elapsed = ctx.now - ctx.snapshot.state_entered_at
    except TypeError:
        raise RuleError(
            "cannot measure time in state: 'now' and 'state_entered_at' must both be"
            " timezone-aware (or both naive)"
        ) from None
    hours = elapsed.total_seconds() / 3600
    low, high = cond.min_hours, cond.max_hours
    if (low is None or hours >= low) and (high is None or hours <= high):
        return []
    return _failed(cond, ctx, s.time_failure(cond, hours, ctx.language))


def _predicate(cond: c.PredicateCall, ctx: EvalContext) -> list[FailedCondition]:
    predicate = ctx.predicates.get(cond.name)
    if predicate is None:
        known = ", ".join(sorted(ctx.predicates)) or "none"
        raise RuleError(f"unknown predicate '{cond.name}' (known: {known})")
    result = predicate(ctx, cond.args)
    if result is None:
        return []
    if not isinstance(result, str):
        raise RuleError(
            f"predicate '{cond.name}' returned {type(result).__name__};"
            " it must return None (holds) or a sentence (fails)"
        )
    return _failed(cond, ctx, result)


_EVALUATORS: dict[type[c.Condition], _Evaluator] = {
    c.All: _all,
    c.Any: _any,
    c.Not: _not,
    c.FieldCompare: _field,
    c.Documents: _documents,
    c.RequiredDocuments: _required_documents,
    c.StepIs: _step,
    c.StepField: _step_field,
    c.HasRole: _role,
    c.TimeInState: _time_in_state,
    c.PredicateCall: _predicate,
}
