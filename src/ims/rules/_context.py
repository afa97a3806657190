"""What an evaluation reads (:class:`EvalContext`) and returns (:class:`FailedCondition`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ims.rules._facts import Actor, Snapshot, empty_mapping

if TYPE_CHECKING:
    from ims.config.models import ImsConfig, Workflow


@dataclass(frozen=True, slots=True)
class FailedCondition:
    """One condition that does not hold: a code and a sentence a clerk can read.

    ``code`` is the node kind (``field``, ``documents``, ``required-documents``,
    ``step``, ``step-field``, ``role``, ``time-in-state``, ``predicate``, ``any``,
    ``not``, ``all`` for an ``all`` with its own message) or an engine code
    (``unknown-action``, ``role``, ``reason-required``, ...).
    """

    code: str
    message: str


class Predicate(Protocol):
    """A plugin predicate: ``None`` when it holds, else the failure sentence.

    Registered by name through the ``register_predicates`` hook and used as
    ``{predicate: name, args: {...}}``.  It must not do I/O that can change
    the answer between two calls with the same inputs.
    """

    def __call__(self, ctx: EvalContext, args: Mapping[str, Any], /) -> str | None: ...


@dataclass(frozen=True, slots=True)
class EvalContext:
    """Everything a condition may read; ``now`` is an input, never the clock."""

    snapshot: Snapshot
    #: ``None`` where no user is involved (e.g. computing a checklist)
    actor: Actor | None
    now: datetime
    config: ImsConfig
    predicates: Mapping[str, Predicate] = field(default_factory=empty_mapping)
    #: language of generated sentences and their labels (``en``, ``nl``; other
    #: languages get English sentences; a label falls back to English, then the code)
    language: str = "en"

    @property
    def workflow(self) -> Workflow | None:
        """The snapshot's workflow definition, if the configuration has it."""
        return self.config.workflows.get(self.snapshot.workflow)
