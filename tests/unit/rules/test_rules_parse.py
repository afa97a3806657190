"""parse_condition: the node tree, and clear errors on a bad shape."""

from __future__ import annotations

from typing import Any

import pytest

from ims.errors import RuleError
from ims.rules import Condition, iter_references, parse_condition
from ims.rules._conditions import (
    All,
    Documents,
    FieldCompare,
    HasRole,
    Not,
    PredicateCall,
    RequiredDocuments,
    StepField,
    StepIs,
    TimeInState,
)
from ims.rules._conditions import (
    Any as AnyOf,
)


def test_tree() -> None:
    cond = parse_condition(
        {
            "all": [
                {"field": "a.b", "gte": 1, "message": "a b"},
                {"any": [{"role": "director"}, {"not": {"step": "visit"}}]},
                {"documents": {"types": ["x", "y"], "status": ["VERIFIED"], "min": 2}},
                {"required_documents": "verified"},
                {"time_in_state": {"max_hours": 4}},
                {"predicate": "p", "args": {"k": 1}},
            ]
        }
    )
    assert isinstance(cond, All)
    field, any_, docs, required, time, predicate = cond.conditions
    assert FieldCompare("a.b", "gte", 1, message="a b") == field
    assert isinstance(field, FieldCompare)
    assert field.parts == ("a", "b")
    assert AnyOf((HasRole(("director",)), Not(StepIs("visit", "COMPLETED")))) == any_
    assert Documents(("x", "y"), ("VERIFIED",), 2, None) == docs
    assert RequiredDocuments("verified") == required
    assert TimeInState(None, 4.0) == time
    assert isinstance(predicate, PredicateCall)
    assert dict(predicate.args) == {"k": 1}


def test_documents_defaults() -> None:
    assert Documents(("x",), ("PENDING", "VERIFIED"), 1, None) == parse_condition(
        {"documents": {"type": "x"}}
    )
    # with only a maximum, the minimum is 0
    assert Documents(("x",), ("PENDING", "VERIFIED"), 0, 0) == parse_condition(
        {"documents": {"type": "x", "max": 0}}
    )


def test_nodes_are_hashable_and_frozen() -> None:
    raw: dict[str, Any] = {"all": [{"field": "x", "in": ["a", "b"]}, {"role": ["r"]}]}
    cond = parse_condition(raw)
    assert hash(cond) == hash(parse_condition(raw))
    assert isinstance(cond, Condition)
    with pytest.raises(AttributeError):
        cond.message = "x"  # type: ignore[misc]


def test_iter_references() -> None:
    cond = parse_condition(
        {
            "all": [
                {"documents": {"types": ["plot_map", "photo"]}},
                {"not": {"step": "visit"}},
                {"field": "district", "in_reference": "district"},
                {"any": [{"role": ["director", "minister"]}, {"predicate": "geo"}]},
                {"field": "x", "eq": 1},
                {"step": "decision", "field": "outcome", "eq": "approve"},
            ]
        }
    )
    assert list(iter_references(cond)) == [
        ("document_type", "plot_map"),
        ("document_type", "photo"),
        ("step", "visit"),
        ("category", "district"),
        ("role", "director"),
        ("role", "minister"),
        ("predicate", "geo"),
        ("step", "decision"),
    ]


def test_step_field() -> None:
    raw = {"step": "minister_decision", "field": "decision", "eq": "approve", "message": "no"}
    cond = parse_condition(raw)
    assert StepField("minister_decision", FieldCompare("decision", "eq", "approve"), message="no") == (cond)
    assert isinstance(cond, StepField)
    assert cond.kind == "step-field"
    nested = parse_condition({"step": "report", "field": "cost.total", "in": [1, 2]})
    assert isinstance(nested, StepField)
    assert nested.compare.parts == ("cost", "total")
    assert nested.compare.value == (1, 2)
    assert parse_condition({"step": "report", "status": "PENDING"}) == StepIs("report", "PENDING")


