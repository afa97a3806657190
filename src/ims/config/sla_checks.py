"""Semantic checks of ``sla.yaml``: states and roles that exist, a usable business calendar.

* every workflow and state named exists, and no final state has an SLA;
* escalation roles exist, and escalation levels never go back in time;
* ``working_hours`` SLAs need ``calendar``;
* the calendar's time zone is known, its day starts before it ends, and its holidays
  category exists with codes that are dates (``YYYY-MM-DD``).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from ims.config.validate import suggest
from ims.config.workflow_checks import Known, known_name
from ims.sla import parse_clock

if TYPE_CHECKING:
    from ims.config.yaml_marks import Part
    from ims.errors import ConfigIssue


def check_sla(
    part: Part, workflows: list[Part], known: Known, out: list[ConfigIssue], reference: Part | None = None
) -> None:
    names = [wf.data.get("name") if isinstance(wf.data, Mapping) else None for wf in workflows]
    readable = [n for n in names if isinstance(n, str)]
    known_workflows = readable if len(readable) == len(names) else None
    valid = {wf.data["name"]: wf.data for wf in workflows if wf.valid}
    has_calendar = "calendar" in part.data
    if has_calendar:
        check_calendar(part, part.data["calendar"], reference, out)
    for wf_name, rules in part.data.get("workflows", {}).items():
        here = ("workflows", wf_name)
        if not known_name(part, here, wf_name, known_workflows, "workflow", out, key=True):
            continue
        states = valid.get(wf_name, {}).get("states")
        for state, rule in rules.items():
            path = (*here, state)
            known_state = states is not None and known_name(part, path, state, states, "state", out, key=True)
            if known_state and states[state].get("final"):
                message = f"state '{state}' is final: an SLA never applies to it"
                out.append(part.issue(path, "sla-final-state", message, "remove it", key=True))
            if "working_hours" in rule and not has_calendar:
                message = f"'working_hours' of state '{state}' need a business calendar"
                hint = (
                    "add 'calendar:' (working_days, working_hours) at the top of the SLA file, or use 'hours'"
                )
                out.append(part.issue((*path, "working_hours"), "sla-no-calendar", message, hint, key=True))
            _check_escalations(part, path, rule.get("escalation", []), known, out)


def _check_escalations(
    part: Part, path: tuple[str, ...], steps: list[dict[str, Any]], known: Known, out: list[ConfigIssue]
) -> None:
    previous = 0.0
    for i, step in enumerate(steps):
        for j, role in enumerate(step.get("notify", [])):
            known_name(part, (*path, "escalation", i, "notify", j), role, known.roles, "role", out)
        after = float(step.get("after_hours", 0))
        if after < previous:
            message = (
                f"escalation level {i + 1} comes {after:g} h after the breach, "
                f"before level {i} ({previous:g} h)"
            )
            hint = "list the levels in the order they fire"
            out.append(
                part.issue((*path, "escalation", i, "after_hours"), "sla-escalation-order", message, hint)
            )
        previous = max(previous, after)


def check_calendar(
    part: Part, calendar: dict[str, Any], reference: Part | None, out: list[ConfigIssue]
) -> None:
    here = ("calendar",)
    tz = calendar.get("timezone")
    zones = zoneinfo.available_timezones()
    if tz is not None and zones and tz not in zones:
        hint = suggest(tz, zones) or "use an IANA name like 'America/Paramaribo' or 'UTC'"
        out.append(part.issue((*here, "timezone"), "unknown-timezone", f"unknown time zone '{tz}'", hint))
    hours = calendar.get("working_hours", {})
    start, end = hours.get("start", "08:00"), hours.get("end", "16:00")
    if parse_clock(start) >= parse_clock(end):
        message = f"the working day must start before it ends ({start} - {end})"
        out.append(part.issue((*here, "working_hours"), "calendar-hours", message))
    category = calendar.get("holidays_category")
    if category is None or reference is None or not reference.valid:
        return
    categories = reference.data.get("categories", {})
    if not known_name(part, (*here, "holidays_category"), category, categories, "category", out):
        return
    for i, value in enumerate(categories[category].get("values", [])):
        code = value.get("code")
        try:
            date.fromisoformat(str(code))
        except ValueError:
            message = f"holiday '{code}' of category '{category}' is not a date"
            reference_path = ("categories", category, "values", i, "code")
            out.append(reference.issue(reference_path, "holiday-date", message, "write it as YYYY-MM-DD"))
