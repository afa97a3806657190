"""Which documents an application needs now, and how far each one is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from ims.rules._context import EvalContext, Predicate
from ims.rules._evaluate import document_types_in_order, required_now
from ims.rules._facts import Actor, Snapshot, empty_mapping

if TYPE_CHECKING:
    from ims.config.models import DocumentType, ImsConfig

ChecklistStatus = Literal["MISSING", "PENDING", "VERIFIED", "REJECTED"]

#: When a type has several documents, the best status wins (the first of these).
_BEST_FIRST: tuple[ChecklistStatus, ...] = ("VERIFIED", "PENDING", "REJECTED", "MISSING")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One document type on the checklist: required now or not, and its best status."""

    document_type: DocumentType
    required: bool
    status: ChecklistStatus


def _context(
    config: ImsConfig,
    snapshot: Snapshot,
    now: datetime,
    actor: Actor | None,
    predicates: Mapping[str, Predicate] | None,
    language: str | None,
) -> EvalContext:
    return EvalContext(
        snapshot,
        actor,
        now,
        config,
        empty_mapping() if predicates is None else predicates,
        language or config.settings.language,
    )


def required_document_types(
    config: ImsConfig,
    snapshot: Snapshot,
    now: datetime,
    actor: Actor | None = None,
    *,
    predicates: Mapping[str, Predicate] | None = None,
    language: str | None = None,
) -> list[DocumentType]:
    """The document types required now (``required`` and ``required_when`` holds), by order."""
    return required_now(_context(config, snapshot, now, actor, predicates, language))


def checklist(
    config: ImsConfig,
    snapshot: Snapshot,
    now: datetime,
    actor: Actor | None = None,
    *,
    predicates: Mapping[str, Predicate] | None = None,
    language: str | None = None,
) -> list[ChecklistItem]:
    """Every document type, by order, with ``required`` (now) and its best status.

    Status ``VERIFIED`` > ``PENDING`` > ``REJECTED`` > ``MISSING``; a type
    without documents is ``MISSING``.
    """
    ctx = _context(config, snapshot, now, actor, predicates, language)
    required = {doc_type.code for doc_type in required_now(ctx)}
    seen: dict[str, set[str]] = {}
    for doc in snapshot.documents:
        seen.setdefault(doc.type, set()).add(doc.status)
    return [
        ChecklistItem(
            doc_type,
            doc_type.code in required,
            _best(seen.get(doc_type.code, set())),
        )
        for doc_type in document_types_in_order(config)
    ]


def _best(statuses: set[str]) -> ChecklistStatus:
    return next((status for status in _BEST_FIRST if status in statuses), "MISSING")