BAD = [
    pytest.param([], "bad condition: a condition is a mapping, not a list", id="not-mapping"),
    pytest.param({}, "bad condition: needs exactly one operator of: all, any, not, field,", id="empty"),
    pytest.param(
        {"feild": "x", "eq": 1},
        "bad condition: needs exactly one operator of: all, any, not, field, documents,"
        " required_documents, step, role, time_in_state, predicate; found none"
        " (unknown key 'feild')",
        id="typo",
    ),
    pytest.param({"step": "a", "role": "b"}, "found 'step', 'role'", id="two-operators"),
    pytest.param({"step": "a", "foo": 1}, "unknown key 'foo' next to 'step'", id="extra-key"),
    pytest.param({"all": []}, "at /all: 'all' needs a non-empty list", id="empty-all"),
    pytest.param({"any": {"step": "a"}}, "at /any: 'any' needs a non-empty list", id="any-mapping"),
    pytest.param(
        {"all": [{"step": "a"}, {"not": {"field": "x"}}]},
        "bad condition at /all/1/not: 'field' needs exactly one operator of: eq, ne,",
        id="nested-pointer",
    ),
    pytest.param({"field": "x", "eq": 1, "ne": 2}, "'field' needs exactly one operator", id="two-ops"),
    pytest.param({"field": "", "eq": 1}, "at /field: 'field' must be a non-empty string", id="no-path"),
    pytest.param({"field": "a..b", "eq": 1}, "'a..b' is not a dot path", id="bad-path"),
    pytest.param({"field": "x", "eq": [1]}, "at /eq: 'eq' needs a single value, not a list", id="eq-list"),
    pytest.param({"field": "x", "in": "a"}, "at /in: 'in' needs a list of values", id="in-str"),
    pytest.param({"field": "x", "present": "yes"}, "'present' must be true or false", id="present"),
    pytest.param({"field": "x", "matches": "("}, "'(' is not a valid regular expression", id="re"),
    pytest.param({"field": "x", "min_length": -1}, "'min_length' must be a whole number", id="len"),
    pytest.param({"documents": "x"}, "'documents' needs a mapping", id="docs-str"),
    pytest.param({"documents": {"type": "x", "types": ["y"]}}, "give 'type' or 'types', not both", id="both"),
    pytest.param({"documents": {"type": "x", "status": "LOST"}}, "unknown status 'LOST'", id="status"),
    pytest.param(
        {"documents": {"type": "x", "min": 3, "max": 1}},
        "'min' (3) is more than 'max' (1)",
        id="min-max",
    ),
    pytest.param(
        {"documents": {"type": "x", "count": 1}}, "unknown key 'count' in 'documents'", id="doc-key"
    ),
    pytest.param({"required_documents": "all"}, "use 'uploaded' or 'verified'", id="req-docs"),
    pytest.param({"role": []}, "'role' must be a name or a non-empty list", id="role-empty"),
    pytest.param({"time_in_state": {"hours": 3}}, "needs {min_hours: n}", id="time-key"),
    pytest.param({"time_in_state": {"min_hours": "3"}}, "hours must be a number", id="time-str"),
    pytest.param({"predicate": "p", "args": [1]}, "'args' must be a mapping", id="args"),
    pytest.param({"step": "a", "message": 3}, "a message is a string or a mapping", id="message"),
    pytest.param(
        {"step": "a", "field": "x", "eq": 1, "status": "COMPLETED"},
        "at /status: 'status' cannot go with 'field'",
        id="step-field-status",
    ),
    pytest.param({"step": "a", "eq": 1}, "at /eq: 'eq' next to 'step' needs 'field'", id="step-op-no-field"),
    pytest.param(
        {"step": "a", "field": "x"},
        "'field' needs exactly one operator of: eq, ne, gt, gte, lt, lte, in, not_in, present,"
        " matches, min_length, max_length",
        id="step-field-no-op",
    ),
    pytest.param(
        {"step": "a", "field": "x", "eq": 1, "ne": 2},
        "'field' needs exactly one operator",
        id="step-field-two-ops",
    ),
    pytest.param(
        {"step": "a", "field": "x", "in_reference": "district"},
        "unknown key 'in_reference' next to 'step'",
        id="step-field-in-reference",
    ),
    pytest.param({"step": "a", "field": "x", "role": "r"}, "found 'step', 'field', 'role'", id="three-ops"),
]


@pytest.mark.parametrize(("raw", "error"), BAD)
def test_bad_shape(raw: Any, error: str) -> None:
    with pytest.raises(RuleError) as info:
        parse_condition(raw)
    assert error in str(info.value)
