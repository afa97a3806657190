"""Checks and environment placeholders of the ``notifications`` configuration.

* Template texts are ``str.format`` strings whose placeholders come from
  :data:`PLACEHOLDERS`; an unknown one is an issue (``unknown-placeholder``) at the
  text.  Every template has a subject and a body in each language any template uses
  (``missing-language``).
* A ``notify`` effect (and a channel's ``events``) naming a template that does not
  exist is an issue (``unknown-template``), but only when the configuration declares
  templates at all: a configuration without notifications keeps the generic texts.
* ``{env:NAME}`` and ``{env:NAME:default}`` in channel settings are replaced from the
  environment while the models are built; a variable that is not set and has no
  default is an issue (``missing-env``) naming it, never showing the text around it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ims.config.validate import suggest

if TYPE_CHECKING:
    from ims.config.semantic import ConfigParts
    from ims.config.yaml_marks import JsonPath, Part
    from ims.errors import ConfigIssue

#: The placeholders a template may use, with what they hold (documented in
#: docs/reference/notifications.md); a value that does not apply is empty.
PLACEHOLDERS: dict[str, str] = {
    "number": "the application number, e.g. BS-2026-000042",
    "workflow": "the workflow's name",
    "workflow_label": "the workflow's label in the deployment language",
    "state": "the state entered (its name)",
    "state_label": "the state entered (its label)",
    "previous_state_label": "the label of the state left",
    "action": "the transition's name",
    "actor": "the username of who acted",
    "reason": "the reason given (rejections, holds, rejected documents)",
    "comment": "the comment given",
    "applicant_name": "the applicant's first and last name from the application data",
    "assignee": "the username the application is assigned to",
    "due_at": "when the open task is due (date and time, the office's time zone)",
    "document_type": "the document type's code (document events)",
    "document_label": "the document type's label (document events)",
    "task_title": "the open task's title",
    "sla_hours": "hours allowed in the state",
    "level": "the escalation level (SLA notices: 1, 2, ...)",
    "overdue_hours": "hours past the due time (SLA notices)",
}

#: The template a ``notify`` effect uses when it names none.
DEFAULT_TEMPLATE = "state_entered"

ENV_PLACEHOLDER = re.compile(r"\{env:([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")


def placeholders_of(text: str) -> list[str]:
    """The field names of ``text`` (root names: ``{a.b}`` gives ``a``).

    Raises:
        ValueError: ``text`` is not a valid format string.
    """
    names = []
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.append(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def check_notifications(parts: ConfigParts, out: list[ConfigIssue]) -> None:
    part = parts.notifications
    if part is None or not part.valid:
        return
    templates: Mapping[str, Any] = part.data.get("templates") or {}
    _check_templates(part, templates, out)
    if not templates:
        return
    for name, channel in (part.data.get("channels") or {}).items():
        for i, event in enumerate(channel.get("events") or []):
            _known_template(part, ("channels", name, "events", i), event, templates, out)
    for wf in parts.workflows:
        if not wf.valid:
            continue
        for state, body in wf.data["states"].items():
            for i, effect in enumerate(body.get("on_enter") or []):
                _effect(wf, ("states", state, "on_enter", i), effect, templates, out)
        for i, transition in enumerate(wf.data.get("transitions") or []):
            for j, effect in enumerate(transition.get("effects") or []):
                _effect(wf, ("transitions", i, "effects", j), effect, templates, out)


def _effect(
    part: Part, path: JsonPath, effect: Any, templates: Mapping[str, Any], out: list[ConfigIssue]
) -> None:
    if not isinstance(effect, Mapping) or "notify" not in effect:
        return
    body = effect["notify"] or {}
    if "template" in body:
        _known_template(part, (*path, "notify", "template"), body["template"], templates, out)
    else:
        _known_template(part, (*path, "notify"), DEFAULT_TEMPLATE, templates, out, key=True)


def _known_template(
    part: Part,
    path: JsonPath,
    name: str,
    templates: Mapping[str, Any],
    out: list[ConfigIssue],
    *,
    key: bool = False,
) -> None:
    if name in templates:
        return
    hint = suggest(name, templates, "templates") or "add it under notifications.templates"
    out.append(part.issue(path, "unknown-template", f"unknown template '{name}'", hint, key=key))


def _check_templates(part: Part, templates: Mapping[str, Any], out: list[ConfigIssue]) -> None:
    languages: set[str] = set()
    for template in templates.values():
        for field in ("subject", "body"):
            languages.update(template.get(field) or {})
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for name, template in templates.items():
        for field in ("subject", "body"):
            texts: Mapping[str, str] = template.get(field) or {}
            for language, text in texts.items():
                path = ("templates", name, field, language)
                try:
                    fields = placeholders_of(text)
                except ValueError as exc:
                    message = f"template '{name}' {field} ({language}) is not a valid format string: {exc}"
                    hint = "write a literal brace twice: '{{' or '}}'"
                    out.append(part.issue(path, "bad-template", message, hint))
                    continue
                for placeholder in fields:
                    if placeholder not in PLACEHOLDERS:
                        shown = "{" + placeholder + "}"
                        message = f"unknown placeholder {shown} in template '{name}' {field} ({language})"
                        hint = suggest(placeholder, PLACEHOLDERS, "placeholders") or f"use one of {allowed}"
                        out.append(part.issue(path, "unknown-placeholder", message, hint))
            missing = sorted(languages - set(texts))
            if missing:
                message = f"template '{name}' has no {field} in {', '.join(missing)}"
                hint = f"every template needs a subject and a body in {', '.join(sorted(languages))}"
                where = ("templates", name, field)
                out.append(part.issue(where, "missing-language", message, hint, key=True))


# --------------------------------------------------------------------------- environment


def resolve_env(
    part: Part | None, data: Any, env: Mapping[str, str], path: JsonPath, out: list[ConfigIssue]
) -> Any:
    """``data`` with ``{env:NAME}`` / ``{env:NAME:default}`` replaced in every string.

    A variable neither set nor defaulted adds a ``missing-env`` issue (naming the
    variable, not the text: it may be a URL with other secrets in it).
    """
    if isinstance(data, Mapping):
        return {k: resolve_env(part, v, env, (*path, k), out) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve_env(part, v, env, (*path, i), out) for i, v in enumerate(data)]
    if not isinstance(data, str):
        return data

    def value(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        if part is not None:
            message = f"environment variable {name} is not set"
            hint = f"set {name}, or give a default: {{env:{name}:...}}"
            out.append(part.issue(path, "missing-env", message, hint))
        return ""

    return ENV_PLACEHOLDER.sub(value, data)
