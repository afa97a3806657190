"""Checks JSON Schema cannot express: names that must exist, states that must be reachable.

They run on the raw (schema-valid) data of every file, so each issue points at
the offending value.  A check needing another file (roles named in a workflow
need ``roles.yaml``) is skipped when that file failed its schema: one mistake
should not produce a cascade of false ``unknown-*`` issues.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ims.config.notification_checks import check_notifications
from ims.config.sla_checks import check_sla
from ims.config.validate import suggest
from ims.config.workflow_checks import (
    Known,
    check_condition,
    check_number_pattern,
    check_workflow,
    known_name,
)
from ims.config.yaml_marks import Part
from ims.errors import ConfigIssue

#: The role of the application's own applicant: always known, never declared.
APPLICANT_ROLE = "applicant"


@dataclass
class ConfigParts:
    """The pieces of one configuration, as found by the loader (``None``: absent)."""

    settings: Part | None = None
    roles: Part | None = None
    reference: Part | None = None
    sla: Part | None = None
    notifications: Part | None = None
    workflows: list[Part] = field(default_factory=list)


def check(parts: ConfigParts, known_predicates: Iterable[str] | None = None) -> list[ConfigIssue]:
    """Every semantic issue of the configuration, across files."""
    known = known_names(parts, known_predicates)
    out: list[ConfigIssue] = []
    if parts.settings is not None and parts.settings.valid:
        check_settings(parts.settings, out)
    if parts.roles is not None and parts.roles.valid:
        for perm, roles in parts.roles.data.get("permissions", {}).items():
            for i, role in enumerate(roles):
                known_name(parts.roles, ("permissions", perm, i), role, known.roles, "role", out)
    if parts.reference is not None and parts.reference.valid:
        check_reference(parts.reference, known, out)
    seen: dict[str, Part] = {}
    for wf in parts.workflows:
        if not wf.valid:
            continue
        name = wf.data["name"]
        if name in seen:
            line = seen[name].position(("name",))[0]
            where = f"{seen[name].file.display}:{line}"
            message = f"workflow '{name}' is already defined at {where}"
            out.append(wf.issue(("name",), "duplicate-workflow", message))
            continue
        seen[name] = wf
        steps = frozenset(wf.data.get("steps", {}))
        check_workflow(wf, replace(known, steps=steps, data_schema=wf.data.get("data_schema")), out)
    if parts.sla is not None and parts.sla.valid:
        check_sla(parts.sla, parts.workflows, known, out, parts.reference)
    check_notifications(parts, out)
    return out


def known_names(parts: ConfigParts, predicates: Iterable[str] | None) -> Known:
    def names(part: Part | None, key: str) -> frozenset[str] | None:
        if part is None:
            return frozenset()
        return frozenset(part.data.get(key, {})) if part.valid else None

    roles = names(parts.roles, "roles")
    steps: frozenset[str] | None = frozenset()
    for wf in parts.workflows:
        steps = steps | frozenset(wf.data.get("steps", {})) if wf.valid and steps is not None else None
    return Known(
        roles=None if roles is None else roles | {APPLICANT_ROLE},
        permissions=names(parts.roles, "permissions"),
        document_types=names(parts.reference, "document_types"),
        categories=names(parts.reference, "categories"),
        steps=steps,
        predicates=None if predicates is None else frozenset(predicates),
    )


# --------------------------------------------------------------------------- settings, reference


def check_settings(part: Part, out: list[ConfigIssue]) -> None:
    if "number_pattern" in part.data:
        check_number_pattern(part, ("number_pattern",), part.data["number_pattern"], out)
    tz = part.data.get("timezone")
    zones = zoneinfo.available_timezones()
    if tz is not None and zones and tz not in zones:
        hint = suggest(tz, zones) or "use an IANA name like 'America/Paramaribo' or 'UTC'"
        out.append(part.issue(("timezone",), "unknown-timezone", f"unknown time zone '{tz}'", hint))


def check_reference(part: Part, known: Known, out: list[ConfigIssue]) -> None:
    for name, category in part.data.get("categories", {}).items():
        first: dict[str, int] = {}
        for i, value in enumerate(category.get("values", [])):
            code = value["code"]
            if code in first:
                line = part.position(("categories", name, "values", first[code], "code"))[0]
                message = f"duplicate code '{code}' in category '{name}' (first at line {line})"
                out.append(part.issue(("categories", name, "values", i, "code"), "duplicate-code", message))
            first.setdefault(code, i)
    for code, doc in part.data.get("document_types", {}).items():
        if "required_when" not in doc:
            continue
        path = ("document_types", code, "required_when")
        if not doc.get("required", False):
            message = f"'required_when' has no effect: document type '{code}' is not required"
            out.append(part.issue(path, "required-when-ignored", message, "add 'required: true'", key=True))
        check_condition(part, path, doc["required_when"], known, out, in_required_when=True)
