"""Validate application and step data against the JSON Schema the workflow declares."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from ims.errors import ValidationFailed


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    import json

    return Draft202012Validator(json.loads(schema_json), format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(schema: dict[str, Any], data: Any) -> list[str]:
    """Every problem as ``/json/pointer: message``, sorted by where it is."""
    import json

    validator = _validator(json.dumps(schema, sort_keys=True))
    found = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        pointer = "/" + "/".join(str(p) for p in error.absolute_path)
        found.append(f"{pointer}: {error.message}")
    return found


def validate(schema: dict[str, Any], data: Any, what: str) -> None:
    found = problems(schema, data)
    if found:
        raise ValidationFailed(what, found)


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep merge (RFC 7386 merge-patch): ``None`` removes a key, mappings merge."""
    out = dict(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out
