"""The shipped JSON Schemas: valid, documented, and as strict as the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ims.config.validate import SCHEMA_NAMES, schema, validate
from ims.config.yaml_marks import Part, YamlFile, parse_yaml


def properties(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield f"{where}/properties/{name}", sub
            yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from properties(item, f"{where}/{i}")


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    loaded = schema(name)
    Draft202012Validator.check_schema(loaded)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert loaded["$id"].endswith(f"/{name}.schema.json")
    assert loaded["title"]


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_property_is_described(name: str) -> None:
    undocumented = [
        where
        for where, sub in properties(schema(name))
        if sub is not True and not (isinstance(sub, dict) and sub.get("description"))
    ]
    assert undocumented == []


def check(schema_name: str, text: str) -> list[str]:
    file = parse_yaml(text, YamlFile(Path("/x/f.yaml"), "f.yaml"))
    return [i.format() for i in validate(Part(file, (), file.data), schema_name)]


def test_bool_where_a_string_is_expected_gets_a_hint() -> None:
    assert check("roles", "roles:\n  admin: {label: {nl: false}}\n") == [
        "f.yaml:2:23: error[schema]: /roles/admin/label/nl: false is not of type 'string'\n"
        "  hint: quote it ('false') if you mean the text"
    ]


def test_number_code_gets_a_hint() -> None:
    text = "categories:\n  zone:\n    values:\n      - {code: 01}\n"
    assert check("reference", text) == [
        "f.yaml:4:16: error[schema]: /categories/zone/values/0/code: 1 is not of type 'string'\n"
        "  hint: YAML read 01 as 1: quote it ('01')"
    ]


def test_ambiguous_boolean_is_not_reported_twice() -> None:
    file = parse_yaml("roles: {}\npermissions: {a: yes}\n", YamlFile(Path("/f"), "f.yaml"))
    assert [i.code for i in file.issues] == ["yaml-ambiguous"]
    assert validate(Part(file, (), file.data), "roles") == []


def test_invalid_names() -> None:
    assert check("roles", "roles:\n  front office: {}\n") == [
        "f.yaml:2:3: error[schema]: /roles/front office: invalid name 'front office'\n"
        "  hint: names start with a letter and contain only letters, digits, '_' and '-'"
    ]


def test_alternatives_show_the_closest_and_a_count() -> None:
    text = "document_types:\n  a:\n    required_when: {documents: {status: [PENDING, LOST]}}\n"
    assert check("reference", text) == [
        "f.yaml:3:51: error[schema]: /document_types/a/required_when/documents/status/1:"
        " none of 2 allowed forms match; closest: 'LOST' is not one of 'PENDING', 'VERIFIED',"
        " 'REJECTED', 'MISSING'"
    ]


def test_condition_forms() -> None:
    text = (
        "document_types:\n"
        "  a:\n"
        "    required_when:\n"
        "      any:\n"
        "        - {field: x, eq: 1, in: [1]}\n"
        "        - {time_in_state: {}}\n"
        "        - {step: visit, status: done}\n"
        "        - {field: x, matches: '('}\n"
    )
    assert check("reference", text) == [
        "f.yaml:5:11: error[schema]: /document_types/a/required_when/any/0: a 'field' condition"
        " needs exactly one comparison: eq, ne, gt, gte, lt, lte, in, not_in, present, matches,"
        " min_length, max_length, in_reference",
        "f.yaml:6:27: error[schema]: /document_types/a/required_when/any/1/time_in_state:"
        " 'time_in_state' needs min_hours and/or max_hours",
        "f.yaml:7:33: error[schema]: /document_types/a/required_when/any/2/status: 'done' does"
        " not match '^[A-Z][A-Z_]*$'\n  hint: a step status is upper case, e.g. COMPLETED",
        "f.yaml:8:31: error[schema]: /document_types/a/required_when/any/3/matches: '(' is not"
        " a valid regex\n  hint: missing ), unterminated subpattern at position 0",
    ]


def test_step_field_forms() -> None:
    def errors(condition: str) -> list[str]:
        text = f"document_types:\n  a:\n    required_when: {condition}\n"
        return [line.split(": ", 3)[3] for line in check("reference", text)]

    assert errors("{step: s, field: decision, eq: approve}") == []
    assert errors("{step: s, field: cost.total, lte: 10, message: {nl: te duur}}") == []
    assert errors("{step: s, status: PENDING}") == []
    assert errors("{step: s, field: decision, eq: approve, status: COMPLETED}") == [
        "'status' cannot go with 'field': step data is compared once the step is COMPLETED"
    ]
    one = (
        "a 'step' condition with 'field' needs exactly one comparison: eq, ne, gt, gte, lt,"
        " lte, in, not_in, present, matches, min_length, max_length"
    )
    assert errors("{step: s, field: decision}") == [one]
    assert errors("{step: s, field: decision, eq: a, ne: b}") == [one]
    assert errors("{step: s, eq: approve}") == [
        "a comparison next to 'step' needs 'field' (a field of the step's data)"
    ]
    in_reference = errors("{step: s, field: d, in_reference: district}")
    assert in_reference[-1].startswith("key 'in_reference' is not allowed here")


def test_effect_is_exactly_one_form() -> None:
    text = (
        "name: w\ninitial_state: A\nstates:\n  A:\n    on_enter:\n"
        "      - {open_step: x, notify: {}}\n      - {}\n"
    )
    message = "an effect is exactly one of: open_task, open_step, notify"
    assert check("workflow", text) == [
        f"f.yaml:6:9: error[schema]: /states/A/on_enter/0: {message}",
        f"f.yaml:7:9: error[schema]: /states/A/on_enter/1: {message}",
    ]


def test_empty_file() -> None:
    assert check("sla", "") == ["f.yaml:1:1: error[schema]: /: the file is empty; expected object"]
