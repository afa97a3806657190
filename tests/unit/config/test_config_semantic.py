"""Semantic checks on small inline workflows (the fixtures cover the messages)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ims.config.semantic import Known, check_number_pattern, check_settings, check_workflow
from ims.config.yaml_marks import Part, YamlFile, parse_yaml
from ims.errors import ConfigIssue


def part(text: str) -> Part:
    file = parse_yaml(text, YamlFile(Path("/w.yaml"), "w.yaml"))
    assert file.issues == []
    return Part(file, (), file.data)


def codes(text: str, known: Known | None = None) -> list[str]:
    out: list[ConfigIssue] = []
    check_workflow(part(text), known or Known(), out)
    return [i.code for i in out]


def workflow(states: dict[str, object], transitions: list[object]) -> str:
    doc = {"name": "w", "initial_state": "A", "states": states, "transitions": transitions}
    return yaml.safe_dump(doc)


def test_previous_from_a_hold_returns_to_every_state_that_enters_it() -> None:
    text = workflow(
        {"A": {}, "B": {}, "H": {"hold": True}, "END": {"final": True}},
        [
            {"name": "go", "from": "A", "to": "H"},
            {"name": "back", "from": "H", "to": "@previous"},
            {"name": "next", "from": "A", "to": "B"},
            {"name": "end", "from": "B", "to": "END"},
        ],
    )
    assert codes(text) == []


def test_star_skips_final_and_hold_states() -> None:
    text = workflow(
        {"A": {}, "H": {"hold": True}, "END": {"final": True}},
        [
            {"name": "hold", "from": "*", "to": "H"},
            {"name": "back", "from": "H", "to": "@previous"},
            {"name": "end", "from": "A", "to": "END"},
            {"name": "end", "from": "H", "to": "END"},  # same name, disjoint from: fine
        ],
    )
    assert codes(text) == []


def test_star_overlapping_a_named_state_is_a_duplicate() -> None:
    text = workflow(
        {"A": {}, "END": {"final": True}},
        [{"name": "end", "from": "A", "to": "END"}, {"name": "end", "from": "*", "to": "END"}],
    )
    assert codes(text) == ["duplicate-transition"]


def test_previous_from_star_is_refused() -> None:
    text = workflow({"A": {}}, [{"name": "back", "from": "*", "to": "@previous"}])
    assert codes(text) == ["bad-previous"]


def test_previous_and_star_in_the_wrong_place() -> None:
    text = workflow(
        {"A": {}, "B": {}},
        [{"name": "x", "from": "@previous", "to": "B"}, {"name": "y", "from": "A", "to": "*"}],
    )
    assert codes(text) == ["unknown-state", "unknown-state", "unreachable-state"]


def test_unknown_names_are_skipped_when_the_list_is_unknown() -> None:
    text = workflow(
        {"A": {"on_enter": [{"notify": {"roles": ["nobody"]}}]}},
        [{"name": "x", "from": "A", "to": "A", "roles": ["ghost"], "when": {"predicate": "p"}}],
    )
    assert codes(text) == []
    known = Known(roles=frozenset({"admin"}), predicates=frozenset())
    assert codes(text, known) == ["unknown-role", "unknown-role", "unknown-predicate"]


def test_step_field_must_be_in_the_step_schema() -> None:
    doc = {
        "name": "w",
        "initial_state": "A",
        "steps": {
            "decision": {
                "schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"outcome": {"enum": ["yes", "no"]}, "money": {"type": "object"}},
                }
            },
            "open": {"schema": {"type": "object", "properties": {"x": {}}}},
        },
        # the application data schema does not declare 'outcome': step fields are not read there
        "data_schema": {"type": "object", "additionalProperties": False, "properties": {}},
        "states": {
            "A": {"on_enter": [{"open_step": "decision"}, {"open_step": "open"}]},
            "B": {"final": True},
        },
        "transitions": [
            {
                "name": "go",
                "from": "A",
                "to": "B",
                "when": {
                    "all": [
                        {"step": "decision", "field": "outcome", "eq": "yes"},
                        {"step": "decision", "field": "outcom", "eq": "yes"},
                        {"step": "decision", "field": "money.anything", "present": True},
                        {"step": "open", "field": "anything", "present": True},
                        {"step": "nope", "field": "outcome", "eq": "yes"},
                    ]
                },
            }
        ],
    }
    out: list[ConfigIssue] = []
    check_workflow(part(yaml.safe_dump(doc)), Known(steps=frozenset({"decision", "open"})), out)
    assert [(i.code, i.pointer, i.message, i.hint) for i in out] == [
        (
            "unknown-field",
            "/transitions/0/when/all/1/field",
            "field 'outcom' is not in the schema of step 'decision' ('outcom' is not allowed)",
            "did you mean 'outcome'?",
        ),
        (
            "unknown-step",
            "/transitions/0/when/all/4/step",
            "unknown step 'nope'",
            "did you mean 'open'?",
        ),
    ]


def test_assignee_field_is_not_checked_without_properties() -> None:
    text = workflow({"A": {"on_enter": [{"open_task": {"assignee_field": "anyone"}}]}}, [])
    assert codes(text) == []


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "X-{seq:06q}",
            "number pattern 'X-{seq:06q}' is not valid: Unknown format code 'q' for object of type 'int'",
        ),
        ("X-{seq", "number pattern 'X-{seq' is not valid: expected '}' before end of string"),
        ("X-{year}", "number pattern 'X-{year}' has no {seq} placeholder"),
        ("X-{id}-{seq}", "unknown placeholder {id} in number pattern 'X-{id}-{seq}'"),
    ],
)
def test_number_patterns(pattern: str, message: str) -> None:
    out: list[ConfigIssue] = []
    check_number_pattern(part(f"p: '{pattern}'\n"), ("p",), pattern, out)
    assert [i.message for i in out] == [message]


def test_number_pattern_ok() -> None:
    out: list[ConfigIssue] = []
    check_number_pattern(part("p: x\n"), ("p",), "BS-{year}-{seq:06d}", out)
    assert out == []


def test_unknown_timezone() -> None:
    import zoneinfo

    if not zoneinfo.available_timezones():
        pytest.skip("no time zone database")
    out: list[ConfigIssue] = []
    check_settings(part("timezone: America/Paramribo\n"), out)
    assert [i.format() for i in out] == [
        "w.yaml:1:11: error[unknown-timezone]: /timezone: unknown time zone"
        " 'America/Paramribo'\n  hint: did you mean 'America/Paramaribo'?"
    ]
