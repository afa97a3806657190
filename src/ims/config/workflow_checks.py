"""Checks of one workflow, and the name checks every semantic check shares.

:func:`check_workflow` needs only the workflow and the names it may refer to
(:class:`Known`); :mod:`ims.config.semantic` gathers those across files.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ims.config.models import ANY_STATE, PREVIOUS_STATE
from ims.config.validate import issues_from_errors, schema_errors_of, suggest
from ims.config.yaml_marks import JsonPath, Part
from ims.errors import ConfigIssue

#: Placeholders of application number patterns.
NUMBER_FIELDS = ("year", "seq")


@dataclass(frozen=True)
class Known:
    """Names conditions and definitions may use; ``None``: unknown, skip the check."""

    roles: frozenset[str] | None = None
    permissions: frozenset[str] | None = None
    document_types: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    steps: frozenset[str] | None = None
    predicates: frozenset[str] | None = None
    #: the workflow's data schema: ``field`` paths it forbids are reported
    data_schema: Mapping[str, Any] | None = None
    #: step name -> the step's schema: ``step`` + ``field`` paths it forbids are reported
    step_schemas: Mapping[str, Mapping[str, Any]] | None = None


def check_number_pattern(part: Part, path: JsonPath, pattern: str, out: list[ConfigIssue]) -> None:
    """``{year}`` and ``{seq:06d}`` only; ``{seq}`` is needed or numbers repeat."""
    example = "'APP-{year}-{seq:06d}'"
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        unknown = [f for f in fields if f not in NUMBER_FIELDS]
        if unknown:
            message = f"unknown placeholder {{{unknown[0]}}} in number pattern {pattern!r}"
            out.append(
                part.issue(path, "bad-number-pattern", message, f"use {{year}} and {{seq}}, e.g. {example}")
            )
            return
        pattern.format(year=2024, seq=1)
    except (ValueError, IndexError) as exc:
        message = f"number pattern {pattern!r} is not valid: {exc}"
        out.append(part.issue(path, "bad-number-pattern", message, f"e.g. {example}"))
        return
    if "seq" not in fields:
        message = f"number pattern {pattern!r} has no {{seq}} placeholder"
        out.append(part.issue(path, "bad-number-pattern", message, f"numbers would repeat; e.g. {example}"))


# --------------------------------------------------------------------------- conditions


def check_condition(
    part: Part,
    path: JsonPath,
    cond: Any,
    known: Known,
    out: list[ConfigIssue],
    *,
    in_required_when: bool = False,
) -> None:
    """Names a (schema-valid) condition uses: document types, steps, roles, categories."""
    if not isinstance(cond, Mapping):
        return
    for op in ("all", "any"):
        for i, child in enumerate(cond.get(op) or []):
            check_condition(part, (*path, op, i), child, known, out, in_required_when=in_required_when)
    if "not" in cond:
        check_condition(part, (*path, "not"), cond["not"], known, out, in_required_when=in_required_when)
    docs = cond.get("documents")
    if isinstance(docs, Mapping):
        here = (*path, "documents")
        types = [((*here, "type"), docs["type"])] if "type" in docs else []
        types += [((*here, "types", i), t) for i, t in enumerate(docs.get("types") or [])]
        for where, name in types:
            known_name(part, where, name, known.document_types, "document type", out)
        if docs.get("min", 0) > docs.get("max", float("inf")):
            message = f"'min' ({docs['min']}) is more than 'max' ({docs['max']})"
            out.append(part.issue((*here, "min"), "bad-condition", message))
    field = cond.get("field")
    if "step" in cond:
        step_ok = known_name(part, (*path, "step"), cond["step"], known.steps, "step", out)
        schemas = known.step_schemas
        if isinstance(field, str) and step_ok and schemas is not None and cond["step"] in schemas:
            schema_name = f"the schema of step '{cond['step']}'"
            _condition_field(part, (*path, "field"), field, schemas[cond["step"]], out, schema_name)
    elif isinstance(field, str) and known.data_schema is not None:
        _condition_field(part, (*path, "field"), field, known.data_schema, out)
    roles = cond.get("role")
    for i, role in enumerate([roles] if isinstance(roles, str) else roles or []):
        where = (*path, "role") if isinstance(roles, str) else (*path, "role", i)
        known_name(part, where, role, known.roles, "role", out)
    if "in_reference" in cond:
        known_name(part, (*path, "in_reference"), cond["in_reference"], known.categories, "category", out)
    if "predicate" in cond:
        known_name(part, (*path, "predicate"), cond["predicate"], known.predicates, "predicate", out)
    if in_required_when and "required_documents" in cond:
        message = "'required_documents' cannot decide whether a document is required"
        message += " (it would depend on itself)"
        out.append(part.issue((*path, "required_documents"), "bad-condition", message, key=True))


_CODES = {
    "role": ("unknown-role", "roles"),
    "permission": ("unknown-permission", "permissions"),
    "document type": ("unknown-document-type", "document types"),
    "category": ("unknown-category", "reference categories"),
    "step": ("unknown-step", "steps"),
    "predicate": ("unknown-predicate", "predicates"),
    "state": ("unknown-state", "states"),
    "workflow": ("unknown-workflow", "workflows"),
}


def known_name(
    part: Part,
    path: JsonPath,
    name: Any,
    known: Iterable[str] | None,
    what: str,
    out: list[ConfigIssue],
    *,
    key: bool = False,
) -> bool:
    """Report ``name`` unless it is in ``known`` (``None``: unknown, accept). True if known."""
    if known is None or not isinstance(name, str):
        return True
    pool = frozenset(known)
    if name in pool:
        return True
    code, plural = _CODES[what]
    out.append(part.issue(path, code, f"unknown {what} '{name}'", suggest(name, pool, plural), key=key))
    return False


# --------------------------------------------------------------------------- workflows


def check_workflow(part: Part, known: Known, out: list[ConfigIssue]) -> None:
    wf = part.data
    states: dict[str, Any] = wf["states"]
    steps: dict[str, Any] = wf.get("steps", {})
    known = replace(known, step_schemas={name: step.get("schema", {}) for name, step in steps.items()})
    if "number_pattern" in wf:
        check_number_pattern(part, ("number_pattern",), wf["number_pattern"], out)
    _json_schema(part, ("data_schema",), wf.get("data_schema"), out)
    for key, permission in wf.get("field_permissions", {}).items():
        where: JsonPath = ("field_permissions", key)
        _data_field(part, where, key, f"field '{key}'", out, key=True)
        known_name(part, where, permission, known.permissions, "permission", out)
    for name, step in wf.get("steps", {}).items():
        if "permission" in step:
            where = ("steps", name, "permission")
            known_name(part, where, step["permission"], known.permissions, "permission", out)
        _json_schema(part, ("steps", name, "schema"), step.get("schema"), out)
    initial_ok = known_name(part, ("initial_state",), wf["initial_state"], states, "state", out)
    for name, state in states.items():
        for i, effect in enumerate(state.get("on_enter", [])):
            _effect(part, ("states", name, "on_enter", i), effect, known, out)
    _steps_opened(part, steps, states, out)
    sources = [_transition(part, i, t, known, out) for i, t in enumerate(wf.get("transitions", []))]
    _duplicates(part, sources, out)
    if initial_ok:
        _reachability(part, sources, out)


def _steps_opened(
    part: Part, steps: Mapping[str, Any], states: Mapping[str, Any], out: list[ConfigIssue]
) -> None:
    """A step is recorded only once a state's ``open_step`` opened it: one no state opens never can be."""
    opened = {
        effect.get("open_step")
        for state in states.values()
        for effect in state.get("on_enter", [])
        if isinstance(effect, Mapping)
    }
    if not opened <= set(steps) | {None}:
        return  # an open_step names an unknown step: that typo is reported, and is likely the one
    for name in steps:
        if name not in opened:
            message = f"step '{name}' is never opened: no state's on_enter has 'open_step: {name}'"
            hint = f"add '- open_step: {name}' to the on_enter of the state working on it, or drop the step"
            out.append(part.issue(("steps", name), "step-never-opened", message, hint, key=True))


