"""Which final states count as approvals and which as rejections."""

from __future__ import annotations

from pathlib import Path

from ims.config import load
from ims.hooks.protocols import ReportParams
from ims.reports._scope import final_states, outcome_of

REPO = Path(__file__).resolve().parents[3]


def test_reference_workflow_outcomes() -> None:
    config = load(REPO / "config" / "ims.yaml", env={})
    assert outcome_of(config, "bouwsubsidie", "CLOSURE") == "approved"
    assert outcome_of(config, "bouwsubsidie", "REJECTED") == "rejected"  # requires a reason
    assert outcome_of(config, "bouwsubsidie", "DRAFT") is None
    assert outcome_of(config, "nope", "CLOSURE") is None
    params = ReportParams(workflow="bouwsubsidie")
    assert final_states(config, params) == [("bouwsubsidie", "CLOSURE"), ("bouwsubsidie", "REJECTED")]
    assert final_states(config, params, "rejected") == [("bouwsubsidie", "REJECTED")]
    assert final_states(config, ReportParams(workflow="other")) == []
