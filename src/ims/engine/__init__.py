"""The workflow engine: pure decisions on application snapshots.

:class:`Engine` answers "may this actor do this action now, to which state,
with which effects?" from the loaded configuration alone: no database, no
clock (``now`` is an argument), no I/O.  The services carry the decision out
in one transaction.
"""

from __future__ import annotations

from ims.engine._decision import ActionOption, Decision
from ims.engine._effects import (
    CloseTasksEffect,
    EffectInstance,
    NotifyEffect,
    OpenStepEffect,
    OpenTaskEffect,
    PauseTasksEffect,
    ResumeTasksEffect,
)
from ims.engine._engine import Engine
from ims.rules import Actor, DocumentFact, FailedCondition, Snapshot

__all__ = [
    "ActionOption",
    "Actor",
    "CloseTasksEffect",
    "Decision",
    "DocumentFact",
    "EffectInstance",
    "Engine",
    "FailedCondition",
    "NotifyEffect",
    "OpenStepEffect",
    "OpenTaskEffect",
    "PauseTasksEffect",
    "ResumeTasksEffect",
    "Snapshot",
]
