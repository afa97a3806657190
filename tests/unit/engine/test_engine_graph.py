"""graph.mermaid draws the workflow as a stateDiagram-v2."""

from __future__ import annotations

from engine_support import RAW_CONFIG

from ims.config.models import ImsConfig
from ims.engine.graph import mermaid


def test_mermaid(config: ImsConfig) -> None:
    text = mermaid(config.workflows["demo"])
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert lines[1] == '    state "Draft" as DRAFT'
    assert "    [*] --> DRAFT" in lines
    assert "    DRAFT --> INTAKE_REVIEW: Submit (front_office)" in lines
    assert "    INTAKE_REVIEW --> REJECTED: reject (admin, director)" in lines
    # the wildcard expands to every non-final, non-hold state
    hold_edges = [line for line in lines if line.endswith("--> ON_HOLD: hold (director, minister)")]
    assert hold_edges == [
        "    DRAFT --> ON_HOLD: hold (director, minister)",
        "    INTAKE_REVIEW --> ON_HOLD: hold (director, minister)",
        "    CONTROL_ASSIGN --> ON_HOLD: hold (director, minister)",
        "    CONTROL_VISIT --> ON_HOLD: hold (director, minister)",
        "    DIRECTOR_REVIEW --> ON_HOLD: hold (director, minister)",
    ]
    # @previous: one "resume" edge back to every state that can enter the hold state
    resume = [line for line in lines if line.startswith("    ON_HOLD --> ") and "resume" in line]
    assert len(resume) == 5
    assert "    ON_HOLD --> CONTROL_VISIT: resume (director, minister)" in resume
    assert [
        line for line in lines if line.endswith("[*]") and "-->" in line and not line.startswith("    [*]")
    ] == ["    CLOSURE --> [*]", "    REJECTED --> [*]"]
    assert text.endswith("\n")


def test_mermaid_language_and_role_labels(config: ImsConfig) -> None:
    text = mermaid(config.workflows["demo"], "nl", roles=config.roles)
    assert '    state "Concept" as DRAFT' in text
    assert "    DRAFT --> INTAKE_REVIEW: Indienen (NL Front office)" in text


def test_mermaid_escapes_labels() -> None:
    wf = {
        **RAW_CONFIG["workflows"]["demo"],
        "states": {
            "A": {"name": "A", "label": {"en": 'Say "hi"'}},
            "B": {"name": "B", "final": True},
        },
        "transitions": [{"name": "go", "label": {"en": "go: now; fast"}, "from": ["A"], "to": "B"}],
    }
    cfg = ImsConfig.model_validate({**RAW_CONFIG, "workflows": {"demo": wf}})
    text = mermaid(cfg.workflows["demo"])
    assert '    state "Say #quot;hi#quot;" as A' in text
    assert "    A --> B: go#58; now#59; fast" in text


def test_mermaid_marks_previous_edges_as_resume() -> None:
    wf = {
        **RAW_CONFIG["workflows"]["demo"],
        "states": {"A": {"name": "A"}, "H": {"name": "H", "hold": True}},
        "transitions": [
            {"name": "pause", "from": ["A"], "to": "H"},
            {"name": "release", "label": {"en": "Release"}, "from": ["H"], "to": "@previous"},
        ],
    }
    cfg = ImsConfig.model_validate({**RAW_CONFIG, "workflows": {"demo": wf}})
    assert "    H --> A: Release - resume\n" in mermaid(cfg.workflows["demo"])
