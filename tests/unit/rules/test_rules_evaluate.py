"""Each condition form, holding and failing, with the exact sentences."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from rules_support import NOW, MakeCtx

from ims.errors import RuleError
from ims.rules import EvalContext, FailedCondition, evaluate, parse_condition


def check(ctx: EvalContext, raw: Mapping[str, Any]) -> list[str]:
    return [f.message for f in evaluate(parse_condition(raw), ctx)]


FIELD_CASES = [
    # raw, data, expected sentences (empty: holds)
    pytest.param({"field": "a.b", "eq": 1}, {"a": {"b": 1}}, [], id="eq-holds"),
    pytest.param(
        {"field": "marital_status", "eq": "married"},
        {"marital_status": "single"},
        ["marital status must be 'married' (is 'single')"],
        id="eq-fails",
    ),
    pytest.param({"field": "x", "ne": "a"}, {"x": "b"}, [], id="ne-holds"),
    pytest.param({"field": "x", "ne": "a"}, {"x": "a"}, ["x must not be 'a'"], id="ne-fails"),
    pytest.param({"field": "x", "gt": 1}, {"x": 2}, [], id="gt-holds"),
    pytest.param({"field": "x", "gt": 1}, {"x": 1}, ["x must be more than 1 (is 1)"], id="gt"),
    pytest.param(
        {"field": "requested_amount", "gte": 1},
        {"requested_amount": 0},
        ["requested amount must be at least 1 (is 0)"],
        id="gte-fails",
    ),
    pytest.param({"field": "x", "gte": 1.0}, {"x": 1}, [], id="gte-holds"),
    pytest.param({"field": "x", "lt": 2.5}, {"x": 3.0}, ["x must be less than 2.5 (is 3)"], id="lt"),
    pytest.param({"field": "x", "lte": 2}, {"x": 2}, [], id="lte-holds"),
    pytest.param({"field": "x", "lte": 2}, {"x": 3}, ["x must be at most 2 (is 3)"], id="lte"),
    pytest.param({"field": "x", "gte": 1}, {"x": "abc"}, ["x must be at least 1 (is 'abc')"], id="type-mix"),
    pytest.param({"field": "x", "in": ["a", "b"]}, {"x": "a"}, [], id="in-holds"),
    pytest.param(
        {"field": "x", "in": ["a", "b"]},
        {"x": "c"},
        ["x must be one of 'a', 'b' (is 'c')"],
        id="in-fails",
    ),
    pytest.param(
        {"field": "x", "not_in": ["a", "b"]},
        {"x": "a"},
        ["x must not be one of 'a', 'b' (is 'a')"],
        id="not-in-fails",
    ),
    pytest.param({"field": "x", "not_in": ["a"]}, {"x": "c"}, [], id="not-in-holds"),
    pytest.param({"field": "national_id", "present": True}, {"national_id": "123"}, [], id="present"),
    pytest.param(
        {"field": "applicant.national_id", "present": True},
        {"applicant": {}},
        ["national id is required"],
        id="missing-field",
    ),
    pytest.param(
        {"field": "national_id", "present": True},
        {"national_id": "  "},
        ["national id is required"],
        id="blank-is-absent",
    ),
    pytest.param(
        {"field": "national_id", "present": True},
        {"national_id": None},
        ["national id is required"],
        id="null-is-absent",
    ),
    pytest.param({"field": "spouse", "present": False}, {}, [], id="absent-holds"),
    pytest.param(
        {"field": "spouse", "present": False},
        {"spouse": "Ann"},
        ["spouse must be empty (is 'Ann')"],
        id="present-false-fails",
    ),
    pytest.param({"field": "amount", "gte": 1}, {}, ["amount is required"], id="compare-missing"),
    pytest.param({"field": "amount", "ne": 1}, {}, ["amount is required"], id="ne-missing-fails-too"),
    pytest.param({"field": "email", "matches": "^[^@]+@[^@]+$"}, {"email": "a@b"}, [], id="re"),
    pytest.param(
        {"field": "email", "matches": "@"},
        {"email": "nope"},
        ["email does not have the expected format (is 'nope')"],
        id="re-fails",
    ),
    pytest.param({"field": "phone", "matches": "^[0-9]+$"}, {"phone": 597}, [], id="re-number"),
    pytest.param(
        {"field": "reason", "min_length": 10},
        {"reason": "short"},
        ["reason must be at least 10 characters long (is 5)"],
        id="min-length",
    ),
    pytest.param(
        {"field": "members", "min_length": 2},
        {"members": ["a"]},
        ["members must have at least 2 items (has 1)"],
        id="min-length-list",
    ),
    pytest.param(
        {"field": "code", "max_length": 3},
        {"code": "abcd"},
        ["code must be at most 3 characters long (is 4)"],
        id="max-length",
    ),
    pytest.param({"field": "code", "max_length": 3}, {"code": "abc"}, [], id="max-length-holds"),
    pytest.param({"field": "members.1.name", "eq": "b"}, {"members": [{}, {"name": "b"}]}, [], id="index"),
    pytest.param({"field": "district", "in_reference": "district"}, {"district": "wanica"}, [], id="ref"),
    pytest.param(
        {"field": "district", "in_reference": "district"},
        {"district": "Foo"},
        ["district 'Foo' is not a known district"],
        id="ref-unknown",
    ),
    pytest.param(
        {"field": "district", "in_reference": "district"},
        {"district": "old_district"},
        ["district 'old_district' is not a known district"],
        id="ref-inactive",
    ),
    pytest.param({"field": "n", "eq": 1}, {"n": True}, ["n must be 1 (is true)"], id="bool-is-not-1"),
    pytest.param({"field": "n", "in": [0, 1]}, {"n": 1.0}, [], id="int-float"),
    pytest.param({"field": "ok", "eq": True}, {"ok": False}, ["ok must be true (is false)"], id="bool"),
]


@pytest.mark.parametrize(("raw", "data", "expected"), FIELD_CASES)
def test_field(ctx: MakeCtx, raw: dict[str, Any], data: dict[str, Any], expected: list[str]) -> None:
    assert expected == check(ctx(data=data), raw)


DOCUMENT_CASES = [
    pytest.param({"type": "plot_map"}, [("plot_map", "PENDING")], [], id="one-uploaded"),
    pytest.param(
        {"type": "plot_map"},
        [("plot_map", "REJECTED")],
        ["plot map is needed (none uploaded)"],
        id="rejected-does-not-count",
    ),
    pytest.param(
        {"type": "plot_map", "status": "VERIFIED"},
        [("plot_map", "PENDING")],
        ["plot map is needed (none verified)"],
        id="verified",
    ),
    pytest.param(
        {"type": "photo", "min": 4},
        [("photo", "PENDING"), ("photo", "VERIFIED"), ("photo", "REJECTED")],
        ["at least 4 photos are needed (2 uploaded)"],
        id="photo-minimum",
    ),
    pytest.param(
        {"types": ["ownership_deed", "owner_permission"]},
        [],
        ["ownership deed or owner's permission letter is needed (none uploaded)"],
        id="types",
    ),
    pytest.param(
        {"types": ["ownership_deed", "owner_permission"]},
        [("owner_permission", "VERIFIED")],
        [],
        id="types-holds",
    ),
    pytest.param(
        {"type": "photo", "max": 1},
        [("photo", "PENDING"), ("photo", "PENDING")],
        ["at most 1 photos may be uploaded (2 uploaded)"],
        id="max",
    ),
    pytest.param(
        {"type": "photo", "status": "REJECTED", "max": 0},
        [("photo", "REJECTED")],
        ["no photos may be rejected (1 rejected)"],
        id="max-zero",
    ),
    pytest.param({"type": "photo", "max": 0}, [], [], id="max-zero-holds"),
    pytest.param({}, [], ["a document is needed (none uploaded)"], id="any-type"),
    pytest.param({"min": 2}, [("x", "PENDING"), ("y", "VERIFIED")], [], id="any-type-holds"),
]


@pytest.mark.parametrize(("spec", "docs", "expected"), DOCUMENT_CASES)
def test_documents(
    ctx: MakeCtx, spec: dict[str, Any], docs: list[tuple[str, str]], expected: list[str]
) -> None:
    assert expected == check(ctx(documents=tuple(docs)), {"documents": spec})


ALL_REQUIRED = {
    "is_owner": False,
    "is_pensioner": True,
    "employment_status": "employed",
    "has_mortgage": True,
}
TWELVE = [
    "national_declaration",
    "family_extract",
    "id_copies",
    "plot_map",
    "ownership_deed",
    "owner_permission",
    "aov_declaration",
    "pension_statement",
    "mortgage_statement",
    "pay_slip",
    "employer_declaration",
    "commissioner_declaration",
]


def test_required_documents_verified(ctx: MakeCtx) -> None:
    missing = {"family_extract", "plot_map", "pay_slip"}
    docs = tuple((t, "PENDING" if t in missing else "VERIFIED") for t in TWELVE)
    failed = evaluate(
        parse_condition({"required_documents": "verified"}),
        ctx(data=ALL_REQUIRED, documents=docs),
    )
    sentence = "3 of 12 required documents are not verified: family extract, plot map, pay slip"
    assert [FailedCondition("required-documents", sentence)] == failed


def test_required_documents_uploaded(ctx: MakeCtx) -> None:
    docs = (*tuple((t, "PENDING") for t in TWELVE if t != "plot_map"), ("plot_map", "REJECTED"))
    cond = {"required_documents": "uploaded"}
    assert check(ctx(data=ALL_REQUIRED, documents=docs), cond) == [
        "1 of 12 required documents is not uploaded: plot map"
    ]
    assert check(ctx(data=ALL_REQUIRED, documents=((t, "PENDING") for t in TWELVE)), cond) == []


def test_required_documents_follow_required_when(ctx: MakeCtx) -> None:
    # an owner, not a pensioner, unemployed, no mortgage: only the 6 unconditional ones
    data = {"is_owner": True, "employment_status": "unemployed"}
    sentence = check(ctx(data=data), {"required_documents": "uploaded"})
    assert sentence == [
        "6 of 6 required documents are not uploaded: national declaration, family extract,"
        " ID copies, plot map, ownership deed, commissioner declaration"
    ]


def test_required_documents_labels_in_language(ctx: MakeCtx) -> None:
    data = {"is_owner": True}
    docs = tuple((t, "VERIFIED") for t in TWELVE if t != "plot_map")
    assert check(ctx(data=data, documents=docs, language="nl"), {"required_documents": "verified"}) == [
        "1 van 6 verplichte documenten is niet geverifieerd: NL Plot map"
    ]


def test_step(ctx: MakeCtx) -> None:
    cond = {"step": "technical_report"}
    assert check(ctx(), cond) == ["step 'technical report' is not completed"]
    assert check(ctx(steps={"technical_report": "PENDING"}), cond) == [
        "step 'technical report' is not completed (is pending)"
    ]
    assert check(ctx(steps={"technical_report": "COMPLETED"}), cond) == []
    pending = {"step": "technical_report", "status": "PENDING"}
    assert check(ctx(steps={"technical_report": "PENDING"}), pending) == []
    assert check(ctx(), {"step": "other_step"}) == ["step 'other_step' is not completed"]
    assert check(ctx(language="nl"), cond) == ["stap 'technisch rapport' is niet afgerond"]


def test_role(ctx: MakeCtx) -> None:
    cond = {"role": ["director", "front_office"]}
    assert check(ctx(roles=frozenset({"director"})), cond) == []
    assert check(ctx(roles=frozenset({"staff"})), cond) == [
        "only director or front office may do this (you are: staff)"
    ]
    assert check(ctx(), {"role": "director"}) == ["only director may do this (you have no role)"]
    assert check(ctx(roles=frozenset({"staff"}), language="nl"), {"role": "director"}) == [
        "alleen director mag dit doen (u bent: medewerker)"
    ]


def test_applicant_role_only_for_own_application(ctx: MakeCtx) -> None:
    cond = {"role": "applicant"}
    mine = ctx(roles=frozenset({"applicant"}), username="ann", applicant="ann")
    other = ctx(roles=frozenset({"applicant"}), username="bob", applicant="ann")
    assert check(mine, cond) == []
    assert check(other, cond) == ["only applicant may do this (you are: applicant)"]


def test_time_in_state(ctx: MakeCtx) -> None:
    entered = NOW - timedelta(hours=12)
    assert check(ctx(entered=entered), {"time_in_state": {"min_hours": 48}}) == [
        "at least 48 hours must pass in this state (12 so far)"
    ]
    assert check(ctx(entered=entered), {"time_in_state": {"max_hours": 12}}) == []
    assert check(ctx(entered=entered), {"time_in_state": {"max_hours": 10}}) == [
        "at most 10 hours may pass in this state (12 so far)"
    ]
    late = NOW - timedelta(hours=73, minutes=30)
    assert check(ctx(entered=late), {"time_in_state": {"min_hours": 1, "max_hours": 72}}) == [
        "at most 72 hours may pass in this state (73.5 so far)"
    ]


def test_time_in_state_naive_and_aware_datetimes(ctx: MakeCtx) -> None:
    with pytest.raises(RuleError, match="timezone-aware"):
        check(ctx(entered=NOW.replace(tzinfo=None)), {"time_in_state": {"min_hours": 1}})


def test_predicate(ctx: MakeCtx) -> None:
    seen: list[Mapping[str, Any]] = []

    def photos_geotagged(ctx: EvalContext, args: Mapping[str, Any]) -> str | None:
        seen.append(args)
        return None if ctx.snapshot.data.get("geo") else f"photos need GPS within {args['m']} m"

    preds = {"photos_geotagged": photos_geotagged}
    cond = {"predicate": "photos_geotagged", "args": {"m": 50}}
    assert check(ctx(data={"geo": True}, predicates=preds), cond) == []
    assert check(ctx(predicates=preds), cond) == ["photos need GPS within 50 m"]
    assert seen == [{"m": 50}, {"m": 50}]


def test_unknown_predicate(ctx: MakeCtx) -> None:
    with pytest.raises(RuleError, match=r"unknown predicate 'nope' \(known: none\)"):
        check(ctx(), {"predicate": "nope"})


def test_predicate_returning_garbage(ctx: MakeCtx) -> None:
    preds = {"bad": lambda ctx, args: 42}
    with pytest.raises(RuleError, match="returned int"):
        check(ctx(predicates=preds), {"predicate": "bad"})


def test_unknown_reference_category(ctx: MakeCtx) -> None:
    with pytest.raises(RuleError, match="unknown reference category 'nope'"):
        check(ctx(data={"x": "a"}), {"field": "x", "in_reference": "nope"})


# --------------------------------------------------------------------- combinators


def test_all_returns_every_failure(ctx: MakeCtx) -> None:
    cond = {"all": [{"field": "a", "present": True}, {"field": "b", "eq": 1}, {"step": "x"}]}
    failed = evaluate(parse_condition(cond), ctx(data={"b": 1}))
    assert [
        FailedCondition("field", "a is required"),
        FailedCondition("step", "step 'x' is not completed"),
    ] == failed


def test_any_one_sentence(ctx: MakeCtx) -> None:
    cond = {"any": [{"field": "national_id", "present": True}, {"field": "passport", "present": True}]}
    assert [FailedCondition("any", "none of: national id is required; passport is required")] == (
        evaluate(parse_condition(cond), ctx())
    )
    assert check(ctx(data={"passport": "X1"}), cond) == []


def test_any_with_nested_all(ctx: MakeCtx) -> None:
    cond = {
        "any": [
            {"all": [{"field": "a", "present": True}, {"field": "b", "present": True}]},
            {"step": "s"},
        ]
    }
    assert check(ctx(), cond) == ["none of: a is required and b is required; step 's' is not completed"]


def test_not(ctx: MakeCtx) -> None:
    cond = {"not": {"field": "district", "in": ["paramaribo", "wanica"]}}
    assert check(ctx(data={"district": "nickerie"}), cond) == []
    assert [FailedCondition("not", "not allowed when district is one of 'paramaribo', 'wanica'")] == (
        evaluate(parse_condition(cond), ctx(data={"district": "wanica"}))
    )
    # the child fails on absent data, so the negation holds
    assert check(ctx(), cond) == []


NOT_DESCRIPTIONS = [
    pytest.param({"field": "x", "present": True}, {"x": 1}, "x is given", id="present"),
    pytest.param(
        {"field": "d", "in_reference": "district"},
        {"d": "wanica"},
        "d is a known district",
        id="ref",
    ),
    pytest.param({"documents": {"type": "plot_map"}}, {}, "plot map is uploaded", id="doc"),
    pytest.param(
        {"documents": {"type": "photo", "min": 2, "max": 3}},
        {},
        "between 2 and 3 photos are uploaded",
        id="between",
    ),
    pytest.param({"role": "applicant"}, {}, "you are applicant", id="role"),
    pytest.param({"time_in_state": {"min_hours": 0}}, {}, "at least 0 hours passed in this state", id="time"),
    pytest.param(
        {
            "all": [
                {"field": "x", "gte": 1},
                {"any": [{"field": "y", "eq": "a"}, {"field": "y", "eq": "b"}]},
            ]
        },
        {"x": 2, "y": "a"},
        "x is at least 1 and (y is 'a' or y is 'b')",
        id="nested",
    ),
]


@pytest.mark.parametrize(("child", "data", "description"), NOT_DESCRIPTIONS)
def test_not_describes_the_child(
    ctx: MakeCtx, child: dict[str, Any], data: dict[str, Any], description: str
) -> None:
    docs = (("plot_map", "PENDING"), ("photo", "PENDING"), ("photo", "PENDING"))
    context = ctx(data=data, documents=docs, roles=frozenset({"applicant"}), username="a", applicant="a")
    assert [f"not allowed when {description}"] == check(context, {"not": child})


def test_message_overrides(ctx: MakeCtx) -> None:
    plain = {"field": "x", "present": True, "message": "fill in x"}
    assert check(ctx(), plain) == ["fill in x"]
    per_language = {"step": "s", "message": {"en": "do the step", "nl": "doe de stap"}}
    assert check(ctx(language="nl"), per_language) == ["doe de stap"]
    assert check(ctx(language="fr"), per_language) == ["do the step"]
    whole = {
        "all": [{"field": "a", "present": True}, {"field": "b", "present": True}],
        "message": "a and b",
    }
    assert [FailedCondition("all", "a and b")] == evaluate(parse_condition(whole), ctx())
    assert check(ctx(), {"any": [{"step": "a"}], "message": "one of them"}) == ["one of them"]
    assert check(ctx(), {"not": {"step": "a", "status": "X"}, "message": "no"}) == []
    assert check(ctx(data={"a": 1}), {"not": {"field": "a", "eq": 1}, "message": "not now"}) == ["not now"]


# --------------------------------------------------------------------- step data


REPORT_APPROVE = {"step": "technical_report", "field": "recommendation", "eq": "approve"}


def test_step_field_holds_on_a_completed_step(ctx: MakeCtx) -> None:
    done = {"technical_report": "COMPLETED"}
    data = {"technical_report": {"recommendation": "approve", "cost": {"total": 900}}}
    assert check(ctx(steps=done, step_data=data), REPORT_APPROVE) == []
    cheap = {"step": "technical_report", "field": "cost.total", "lte": 1000}
    assert check(ctx(steps=done, step_data=data), cheap) == []


def test_step_field_fails_on_the_data(ctx: MakeCtx) -> None:
    done = {"technical_report": "COMPLETED"}
    data = {"technical_report": {"recommendation": "reject"}}
    failed = evaluate(parse_condition(REPORT_APPROVE), ctx(steps=done, step_data=data))
    sentence = "step 'technical report': recommendation must be 'approve' (is 'reject')"
    assert [FailedCondition("step-field", sentence)] == failed
    assert check(ctx(steps=done, step_data=data, language="nl"), REPORT_APPROVE) == [
        "stap 'technisch rapport': recommendation moet 'approve' zijn (is 'reject')"
    ]
    # a completed step without that field, or without data at all
    assert check(ctx(steps=done), REPORT_APPROVE) == ["step 'technical report': recommendation is required"]
    options = {"step": "technical_report", "field": "recommendation", "in": ["a", "b"]}
    assert check(ctx(steps=done, step_data=data, language="nl"), options) == [
        "stap 'technisch rapport': recommendation moet 'a' of 'b' zijn (is 'reject')"
    ]


def test_step_field_needs_the_step_completed(ctx: MakeCtx) -> None:
    # the data is not read before the step is COMPLETED, even when it would compare
    data = {"technical_report": {"recommendation": "approve"}}
    pending = ctx(steps={"technical_report": "PENDING"}, step_data=data)
    assert [
        FailedCondition("step-field", "step 'technical report' is not completed (is pending)")
    ] == evaluate(parse_condition(REPORT_APPROVE), pending)
    assert check(ctx(), REPORT_APPROVE) == ["step 'technical report' is not completed"]
    assert check(ctx(language="nl"), REPORT_APPROVE) == ["stap 'technisch rapport' is niet afgerond"]


def test_step_field_message_and_not(ctx: MakeCtx) -> None:
    done = {"technical_report": "COMPLETED"}
    data = {"technical_report": {"recommendation": "approve"}}
    with_message = {**REPORT_APPROVE, "eq": "reject", "message": {"en": "not rejected"}}
    assert check(ctx(steps=done, step_data=data), with_message) == ["not rejected"]
    assert check(ctx(), with_message) == ["not rejected"]
    assert check(ctx(steps=done, step_data=data), {"not": REPORT_APPROVE}) == [
        "not allowed when step 'technical report': recommendation is 'approve'"
    ]
