"""The facts rules and the engine decide on: an application snapshot and the actor.

They live in :mod:`ims.rules` (not :mod:`ims.engine`) because conditions read
them and ``rules`` must not import ``engine``; both packages re-export them.
Services build them from the store; nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

#: The role satisfied only by the application's own applicant.
APPLICANT_ROLE = "applicant"

#: Document statuses a :class:`DocumentFact` may carry.
DOCUMENT_STATUSES = ("PENDING", "VERIFIED", "REJECTED", "MISSING")

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class DocumentFact:
    """One document of the application: its type code and status."""

    type: str
    #: PENDING | VERIFIED | REJECTED | MISSING
    status: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What rules and the engine know about one application, read-only."""

    workflow: str
    state: str
    previous_state: str | None
    #: the application data (validated against the workflow's ``data_schema``)
    data: Mapping[str, Any]
    documents: tuple[DocumentFact, ...]
    #: step name -> status (PENDING, COMPLETED, ...)
    steps: Mapping[str, str]
    #: when the application entered ``state`` (timezone-aware)
    state_entered_at: datetime
    assignee: str | None = None
    applicant: str | None = None
    priority: int = 3
    version: int = 1
    #: step name -> the step's recorded data (read by ``step`` + ``field`` conditions)
    step_data: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class Actor:
    """The user asking: a username and the roles it holds."""

    username: str
    roles: frozenset[str] = field(default_factory=frozenset)


def holds_any_role(actor: Actor | None, roles: frozenset[str], snapshot: Snapshot) -> bool:
    """Whether ``actor`` holds one of ``roles``.

    The ``applicant`` role counts only for the application's own applicant.
    """
    if actor is None:
        return False
    common = roles & actor.roles
    if not common:
        return False
    if APPLICANT_ROLE not in common or len(common) > 1:
        return True
    return snapshot.applicant is not None and actor.username == snapshot.applicant


def empty_mapping() -> Mapping[str, Any]:
    """A shared read-only empty mapping (default for ``predicates``)."""
    return _EMPTY
