"""required_document_types and checklist, with required_when."""

from __future__ import annotations

from typing import Any

import pytest
from rules_support import NOW, RAW_CONFIG, snapshot

from ims.config.models import ImsConfig
from ims.errors import RuleError
from ims.rules import (
    Actor,
    ChecklistItem,
    checklist,
    required_document_types,
)

UNCONDITIONAL = [
    "national_declaration",
    "family_extract",
    "id_copies",
    "plot_map",
    "ownership_deed",
    "commissioner_declaration",
]


@pytest.mark.parametrize(
    ("data", "extra"),
    [
        pytest.param({"is_owner": True}, [], id="owner"),
        pytest.param({}, ["owner_permission"], id="not-owner-unknown"),
        pytest.param(
            {"is_owner": True, "is_pensioner": True},
            ["aov_declaration", "pension_statement"],
            id="pensioner",
        ),
        pytest.param(
            {"is_owner": True, "employment_status": "self_employed"},
            ["pay_slip", "employer_declaration"],
            id="employed",
        ),
        pytest.param({"is_owner": True, "has_mortgage": True}, ["mortgage_statement"], id="mortgage"),
    ],
)
def test_required_document_types(config: ImsConfig, data: dict[str, Any], extra: list[str]) -> None:
    codes = [d.code for d in required_document_types(config, snapshot(data), NOW)]
    expected = [d.code for d in sorted(config.reference.document_types.values(), key=lambda d: d.order)]
    assert [c for c in expected if c in UNCONDITIONAL + extra] == codes


def test_checklist(config: ImsConfig) -> None:
    docs = (
        ("plot_map", "REJECTED"),
        ("plot_map", "PENDING"),  # best status wins
        ("family_extract", "REJECTED"),
        ("id_copies", "VERIFIED"),
        ("id_copies", "REJECTED"),
        ("photo", "PENDING"),
        ("national_declaration", "MISSING"),
    )
    items = checklist(config, snapshot({"is_owner": True}, docs), NOW, Actor("clerk"))
    got = [(i.document_type.code, i.required, i.status) for i in items]
    assert got == [
        ("national_declaration", True, "MISSING"),
        ("family_extract", True, "REJECTED"),
        ("id_copies", True, "VERIFIED"),
        ("plot_map", True, "PENDING"),
        ("ownership_deed", True, "MISSING"),
        ("owner_permission", False, "MISSING"),
        ("aov_declaration", False, "MISSING"),
        ("pension_statement", False, "MISSING"),
        ("mortgage_statement", False, "MISSING"),
        ("pay_slip", False, "MISSING"),
        ("employer_declaration", False, "MISSING"),
        ("commissioner_declaration", True, "MISSING"),
        ("photo", False, "PENDING"),
    ]
    assert isinstance(items[0], ChecklistItem)


def test_required_when_with_role_and_predicate(config: ImsConfig) -> None:
    raw = {
        **RAW_CONFIG,
        "reference": {
            "document_types": {
                "extra": {
                    "code": "extra",
                    "required": True,
                    "required_when": {"all": [{"role": "staff"}, {"predicate": "big", "args": {"over": 10}}]},
                },
            }
        },
    }
    cfg = ImsConfig.model_validate(raw)
    big = {"big": lambda ctx, args: None if ctx.snapshot.data["n"] > args["over"] else "small"}
    snap = snapshot({"n": 11})
    assert [
        d.code
        for d in required_document_types(cfg, snap, NOW, Actor("a", frozenset({"staff"})), predicates=big)
    ] == ["extra"]
    assert required_document_types(cfg, snap, NOW, predicates=big) == []  # no actor: no role
    with pytest.raises(RuleError, match="unknown predicate 'big'"):
        required_document_types(cfg, snap, NOW, Actor("a", frozenset({"staff"})))


def test_required_when_cannot_use_required_documents() -> None:
    raw = {
        **RAW_CONFIG,
        "reference": {
            "document_types": {
                "loop": {
                    "code": "loop",
                    "required": True,
                    "required_when": {"required_documents": "uploaded"},
                },
            }
        },
    }
    cfg = ImsConfig.model_validate(raw)
    with pytest.raises(
        RuleError, match="required_when of document type 'loop' cannot use required_documents"
    ):
        required_document_types(cfg, snapshot(), NOW)
