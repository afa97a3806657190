"""Validate configuration data against the JSON Schemas in :mod:`ims.schemas`.

Every error becomes one :class:`~ims.errors.ConfigIssue` (code ``schema``) with
the file, line and column of the offending value, its JSON pointer and a
sentence a person can act on.  Schemas may carry ``errorMessage`` (the keyword
VS Code and ajv-errors understand) to replace jsonschema's generic text for
``oneOf``/``anyOf``/``not`` and property-count failures, or to explain a
``pattern`` or an unexpected key.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from ims.config.yaml_marks import JsonPath, Part
from ims.errors import ConfigIssue

#: The folder shipping ``*.schema.json`` (package data).
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
#: Schema names: ``ims`` is ``ims.schema.json`` and so on.
SCHEMA_NAMES = ("ims", "roles", "reference", "sla", "notifications", "workflow", "condition")

_REPLACED = frozenset({"oneOf", "anyOf", "not", "minProperties", "maxProperties", "false"})


@cache
def schema(name: str) -> dict[str, Any]:
    """The parsed ``<name>.schema.json``."""
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text("utf-8"))
    return loaded


@cache
def _registry() -> Registry[Any]:
    resources = [(schema(n)["$id"], Resource.from_contents(schema(n))) for n in SCHEMA_NAMES]
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry


@cache
def validator(name: str) -> Any:
    """A ``Draft202012Validator`` for schema ``name`` that checks ``format`` too."""
    return Draft202012Validator(
        schema(name),
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def validate(part: Part, schema_name: str) -> list[ConfigIssue]:
    """All schema errors of ``part`` against ``schema_name``, in file order.

    A value already reported as an ambiguous YAML boolean (``final: yes``) is not
    reported again for having the wrong type.
    """
    ambiguous = {i.pointer for i in part.file.issues if i.code == "yaml-ambiguous"}
    issues = issues_from_errors(part, validator(schema_name).iter_errors(part.data))
    return [i for i in issues if i.pointer not in ambiguous]


def issues_from_errors(
    part: Part, errors: Iterable[ValidationError], code: str = "schema"
) -> list[ConfigIssue]:
    """Convert jsonschema errors to issues: one per unexpected key, deduplicated, sorted.

    A key unknown at two levels of a schema (a condition and its form) is reported once.
    """
    issues: list[ConfigIssue] = []
    seen: set[tuple[str, str]] = set()
    for error in errors:
        for issue in _convert(part, error, code):
            unknown_key = issue.message.startswith(("unknown key ", "key "))
            key = (issue.pointer, "key" if unknown_key else issue.message)
            if key not in seen:
                seen.add(key)
                issues.append(issue)
    return sorted(issues, key=lambda i: (i.line, i.column, i.pointer))


def _convert(part: Part, error: ValidationError, code: str) -> list[ConfigIssue]:
    path: JsonPath = tuple(error.absolute_path)
    own: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    custom = own.get("errorMessage")
    kind = str(error.validator)
    instance = error.instance

    if "propertyNames" in error.absolute_schema_path:
        name = str(instance)
        explain = custom if isinstance(custom, str) else None
        return [part.issue((*path, name), code, f"invalid name {name!r}", explain, key=True)]
    if kind == "additionalProperties" and isinstance(instance, dict):
        return [_unknown_key(part, path, own, key, code) for key in _extra_keys(instance, own)]
    if kind in _REPLACED and isinstance(custom, str):
        return [part.issue(path, code, custom)]
    if kind in ("oneOf", "anyOf"):
        return [_alternatives(part, error, path, code)]

    hint: str | None = None
    if kind == "type":
        expected = error.validator_value
        types = [expected] if isinstance(expected, str) else list(expected)
        message = f"{render(instance)} is not of type {' or '.join(repr(t) for t in types)}"
        if not path and instance is None:
            message = f"the file is empty; expected {' or '.join(types)}"
        hint = _yaml_hint(part, path, instance, types)
    elif kind == "required":
        missing = [k for k in error.validator_value if k not in instance]
        name = next((k for k in missing if error.message.startswith(repr(k))), missing[0])
        message = f"missing required key {name!r}"
    elif kind == "enum":
        allowed = list(error.validator_value)
        message = f"{render(instance)} is not one of {', '.join(render(a) for a in allowed)}"
        hint = suggest(instance, [a for a in allowed if isinstance(a, str)])
    elif kind == "const":
        message = f"{render(instance)} must be {render(error.validator_value)}"
    elif kind == "pattern":
        message = f"{render(instance)} does not match {error.validator_value!r}"
        hint = custom if isinstance(custom, str) else None
    elif kind == "format":
        message = f"{render(instance)} is not a valid {error.validator_value}"
        hint = str(error.cause) if error.cause else None
    elif kind == "minLength" and error.validator_value == 1:
        message = "must not be empty"
    elif kind == "minItems":
        count = error.validator_value
        message = f"needs at least {count} item{'s' if count != 1 else ''}"
    elif kind == "uniqueItems":
        message = "items must be unique"
    elif kind == "not":
        message = f"{render(instance)} is not allowed here"
    elif kind == "false":
        message = "not allowed here"
    else:
        message = error.message
    return [part.issue(path, code, message, hint)]


def _extra_keys(instance: dict[str, Any], own: dict[str, Any]) -> list[str]:
    props = own.get("properties", {})
    patterns = list(own.get("patternProperties", {}))
    return [str(k) for k in instance if k not in props and not any(re.search(p, str(k)) for p in patterns)]


def _unknown_key(part: Part, path: JsonPath, own: dict[str, Any], key: str, code: str) -> ConfigIssue:
    allowed = sorted(own.get("properties", {}))
    custom = own.get("errorMessage")
    hint = suggest(key, allowed)
    if isinstance(custom, str):
        message = f"key {key!r} is not allowed here"
        hint = hint or custom
    else:
        message = f"unknown key {key!r}"
        if hint is None and allowed:
            hint = f"allowed here: {', '.join(allowed)}"
    return part.issue((*path, key), code, message, hint, key=True)


def _alternatives(part: Part, error: ValidationError, path: JsonPath, code: str) -> ConfigIssue:
    count = len(error.validator_value)
    if not error.context:
        return part.issue(path, code, f"{render(error.instance)} matches more than one of {count} forms")
    # the alternative that got furthest into the instance (a list's items rather
    # than "is not a string"), then jsonschema's best match within it
    branches: dict[object, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def progress(errors: list[ValidationError]) -> tuple[int, bool]:
        depth = max(len(e.path) for e in errors)
        return depth, not any(e.validator == "type" and not e.path for e in errors)

    best = best_match(max(branches.values(), key=progress))
    inner = _convert(part, best, code)[0]
    message = f"none of {count} allowed forms match; closest: {inner.message}"
    return ConfigIssue(inner.file, inner.line, inner.column, code, inner.pointer, message, inner.hint)


def _yaml_hint(part: Part, path: JsonPath, instance: Any, expected: list[str]) -> str | None:
    """Explain what YAML made of a plain scalar (``NO``, ``1.10``, nothing at all)."""
    _, node, complete = part.file.locate((*part.base, *path))
    text = getattr(node, "value", None) if complete else None
    if not isinstance(text, str) or getattr(node, "style", "") is not None:
        return None
    if instance is None and text in ("", "~", "null", "Null", "NULL"):
        return "the value is empty" if text == "" else f"YAML read {text} as null"
    if "string" not in expected or not isinstance(instance, bool | int | float):
        return None
    if text == render(instance):
        return f"quote it ('{text}') if you mean the text"
    return f"YAML read {text} as {render(instance)}: quote it ('{text}')"


def render(value: Any) -> str:
    """A value as a YAML user would write it: ``false``, ``null``, ``'text'``, ``a mapping``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return str(value)


def suggest(name: object, candidates: Iterable[str], what: str | None = None) -> str | None:
    """``did you mean 'X'?`` for the closest candidate, else (with ``what``) the known ones."""
    if not isinstance(name, str):
        return None
    pool = sorted(set(candidates))
    lowered = {c.lower(): c for c in pool}
    match = lowered.get(name.lower())
    if match is None:
        close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        match = close[0] if close else None
    if match is not None:
        return f"did you mean '{match}'?"
    if what is None:
        return None
    if not pool:
        return f"no {what} are defined"
    shown = ", ".join(pool[:12]) + (", ..." if len(pool) > 12 else "")
    return f"known {what}: {shown}"


def schema_errors_of(value: Any) -> list[ValidationError]:
    """Errors making ``value`` an invalid Draft 2020-12 JSON Schema (all, not just the first)."""
    meta = Draft202012Validator(
        Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return list(meta.iter_errors(value))
