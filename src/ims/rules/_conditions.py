"""The condition tree: one frozen node class per form of the rules language.

:func:`ims.rules.parse_condition` builds these from the YAML mapping once (the
config models cache the result); :func:`ims.rules.evaluate` walks them.  Every
node may carry ``message``: a sentence (or ``{language: sentence}``) that
replaces the generated failure sentence.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: A failure sentence replacing the generated one: plain or per language.
Message = str | Mapping[str, str]

#: The comparison operators of ``field`` conditions.
FIELD_OPERATORS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "present",
    "matches",
    "min_length",
    "max_length",
    "in_reference",
)

#: The comparison operators of ``step`` + ``field`` conditions (on step data).
STEP_FIELD_OPERATORS = tuple(op for op in FIELD_OPERATORS if op != "in_reference")

#: The step status a ``step`` + ``field`` condition needs before it reads the data.
COMPLETED = "COMPLETED"

#: Document statuses counted when a ``documents`` condition names none.
UPLOADED_STATUSES: tuple[str, ...] = ("PENDING", "VERIFIED")


@dataclass(frozen=True, slots=True)
class Condition:
    """Base of every node; ``kind`` is also the code of its failures."""

    kind: t.ClassVar[str] = "condition"
    message: Message | None = field(default=None, kw_only=True, hash=False)


@dataclass(frozen=True, slots=True)
class All(Condition):
    """Holds when every child holds; fails with every failed child's sentences."""

    kind: t.ClassVar[str] = "all"
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Any(Condition):
    """Holds when one child holds; fails with one sentence ``none of: a; b``."""

    kind: t.ClassVar[str] = "any"
    conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not(Condition):
    """Holds when its child fails."""

    kind: t.ClassVar[str] = "not"
    condition: Condition


@dataclass(frozen=True, slots=True)
class FieldCompare(Condition):
    """``field: a.b`` with one operator on the application data."""

    kind: t.ClassVar[str] = "field"
    path: str
    op: str
    #: the operand: a scalar, a tuple (``in``/``not_in``), a bool (``present``),
    #: a pattern (``matches``), a length or a reference category
    value: t.Any
    parts: tuple[str, ...] = field(init=False, repr=False, compare=False)
    regex: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.path.split(".")))
        regex = re.compile(self.value) if self.op == "matches" else None
        object.__setattr__(self, "regex", regex)


@dataclass(frozen=True, slots=True)
class Documents(Condition):
    """Between ``min_count`` and ``max_count`` documents of ``types`` with ``statuses``.

    No ``types`` means documents of any type.
    """

    kind: t.ClassVar[str] = "documents"
    types: tuple[str, ...]
    statuses: tuple[str, ...] = UPLOADED_STATUSES
    min_count: int = 1
    max_count: int | None = None


@dataclass(frozen=True, slots=True)
class RequiredDocuments(Condition):
    """Every document type required now has an ``uploaded`` or ``verified`` document."""

    kind: t.ClassVar[str] = "required-documents"
    level: t.Literal["uploaded", "verified"]


@dataclass(frozen=True, slots=True)
class StepIs(Condition):
    """The step is recorded with ``status``."""

    kind: t.ClassVar[str] = "step"
    step: str
    status: str = COMPLETED


@dataclass(frozen=True, slots=True)
class StepField(Condition):
    """``step: s`` + ``field: a.b`` with one operator: the step is COMPLETED and its data compares.

    ``compare`` is read against the step's data, not the application's.
    """

    kind: t.ClassVar[str] = "step-field"
    step: str
    compare: FieldCompare


@dataclass(frozen=True, slots=True)
class HasRole(Condition):
    """The actor holds one of ``roles`` (``applicant``: only the own applicant)."""

    kind: t.ClassVar[str] = "role"
    roles: tuple[str, ...]
    role_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role_set", frozenset(self.roles))


@dataclass(frozen=True, slots=True)
class TimeInState(Condition):
    """Hours since the application entered its state, at least / at most."""

    kind: t.ClassVar[str] = "time-in-state"
    min_hours: float | None = None
    max_hours: float | None = None


@dataclass(frozen=True, slots=True)
class PredicateCall(Condition):
    """A named plugin predicate, called with ``args``."""

    kind: t.ClassVar[str] = "predicate"
    name: str
    args: Mapping[str, t.Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)


def walk(cond: Condition) -> Iterator[Condition]:
    """Every node of the tree, depth first, the root first."""
    yield cond
    if isinstance(cond, All | Any):
        for child in cond.conditions:
            yield from walk(child)
    elif isinstance(cond, Not):
        yield from walk(cond.condition)


def iter_references(cond: Condition) -> Iterator[tuple[str, str]]:
    """The names a condition refers to, as ``(kind, name)`` pairs.

    ``kind`` is ``document_type``, ``step``, ``category``, ``role`` or
    ``predicate``; useful to check a configuration or to document it.
    """
    for node in walk(cond):
        if isinstance(node, Documents):
            for type_ in node.types:
                yield ("document_type", type_)
        elif isinstance(node, StepIs | StepField):
            yield ("step", node.step)
        elif isinstance(node, FieldCompare) and node.op == "in_reference":
            yield ("category", node.value)
        elif isinstance(node, HasRole):
            for role in node.roles:
                yield ("role", role)
        elif isinstance(node, PredicateCall):
            yield ("predicate", node.name)
