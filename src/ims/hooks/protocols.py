"""The shapes plugins implement: notification channels, document stores, reports.

Plugins register instances through the ``register_*`` hooks; ims calls them
only through these protocols, so a channel or store is swappable without
touching ims.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime  # at run time: the HTTP API resolves ReportParams' fields
from typing import IO, Any, Literal, Protocol, runtime_checkable

# --------------------------------------------------------------------------- channels


@dataclass(frozen=True)
class OutgoingMessage:
    """One message a channel is asked to deliver (one outbox row)."""

    #: the outbox row id; stable across retries
    id: int
    #: unique per message; receivers that honour it drop duplicates (at-least-once delivery)
    idempotency_key: str
    channel: str
    event: str
    template: str
    subject: str
    body: str
    #: username of the recipient, when addressed to a user
    recipient: str | None
    #: the recipient's address for this channel (e-mail, phone), when known
    address: str | None
    language: str
    application_number: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


class DeliveryError(Exception):
    """Raised by a channel when a message could not be delivered.

    ``permanent=True`` sends the message straight to dead-letter (a malformed
    address, say); otherwise it is retried with backoff.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@runtime_checkable
class Channel(Protocol):
    """Delivers messages: e-mail, SMS, chat, a webhook, the in-app inbox.

    ``send`` returns normally when the message was handed over, and raises
    :class:`DeliveryError` (or any exception, treated as temporary) when not.
    It is called by the outbox worker, never inside a transition's transaction,
    and may be slow: the worker holds a lease on the message meanwhile.
    """

    name: str

    def send(self, message: OutgoingMessage) -> None: ...


# --------------------------------------------------------------------------- document stores


@dataclass(frozen=True)
class StoredBlob:
    """What a store returns after keeping a file's bytes."""

    #: the store's own key for the bytes (opaque to ims)
    key: str
    sha256: str
    size: int


@runtime_checkable
class DocumentStore(Protocol):
    """Keeps document bytes.  Content-addressed: the same bytes get the same key.

    ``put`` must be atomic: after a crash either the whole blob is there or
    nothing is.  ``put`` of bytes already stored returns the existing key.
    """

    name: str

    def put(self, stream: IO[bytes], *, sha256: str, size: int) -> StoredBlob: ...

    def open(self, key: str) -> IO[bytes]: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def keys(self) -> Iterator[str]: ...


# --------------------------------------------------------------------------- reports


#: the granularity of a report's periods: ISO weeks (starting Monday) or calendar months
Period = Literal["week", "month"]


@dataclass(frozen=True)
class ReportParams:
    """Filters every report accepts.

    ``date_from`` is inclusive and ``date_to`` exclusive, both timezone-aware or
    ``None``; each report says which moment they filter on (creation, entry,
    completion, ...).  ``period`` is the bucket of reports that count per period.
    """

    date_from: datetime | None = None
    date_to: datetime | None = None
    workflow: str | None = None
    district: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    period: Period = "month"


@dataclass(frozen=True)
class ChartSpec:
    """How to draw a report's rows (``ims report NAME --format svg|png``).

    ``kind`` ``bar`` draws one group of bars per distinct ``x`` value (stacked
    when ``stacked``), ``line`` one line per series over ``x``.  The values come
    from the ``y`` columns; with ``series`` set, each distinct value of that
    column is its own series (and ``y`` should name one column).
    """

    kind: Literal["bar", "line"]
    x: str
    y: tuple[str, ...]
    series: str | None = None
    y_label: str = ""
    stacked: bool = False
    #: a fixed top of the value axis (100 for percentages); ``None``: fit the data
    y_max: float | None = None


@dataclass(frozen=True)
class ReportResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    title: str = ""
    #: how to draw it; ``None``: the report is a table only
    chart: ChartSpec | None = None


@runtime_checkable
class Report(Protocol):
    """A named report computed in SQL (never by loading every row into Python)."""

    name: str
    title: str

    def run(self, ims: Any, params: ReportParams) -> ReportResult: ...