def _json_schema(part: Part, path: JsonPath, value: Any, out: list[ConfigIssue]) -> None:
    if value is None:
        return
    sub = Part(part.file, (*part.base, *path), value)
    for issue in issues_from_errors(sub, schema_errors_of(value), code="bad-schema"):
        out.append(replace(issue, message=f"invalid JSON Schema: {issue.message}"))


def _effect(
    part: Part, path: JsonPath, effect: Mapping[str, Any], known: Known, out: list[ConfigIssue]
) -> None:
    if "open_step" in effect:
        known_name(part, (*path, "open_step"), effect["open_step"], known.steps, "step", out)
    body = effect.get("open_task") or effect.get("notify") or {}
    kind = "open_task" if "open_task" in effect else "notify"
    for i, role in enumerate(body.get("roles", [])):
        known_name(part, (*path, kind, "roles", i), role, known.roles, "role", out)
    assignee = body.get("assignee_field")
    if isinstance(assignee, str):
        where = (*path, kind, "assignee_field")
        _data_field(part, where, assignee, f"assignee field '{assignee}'", out)


def _condition_field(
    part: Part,
    path: JsonPath,
    field: str,
    schema: Mapping[str, Any],
    out: list[ConfigIssue],
    where: str = "the data schema",
) -> None:
    """Report a ``field`` path ``schema`` rules out (``additionalProperties: false``).

    ``schema`` is the data schema, or a step's schema for ``step`` + ``field``.
    Such a field is never present, so the condition could never hold (or always would).
    """
    node: Any = schema
    for segment in field.split("."):
        props = node.get("properties") if isinstance(node, Mapping) else None
        if not isinstance(props, Mapping):
            return
        if segment not in props:
            if node.get("additionalProperties") is False:
                message = f"field '{field}' is not in {where} ('{segment}' is not allowed)"
                out.append(part.issue(path, "unknown-field", message, suggest(segment, props)))
            return
        node = props[segment]


