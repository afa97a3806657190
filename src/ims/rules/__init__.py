"""The rules language: conditions on an application, evaluated to readable sentences.

A condition is parsed once from its YAML mapping (:func:`parse_condition`) and
evaluated many times (:func:`evaluate`) against an :class:`EvalContext`: the
application :class:`Snapshot`, the :class:`Actor`, ``now`` and the configuration.
An empty result means the condition holds; otherwise each
:class:`FailedCondition` carries a sentence a clerk can read.
"""

from __future__ import annotations

from ims.rules._checklist import ChecklistItem, checklist, required_document_types
from ims.rules._conditions import Condition, iter_references
from ims.rules._context import EvalContext, FailedCondition, Predicate
from ims.rules._evaluate import evaluate
from ims.rules._facts import Actor, DocumentFact, Snapshot
from ims.rules._parse import parse_condition

__all__ = [
    "Actor",
    "ChecklistItem",
    "Condition",
    "DocumentFact",
    "EvalContext",
    "FailedCondition",
    "Predicate",
    "Snapshot",
    "checklist",
    "evaluate",
    "iter_references",
    "parse_condition",
    "required_document_types",
]
