"""A bouwsubsidie-like workflow built with the pydantic models (not the YAML loader)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ims.engine import Actor, DocumentFact, Snapshot

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _role(name: str, en: str) -> dict[str, Any]:
    return {"name": name, "label": {"en": en, "nl": f"NL {en}"}}


STATES: dict[str, Any] = {
    "DRAFT": {
        "label": {"en": "Draft", "nl": "Concept"},
        "on_enter": [{"kind": "open_task", "roles": ["front_office"], "title": {"en": "Complete"}}],
    },
    "INTAKE_REVIEW": {
        "on_enter": [
            {"kind": "open_task", "roles": ["front_office", "admin"]},
            {"kind": "notify", "roles": ["admin"]},
        ]
    },
    "CONTROL_ASSIGN": {"on_enter": [{"kind": "open_task", "roles": ["admin"]}]},
    "CONTROL_VISIT": {
        "on_enter": [
            {"kind": "open_task", "roles": ["control"], "assignee_field": "control.officer"},
            {"kind": "open_step", "step": "control_visit"},
            {"kind": "notify", "template": "visit", "assignee": True, "applicant": True},
        ]
    },
    "DIRECTOR_REVIEW": {"on_enter": [{"kind": "notify", "roles": ["director"], "assignee": True}]},
    "CLOSURE": {"final": True},
    "REJECTED": {"final": True, "requires": ["reason"]},
    "ON_HOLD": {
        "hold": True,
        "requires": ["reason"],
        "on_enter": [{"kind": "open_task", "roles": ["director"]}],
    },
}

TRANSITIONS: list[dict[str, Any]] = [
    {
        "name": "submit",
        "label": {"en": "Submit", "nl": "Indienen"},
        "from": ["DRAFT"],
        "to": "INTAKE_REVIEW",
        "roles": ["front_office"],
        "when": {
            "all": [
                {"field": "applicant.national_id", "present": True},
                {"documents": {"types": ["id_copies", "plot_map"]}},
            ]
        },
    },
    {
        "name": "withdraw",
        "from": ["DRAFT"],
        "to": "REJECTED",
        "roles": ["applicant"],
        "requires": ["comment"],
    },
    {
        "name": "accept",
        "from": ["INTAKE_REVIEW"],
        "to": "CONTROL_ASSIGN",
        "roles": ["front_office", "admin"],
        "when": {"required_documents": "uploaded"},
    },
    {"name": "send_back", "from": ["INTAKE_REVIEW"], "to": "DRAFT", "requires": ["comment"]},
    {
        "name": "assign",
        "from": ["CONTROL_ASSIGN"],
        "to": "CONTROL_VISIT",
        "roles": ["admin"],
        "when": {"field": "control.officer", "present": True},
        "effects": [{"kind": "notify", "template": "assigned", "assignee": True, "users": ["boss"]}],
    },
    {
        "name": "complete",
        "from": ["CONTROL_VISIT"],
        "to": "DIRECTOR_REVIEW",
        "roles": ["control"],
        "when": {"step": "control_visit"},
    },
    {
        "name": "send_back",
        "from": ["DIRECTOR_REVIEW"],
        "to": "CONTROL_VISIT",
        "roles": ["director"],
    },
    {"name": "approve", "from": ["DIRECTOR_REVIEW"], "to": "CLOSURE", "roles": ["director"]},
    {
        "name": "reject",
        "from": ["INTAKE_REVIEW", "DIRECTOR_REVIEW"],
        "to": "REJECTED",
        "roles": ["admin", "director"],
    },
    {"name": "hold", "from": ["*"], "to": "ON_HOLD", "roles": ["director", "minister"]},
    {"name": "resume", "from": ["ON_HOLD"], "to": "@previous", "roles": ["director", "minister"]},
    {"name": "reject", "from": ["ON_HOLD"], "to": "REJECTED", "roles": ["director"]},
]

RAW_CONFIG: dict[str, Any] = {
    "root": "tests",
    "settings": {},
    "roles": {
        "roles": {
            name: _role(name, en)
            for name, en in [
                ("admin", "Administrator"),
                ("front_office", "Front office"),
                ("control", "Control"),
                ("staff", "Staff"),
                ("director", "Director"),
                ("minister", "Minister"),
                ("applicant", "Applicant"),
            ]
        }
    },
    "reference": {
        "document_types": {
            "id_copies": {
                "code": "id_copies",
                "label": {"en": "ID copies"},
                "required": True,
                "order": 1,
            },
            "plot_map": {
                "code": "plot_map",
                "label": {"en": "Plot map"},
                "required": True,
                "order": 2,
            },
            "pay_slip": {
                "code": "pay_slip",
                "label": {"en": "Pay slip"},
                "required": True,
                "order": 3,
                "required_when": {"field": "employed", "eq": True},
            },
        }
    },
    "sla": {
        "workflows": {
            "demo": {
                "DRAFT": {"hours": 72},
                "INTAKE_REVIEW": {"hours": 48},
                "CONTROL_VISIT": {"hours": 168.5},
            }
        }
    },
    "workflows": {
        "demo": {
            "name": "demo",
            "initial_state": "DRAFT",
            "steps": {"control_visit": {"name": "control_visit", "label": {"en": "Control visit"}}},
            "states": {name: {"name": name, **spec} for name, spec in STATES.items()},
            "transitions": TRANSITIONS,
        }
    },
}


def snap(
    state: str = "DRAFT",
    *,
    data: Mapping[str, Any] | None = None,
    documents: tuple[tuple[str, str], ...] = (),
    steps: Mapping[str, str] | None = None,
    previous: str | None = None,
    applicant: str | None = None,
    assignee: str | None = None,
) -> Snapshot:
    return Snapshot(
        workflow="demo",
        state=state,
        previous_state=previous,
        data=data or {},
        documents=tuple(DocumentFact(t, s) for t, s in documents),
        steps=steps or {},
        state_entered_at=NOW,
        assignee=assignee,
        applicant=applicant,
    )


def actor(*roles: str, name: str = "user") -> Actor:
    return Actor(name, frozenset(roles))