def _data_field(
    part: Part, path: JsonPath, field: str, what: str, out: list[ConfigIssue], *, key: bool = False
) -> None:
    """Report a data field (dot path) whose first segment the data schema does not declare.

    Only when the data schema lists ``properties``: without them any field may exist.
    """
    props = part.data.get("data_schema", {}).get("properties")
    top = field.split(".")[0]
    if isinstance(props, Mapping) and top not in props:
        message = f"{what} is not a property of the data schema"
        hint = suggest(top, props, "properties")
        out.append(part.issue(path, "unknown-field", message, hint, key=key))


def _transition(
    part: Part, i: int, t: Mapping[str, Any], known: Known, out: list[ConfigIssue]
) -> frozenset[str]:
    """Check one transition; return the states it leaves (``*`` expanded)."""
    states: dict[str, Any] = part.data["states"]
    here: JsonPath = ("transitions", i)
    froms = (
        [(t["from"], (*here, "from"))]
        if isinstance(t["from"], str)
        else [(f, (*here, "from", j)) for j, f in enumerate(t["from"])]
    )
    sources: set[str] = set()
    for name, path in froms:
        if name == ANY_STATE:
            sources.update(n for n, s in states.items() if not (s.get("final") or s.get("hold")))
        elif name == PREVIOUS_STATE:
            message = f"'{PREVIOUS_STATE}' can only be a target ('to'), not a source"
            out.append(part.issue(path, "unknown-state", message))
        elif known_name(part, path, name, states, "state", out):
            sources.add(name)
            if states[name].get("final"):
                message = f"'{name}' is a final state: no transition may leave it"
                hint = "remove it from 'from', or make the state not final"
                out.append(part.issue(path, "final-state-exit", message, hint))
    to = t["to"]
    if to == PREVIOUS_STATE:
        for name, _ in froms:
            if name == ANY_STATE or (name in states and not states[name].get("hold")):
                shown = "'*' (non-hold states)" if name == ANY_STATE else f"'{name}'"
                message = f"'{PREVIOUS_STATE}' only returns from a hold state, and {shown} is not one"
                hint = "mark the state 'hold: true', or name the target state"
                out.append(part.issue((*here, "to"), "bad-previous", message, hint))
    elif to == ANY_STATE:
        out.append(part.issue((*here, "to"), "unknown-state", "'*' can only be a source ('from')"))
    else:
        known_name(part, (*here, "to"), to, states, "state", out)
    for j, role in enumerate(t.get("roles", [])):
        known_name(part, (*here, "roles", j), role, known.roles, "role", out)
    if "when" in t:
        check_condition(part, (*here, "when"), t["when"], known, out)
    for j, effect in enumerate(t.get("effects", [])):
        _effect(part, (*here, "effects", j), effect, known, out)
    return frozenset(sources)


def _duplicates(part: Part, sources: list[frozenset[str]], out: list[ConfigIssue]) -> None:
    transitions = part.data.get("transitions", [])
    for i, t in enumerate(transitions):
        for j in range(i):
            overlap = sources[i] & sources[j]
            if transitions[j]["name"] != t["name"] or not overlap:
                continue
            line = part.position(("transitions", j, "name"))[0]
            shown = ", ".join(f"'{s}'" for s in sorted(overlap))
            message = f"transition '{t['name']}' from {shown} is already defined at line {line}"
            hint = "rename one of them, or make their 'from' states disjoint"
            out.append(part.issue(("transitions", i, "from"), "duplicate-transition", message, hint))
            break


def _reachability(part: Part, sources: list[frozenset[str]], out: list[ConfigIssue]) -> None:
    states: dict[str, Any] = part.data["states"]
    transitions = part.data.get("transitions", [])
    entering: dict[str, set[str]] = {}  # state -> the states transitions enter it from
    for t, srcs in zip(transitions, sources, strict=True):
        entering.setdefault(t["to"], set()).update(srcs)
    edges: dict[str, set[str]] = {}
    for t, srcs in zip(transitions, sources, strict=True):
        for src in srcs:
            if t["to"] == PREVIOUS_STATE:
                targets = entering.get(src, set()) if states[src].get("hold") else set()
            else:
                targets = {t["to"]}
            edges.setdefault(src, set()).update(targets)
    initial = part.data["initial_state"]
    reached, todo = {initial}, [initial]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt in states and nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    for name in states:
        if name not in reached:
            message = f"state '{name}' cannot be reached from the initial state '{initial}'"
            hint = "add a transition into it, or remove it"
            out.append(part.issue(("states", name), "unreachable-state", message, hint, key=True))
