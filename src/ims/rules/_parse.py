"""Parse the YAML form of a condition into the node tree of :mod:`._conditions`.

The JSON Schema has already checked the shape when a configuration is loaded;
these checks repeat the essentials so that a condition built in code fails
with a clear :class:`~ims.errors.RuleError` naming where in the condition the
problem is (``bad condition at /all/1: ...``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ims.errors import RuleError
from ims.rules import _conditions as c
from ims.rules._facts import DOCUMENT_STATUSES

_Parser = Callable[[Mapping[str, Any], str], c.Condition]

_SCALARS = (str, int, float, bool)


def parse_condition(raw: Mapping[str, Any]) -> c.Condition:
    """Build the condition tree of a raw mapping, e.g. ``{"field": "age", "gte": 18}``.

    Raises:
        RuleError: the mapping is not a condition; the message says where and why.
    """
    return _parse(raw, "")


def _fail(pointer: str, text: str) -> RuleError:
    where = f" at {pointer}" if pointer else ""
    return RuleError(f"bad condition{where}: {text}")


def _parse(raw: object, pointer: str) -> c.Condition:
    if not isinstance(raw, Mapping):
        raise _fail(pointer, f"a condition is a mapping, not {_type_name(raw)}")
    operators = [key for key in raw if key in _PARSERS]
    if len(operators) == 2 and "step" in operators and "field" in operators:
        operators = ["step"]  # a comparison on the step's data
    if len(operators) != 1:
        found = ", ".join(repr(k) for k in operators) if operators else "none"
        unknown = [k for k in raw if k not in _PARSERS and k not in _EXTRA_KEYS]
        hint = f" (unknown key {unknown[0]!r})" if unknown and not operators else ""
        raise _fail(
            pointer,
            f"needs exactly one operator of: {', '.join(_PARSERS)}; found {found}{hint}",
        )
    op = operators[0]
    allowed = _ALLOWED_KEYS.get(op, frozenset()) | {"message"}
    for key in raw:
        if key != op and key not in allowed:
            raise _fail(pointer, f"unknown key {key!r} next to {op!r}")
    return _PARSERS[op](raw, pointer)


def _message(raw: Mapping[str, Any], pointer: str) -> c.Message | None:
    message = raw.get("message")
    if message is None or isinstance(message, str):
        return message
    if isinstance(message, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in message.items()
    ):
        return MappingProxyType(dict(message))
    raise _fail(f"{pointer}/message", "a message is a string or a mapping language -> string")


def _type_name(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return "null" if value is None else f"{type(value).__name__} {value!r}"


def _name(value: object, pointer: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(pointer, f"{what} must be a non-empty string, not {_type_name(value)}")
    return value


def _names(value: object, pointer: str, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (_name(value, pointer, what),)
    if not isinstance(value, list | tuple) or not value:
        raise _fail(pointer, f"{what} must be a name or a non-empty list of names")
    return tuple(_name(v, f"{pointer}/{i}", what) for i, v in enumerate(value))


def _count(value: object, pointer: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(pointer, f"{what} must be a whole number >= 0, not {_type_name(value)}")
    return value


def _hours(value: object, pointer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _fail(pointer, f"hours must be a number >= 0, not {_type_name(value)}")
    return float(value)


def _children(raw: Mapping[str, Any], pointer: str, op: str) -> tuple[c.Condition, ...]:
    items = raw[op]
    if not isinstance(items, list | tuple) or not items:
        raise _fail(f"{pointer}/{op}", f"'{op}' needs a non-empty list of conditions")
    return tuple(_parse(item, f"{pointer}/{op}/{i}") for i, item in enumerate(items))


def _all(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    return c.All(_children(raw, pointer, "all"), message=_message(raw, pointer))


def _any(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    return c.Any(_children(raw, pointer, "any"), message=_message(raw, pointer))


def _not(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    return c.Not(_parse(raw["not"], f"{pointer}/not"), message=_message(raw, pointer))


def _field(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    return _comparison(raw, pointer, c.FIELD_OPERATORS, _message(raw, pointer))


def _comparison(
    raw: Mapping[str, Any], pointer: str, operators: tuple[str, ...], message: c.Message | None
) -> c.FieldCompare:
    """``field`` and its one operator (of ``operators``) as a :class:`FieldCompare`."""
    path = _name(raw["field"], f"{pointer}/field", "'field'")
    if any(not part for part in path.split(".")):
        raise _fail(f"{pointer}/field", f"{path!r} is not a dot path like 'applicant.name'")
    ops = [k for k in raw if k in c.FIELD_OPERATORS]
    if len(ops) != 1 or ops[0] not in operators:
        raise _fail(
            pointer,
            f"'field' needs exactly one operator of: {', '.join(operators)}",
        )
    op = ops[0]
    value = _operand(op, raw[op], f"{pointer}/{op}")
    return c.FieldCompare(path, op, value, message=message)


def _operand(op: str, value: object, pointer: str) -> object:
    if op in ("eq", "ne", "gt", "gte", "lt", "lte"):
        if value is not None and not isinstance(value, _SCALARS):
            raise _fail(pointer, f"'{op}' needs a single value, not {_type_name(value)}")
        return value
    if op in ("in", "not_in"):
        if not isinstance(value, list | tuple) or not all(
            v is None or isinstance(v, _SCALARS) for v in value
        ):
            raise _fail(pointer, f"'{op}' needs a list of values")
        return tuple(value)
    if op == "present":
        if not isinstance(value, bool):
            raise _fail(pointer, "'present' must be true or false")
        return value
    if op in ("min_length", "max_length"):
        return _count(value, pointer, f"'{op}'")
    pattern = _name(value, pointer, f"'{op}'")
    if op == "matches":
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(pointer, f"{pattern!r} is not a valid regular expression: {exc}") from None
    return pattern


def _documents(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    spec = raw["documents"]
    here = f"{pointer}/documents"
    if not isinstance(spec, Mapping):
        raise _fail(here, "'documents' needs a mapping like {type: plot_map, min: 1}")
    unknown = set(spec) - {"type", "types", "status", "min", "max"}
    if unknown:
        raise _fail(here, f"unknown key {sorted(unknown)[0]!r} in 'documents'")
    if "type" in spec and "types" in spec:
        raise _fail(here, "give 'type' or 'types', not both")
    types: tuple[str, ...] = ()
    if "type" in spec:
        types = (_name(spec["type"], f"{here}/type", "'type'"),)
    elif "types" in spec:
        types = _names(spec["types"], f"{here}/types", "'types'")
    statuses = c.UPLOADED_STATUSES
    if "status" in spec:
        statuses = _names(spec["status"], f"{here}/status", "'status'")
        bad = [s for s in statuses if s not in DOCUMENT_STATUSES]
        if bad:
            raise _fail(
                f"{here}/status",
                f"unknown status {bad[0]!r}; use {', '.join(DOCUMENT_STATUSES)}",
            )
    max_count = _count(spec["max"], f"{here}/max", "'max'") if "max" in spec else None
    default_min = 1 if max_count is None else 0
    min_count = _count(spec["min"], f"{here}/min", "'min'") if "min" in spec else default_min
    if max_count is not None and min_count > max_count:
        raise _fail(here, f"'min' ({min_count}) is more than 'max' ({max_count})")
    return c.Documents(types, statuses, min_count, max_count, message=_message(raw, pointer))


def _required_documents(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    level = raw["required_documents"]
    if level == "uploaded":
        return c.RequiredDocuments("uploaded", message=_message(raw, pointer))
    if level == "verified":
        return c.RequiredDocuments("verified", message=_message(raw, pointer))
    raise _fail(f"{pointer}/required_documents", "use 'uploaded' or 'verified'")


def _step(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    name = _name(raw["step"], f"{pointer}/step", "'step'")
    if "field" in raw:
        if "status" in raw:
            raise _fail(
                f"{pointer}/status",
                f"'status' cannot go with 'field': step data is compared once the step is {c.COMPLETED}",
            )
        compare = _comparison(raw, pointer, c.STEP_FIELD_OPERATORS, None)
        return c.StepField(name, compare, message=_message(raw, pointer))
    ops = [k for k in raw if k in c.FIELD_OPERATORS]
    if ops:
        text = f"{ops[0]!r} next to 'step' needs 'field' (a field of the step's data)"
        raise _fail(f"{pointer}/{ops[0]}", text)
    status = _name(raw.get("status", c.COMPLETED), f"{pointer}/status", "'status'")
    return c.StepIs(name, status, message=_message(raw, pointer))


def _role(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    roles = _names(raw["role"], f"{pointer}/role", "'role'")
    return c.HasRole(roles, message=_message(raw, pointer))


def _time_in_state(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    spec = raw["time_in_state"]
    here = f"{pointer}/time_in_state"
    if not isinstance(spec, Mapping) or not spec or set(spec) - {"min_hours", "max_hours"}:
        raise _fail(here, "'time_in_state' needs {min_hours: n} and/or {max_hours: n}")
    low = _hours(spec["min_hours"], f"{here}/min_hours") if "min_hours" in spec else None
    high = _hours(spec["max_hours"], f"{here}/max_hours") if "max_hours" in spec else None
    return c.TimeInState(low, high, message=_message(raw, pointer))


def _predicate(raw: Mapping[str, Any], pointer: str) -> c.Condition:
    name = _name(raw["predicate"], f"{pointer}/predicate", "'predicate'")
    args = raw.get("args", {})
    if not isinstance(args, Mapping):
        raise _fail(f"{pointer}/args", "'args' must be a mapping")
    return c.PredicateCall(name, MappingProxyType(dict(args)), message=_message(raw, pointer))


_PARSERS: dict[str, _Parser] = {
    "all": _all,
    "any": _any,
    "not": _not,
    "field": _field,
    "documents": _documents,
    "required_documents": _required_documents,
    "step": _step,
    "role": _role,
    "time_in_state": _time_in_state,
    "predicate": _predicate,
}

#: keys allowed next to an operator key (besides ``message``)
_ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "field": frozenset(c.FIELD_OPERATORS),
    "step": frozenset({"status", "field", *c.STEP_FIELD_OPERATORS}),
    "predicate": frozenset({"args"}),
}
_EXTRA_KEYS = frozenset({"message", "status", "args", *c.FIELD_OPERATORS})
