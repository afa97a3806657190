"""Every bad fixture gives exactly the error text next to it (file:line:col included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ims.config import load
from ims.errors import ConfigError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config"
BAD_WORKFLOWS = sorted(p.stem for p in FIXTURES.glob("bad_*.yaml"))
BAD_CONFIGS = sorted(p.name for p in FIXTURES.glob("bad_*/"))


def load_bad_workflow(name: str, tmp_path: Path) -> ConfigError:
    """Load ``<name>.yaml`` as the only workflow, next to minimal/roles.yaml and reference.yaml."""
    root = tmp_path / "ims.yaml"
    root.write_text(
        "version: 1\n"
        f"roles: {FIXTURES / 'minimal' / 'roles.yaml'}\n"
        f"reference: {FIXTURES / 'minimal' / 'reference.yaml'}\n"
        f"workflows: [{FIXTURES / (name + '.yaml')}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load(root, env={}, known_predicates={"has_budget"})
    return info.value


@pytest.mark.parametrize("name", BAD_WORKFLOWS)
def test_bad_workflow(name: str, tmp_path: Path, fixtures: Path) -> None:
    expected = (fixtures / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")
    assert expected == str(load_bad_workflow(name, tmp_path))


@pytest.mark.parametrize("name", BAD_CONFIGS)
def test_bad_config(name: str, fixtures: Path) -> None:
    expected = (fixtures / name / "expected.txt").read_text(encoding="utf-8").rstrip("\n")
    with pytest.raises(ConfigError) as info:
        load(fixtures / name / "ims.yaml", env={}, known_predicates={"has_budget"})
    assert expected == str(info.value)


def test_all_problems_come_out_together(tmp_path: Path, fixtures: Path) -> None:
    error = load_bad_workflow("bad_three_problems", tmp_path)
    assert [(i.code, i.line, i.column) for i in error.issues] == [
        ("unknown-role", 11, 13),
        ("unknown-document-type", 12, 30),
        ("final-state-exit", 14, 11),
    ]
    assert str(error).endswith("\n3 errors in 1 file")


def test_unknown_state_line_is_exact(tmp_path: Path, fixtures: Path) -> None:
    error = load_bad_workflow("bad_unknown_state", tmp_path)
    assert error.issues[0].format() == (
        "bad_unknown_state.yaml:10:9: error[unknown-state]: /transitions/0/to: "
        "unknown state 'INTAKE_REVEIW'\n  hint: did you mean 'INTAKE_REVIEW'?"
    )


def test_every_error_code_has_a_fixture() -> None:
    texts = [p.read_text(encoding="utf-8") for p in FIXTURES.glob("bad_*.txt")]
    texts += [p.read_text(encoding="utf-8") for p in FIXTURES.glob("bad_*/expected.txt")]
    found = "\n".join(texts)
    codes = {
        "schema", "duplicate-key", "yaml-ambiguous", "yaml-syntax", "missing-file",
        "unknown-state", "unknown-role", "unknown-permission", "unreachable-state",
        "final-state-exit", "bad-previous", "duplicate-transition", "unknown-document-type",
        "unknown-step", "unknown-category", "unknown-predicate", "unknown-field",
        "bad-number-pattern", "bad-schema", "bad-condition", "unknown-workflow",
        "sla-final-state", "duplicate-workflow", "duplicate-code", "required-when-ignored",
    }  # fmt: skip
    assert {c for c in codes if f"error[{c}]" not in found} == set()


def test_issue_as_dict(tmp_path: Path, fixtures: Path) -> None:
    issue = load_bad_workflow("bad_initial_state", tmp_path).issues[0]
    assert issue.as_dict() == {
        "file": "bad_initial_state.yaml",
        "line": 2,
        "column": 16,
        "severity": "error",
        "code": "unknown-state",
        "pointer": "/initial_state",
        "message": "unknown state 'draft'",
        "hint": "did you mean 'DRAFT'?",
    }
