from __future__ import annotations

from pathlib import Path

import pytest

from ims.config.yaml_marks import YamlFile, display_path, parse_yaml, pointer, read_yaml


def parse(text: str) -> YamlFile:
    return parse_yaml(text, YamlFile(Path("/x/f.yaml"), "f.yaml"))


def lines(file: YamlFile) -> list[str]:
    return [i.format() for i in file.issues]


def test_dates_load_as_strings() -> None:
    data = parse("d: 2024-01-31\nt: 2024-01-31T10:00:00Z\n").data
    assert data == {"d": "2024-01-31", "t": "2024-01-31T10:00:00Z"}


def test_only_true_false_are_booleans() -> None:
    file = parse("a: true\nb: False\nc: TRUE\n")
    assert file.data == {"a": True, "b": False, "c": True}
    assert file.issues == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "label: NO\n",
            "f.yaml:1:8: error[yaml-ambiguous]: /label: ambiguous value NO: YAML 1.1 reads it as"
            " false\n  hint: quote it ('NO') if you mean the text, or write false",
            id="NO",
        ),
        pytest.param(
            "a:\n  - on\n",
            "f.yaml:2:5: error[yaml-ambiguous]: /a/0: ambiguous value on: YAML 1.1 reads it as"
            " true\n  hint: quote it ('on') if you mean the text, or write true",
            id="on-in-list",
        ),
    ],
)
def test_yes_no_on_off_are_errors(text: str, expected: str) -> None:
    file = parse(text)
    assert lines(file) == [expected]


def test_ambiguous_value_loads_as_text_and_quoted_is_fine() -> None:
    assert parse("a: Yes\n").data == {"a": "Yes"}
    file = parse("a: 'NO'\nb: \"off\"\n")
    assert file.data == {"a": "NO", "b": "off"}
    assert file.issues == []


def test_keys_are_strings() -> None:
    file = parse("no: Norwegian\n1: one\ntrue: x\n")
    assert file.data == {"no": "Norwegian", "1": "one", "true": "x"}
    assert file.issues == []


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    file = parse("a:\n  - {x: 1, y: 2, x: 3}\n")
    assert lines(file) == [
        "f.yaml:2:18: error[duplicate-key]: /a/0/x: duplicate key 'x' (first at line 2)\n"
        "  hint: YAML keeps only the last one: remove or rename one of them"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "a: [1, 2\nb: 3\n",
            "f.yaml:2:2: error[yaml-syntax]: /: expected ',' or ']', but got ':'"
            " (while parsing a flow sequence at line 1, column 4)",
            id="flow",
        ),
        pytest.param(
            "a: b: c\n",
            "f.yaml:1:5: error[yaml-syntax]: /: mapping values are not allowed here",
            id="mapping-values",
        ),
        pytest.param(
            "a: 1\n---\nb: 2\n",
            "f.yaml:2:1: error[yaml-syntax]: /: expected a single document in the stream,"
            " but found another document",
            id="two-documents",
        ),
        pytest.param(
            "a: !secret x\n",
            "f.yaml:1:4: error[yaml-syntax]: /: could not determine a constructor for the tag '!secret'",
            id="tag",
        ),
        pytest.param(
            "a: &x [*x]\n",
            "f.yaml:1:4: error[yaml-syntax]: /a/0: an alias refers to a node that contains it"
            " (recursive data)",
            id="recursive",  # aliases have no mark of their own: the anchor
        ),
        pytest.param(
            "a: 1\nb: \x07\n",
            "f.yaml:2:4: error[yaml-syntax]: /: unacceptable character #x0007:"
            " special characters are not allowed",
            id="control-character",
        ),
    ],
)
def test_syntax_errors(text: str, expected: str) -> None:
    file = parse(text)
    assert lines(file) == [expected]
    assert not file.ok


def test_positions_follow_paths() -> None:
    text = """\
states:
  DRAFT:
    label: {nl: Concept}
    empty:
list:
  - a
  - {k: v}
"""
    file = parse(text)
    assert file.position(("states", "DRAFT", "label", "nl")) == (3, 17)
    assert file.position(("states", "DRAFT", "label"), key=True) == (3, 5)
    assert file.position(("states", "DRAFT", "empty")) == (4, 5)  # empty value: its key
    assert file.position(("list", 1, "k")) == (7, 9)
    assert file.position(("states", "NOPE", "x")) == (2, 3)  # deepest part that exists
    assert file.position(()) == (1, 1)


def test_positions_with_merge_keys() -> None:
    file = parse("base: &b {p: 1, q: 2}\nder:\n  <<: *b\n  q: 3\n")
    assert file.data["der"] == {"p": 1, "q": 3}
    assert file.position(("der", "q")) == (4, 6)
    assert file.position(("der", "p")) == (1, 14)


def test_pointer_escapes() -> None:
    assert pointer(("a/b", "m~n", 0)) == "/a~1b/m~0n/0"
    assert pointer(()) == ""


def test_read_yaml_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes(b"a: caf\xe9\n")
    file = read_yaml("latin1.yaml")
    assert [i.format() for i in file.issues] == [
        "latin1.yaml:1:1: error[unreadable-file]: /: not UTF-8 text: invalid continuation byte"
    ]
    assert read_yaml("absent.yaml").issues[0].code == "unreadable-file"


def test_display_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert display_path(tmp_path / "sub" / "a.yaml") == "a.yaml"
    assert display_path(tmp_path / "b.yaml") == str(tmp_path / "b.yaml")
