"""A small configuration built with the pydantic models (not the YAML loader), and helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ims.rules import DocumentFact, EvalContext, Snapshot

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

EMPLOYED = {"field": "employment_status", "in": ["employed", "self_employed"]}
PENSIONER = {"field": "is_pensioner", "eq": True}


def _doc(code: str, en: str, order: int, **extra: Any) -> dict[str, Any]:
    return {"code": code, "label": {"en": en, "nl": f"NL {en}"}, "order": order, **extra}


DOCUMENT_TYPES = [
    _doc("national_declaration", "National declaration", 1, required=True),
    _doc("family_extract", "Family extract", 2, required=True),
    _doc("id_copies", "ID copies", 3, required=True),
    _doc("plot_map", "Plot map", 4, required=True),
    _doc("ownership_deed", "Ownership deed", 5, required=True),
    _doc(
        "owner_permission",
        "Owner's permission letter",
        6,
        required=True,
        required_when={"not": {"field": "is_owner", "eq": True}},
    ),
    _doc("aov_declaration", "AOV declaration", 7, required=True, required_when=PENSIONER),
    _doc("pension_statement", "Pension statement", 8, required=True, required_when=PENSIONER),
    _doc(
        "mortgage_statement",
        "Mortgage statement",
        9,
        required=True,
        required_when={"field": "has_mortgage", "eq": True},
    ),
    _doc("pay_slip", "Pay slip", 10, required=True, required_when=EMPLOYED),
    _doc("employer_declaration", "Employer declaration", 11, required=True, required_when=EMPLOYED),
    _doc("commissioner_declaration", "Commissioner declaration", 12, required=True),
    _doc("photo", "Photos", 20, photo=True),
]

RAW_CONFIG: dict[str, Any] = {
    "root": "tests",
    "settings": {"language": "en"},
    "roles": {
        "roles": {
            "front_office": {"name": "front_office", "label": {"en": "Front office"}},
            "staff": {"name": "staff", "label": {"en": "Staff", "nl": "Medewerker"}},
            "director": {"name": "director", "label": {"en": "Director"}},
            "applicant": {"name": "applicant", "label": {"en": "Applicant"}},
        }
    },
    "reference": {
        "categories": {
            "district": {
                "name": "district",
                "label": {"en": "District", "nl": "District"},
                "values": [
                    {"code": "paramaribo", "label": {"en": "Paramaribo"}},
                    {"code": "wanica", "label": {"en": "Wanica"}},
                    {"code": "old_district", "active": False},
                ],
            }
        },
        "document_types": {d["code"]: d for d in DOCUMENT_TYPES},
    },
    "sla": {},
    "workflows": {
        "demo": {
            "name": "demo",
            "initial_state": "DRAFT",
            "steps": {
                "technical_report": {
                    "name": "technical_report",
                    "label": {"en": "Technical report", "nl": "Technisch rapport"},
                    "schema": {"type": "object"},
                }
            },
            "states": {"DRAFT": {"name": "DRAFT"}, "DONE": {"name": "DONE", "final": True}},
            "transitions": [{"name": "finish", "from": ["DRAFT"], "to": "DONE"}],
        }
    },
}


def snapshot(
    data: Mapping[str, Any] | None = None,
    documents: tuple[tuple[str, str], ...] = (),
    steps: Mapping[str, str] | None = None,
    entered: datetime = NOW,
    applicant: str | None = None,
    step_data: Mapping[str, Mapping[str, Any]] | None = None,
) -> Snapshot:
    return Snapshot(
        workflow="demo",
        state="DRAFT",
        previous_state=None,
        data=data or {},
        documents=tuple(DocumentFact(t, s) for t, s in documents),
        steps=steps or {},
        state_entered_at=entered,
        applicant=applicant,
        step_data=step_data or {},
    )


MakeCtx = Callable[..., EvalContext]
