"""The tamper-evident audit log: hash-chained rows, one chain per application.

Each row stores ``hash = sha256(prev_hash + canonical_json(record))`` where ``record``
is ``{chain, seq, application_id, actor, action, payload, created_at}`` and
``prev_hash`` is the hash of the row before it in the chain (64 zeros for ``seq`` 1).
Changing, deleting or inserting a row breaks the chain from that row on, and
:func:`verify` names the first broken row of every chain.  (Deleting the *last* rows
of a chain leaves a valid shorter chain; catching that needs checkpoints exported
off the database, see LIBRARIES.md B6.)

Concurrency: :func:`append` reads the chain's last row and writes the next, so two
writers of one chain must not interleave.  The caller serialises them by holding the
application's row lock: flush the application's version bump (an UPDATE, which locks
the row until commit) *before* appending, and say so with ``row_locked=True``.
Otherwise (chains without a row, such as ``'system'``) ``append`` takes a
transaction-scoped advisory lock per chain on PostgreSQL; on SQLite every transaction
starts with ``BEGIN IMMEDIATE`` and so holds the database's write lock.
``UNIQUE(chain, seq)`` is the backstop: a lost race is a ``Conflict``, never a forked
chain.

Canonical JSON: keys sorted, no whitespace, UTF-8, and numbers written like RFC 8785
(JCS) would for the values that survive a JSONB round trip: a float with an integral
value is written as an integer (``100.0`` -> ``100``).  ``created_at`` is ISO-8601 UTC
with microseconds.  The payload is normalised before it is stored, so what is hashed
is exactly what the database gives back, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import BigInteger, Row, Table, bindparam, func, insert, select, tuple_
from sqlalchemy.orm import Session

from ims.store.db import core, wrap_errors
from ims.store.models import AuditLog

__all__ = [
    "GENESIS_HASH",
    "AuditReport",
    "BrokenLink",
    "append",
    "canonical_json",
    "chain_for",
    "compute_hash",
    "verify",
]

#: ``prev_hash`` of the first row of every chain.
GENESIS_HASH = "0" * 64


def chain_for(application_id: int | None) -> str:
    """The chain name: ``'application:<id>'``, or ``'system'`` without an application."""
    return "system" if application_id is None else f"application:{application_id}"


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value`` (see the module docstring).

    Raises:
        ValueError: a float that is NaN or infinite, or a key that is not a string.
        TypeError: a value JSON cannot represent.
    """
    return json.dumps(
        _normalise(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def _normalise(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be stored in the audit log")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit payload keys must be strings, got {key!r}")
            out[key] = _normalise(item)
        return out
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} in an audit payload")
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be stored in the audit log: {value!r}")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(
    prev_hash: str,
    *,
    chain: str,
    seq: int,
    application_id: int | None,
    actor: str,
    action: str,
    payload: Any,
    created_at: datetime,
) -> str:
    """``sha256(prev_hash + canonical_json(record))`` as 64 hex digits."""
    record = {
        "chain": chain,
        "seq": seq,
        "application_id": application_id,
        "actor": actor,
        "action": action,
        "payload": payload,
        "created_at": _iso(created_at),
    }
    return hashlib.sha256((prev_hash + canonical_json(record)).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    chain: str,
    application_id: int | None,
    actor: str,
    action: str,
    payload: Mapping[str, Any],
    now: datetime,
    row_locked: bool = False,
) -> AuditLog:
    """Insert the next row of ``chain`` in the session's transaction.

    Call it inside the transaction that makes the change it records.  The row is
    written with a Core INSERT (a hot path: every change writes one), so the
    returned :class:`AuditLog` carries the values written, ``id`` included, but is
    not attached to the session.

    ``row_locked=True`` says this transaction already holds a lock that every writer
    of ``chain`` takes first (the application's row lock, from the UPDATE or INSERT
    of its row), so the PostgreSQL advisory lock, a round trip, is skipped.

    Raises:
        Conflict: another transaction appended to the chain first (retry the whole
            transaction).
        ValueError: ``now`` is naive, or the payload holds something JSON cannot.
    """
    if now.tzinfo is None:
        raise ValueError("append() needs a timezone-aware 'now'")
    stored_payload = json.loads(canonical_json(dict(payload)))
    # Python and both databases keep microseconds, so created_at round-trips exactly.
    created_at = now.astimezone(UTC)
    with wrap_errors(f"appending to audit chain {chain!r}"):
        conn = core(session)
        if not row_locked and conn.dialect.name == "postgresql":
            conn.execute(_ADVISORY_LOCK, {"key": _lock_key(chain)})
        last = conn.execute(_LAST_OF_CHAIN, {"chain": chain}).first()
        seq = 1 if last is None else last.seq + 1
        prev_hash = GENESIS_HASH if last is None else last.hash
        values = {
            "chain": chain,
            "seq": seq,
            "application_id": application_id,
            "actor": actor,
            "action": action,
            "payload": stored_payload,
            "created_at": created_at,
            "prev_hash": prev_hash,
            "hash": compute_hash(
                prev_hash,
                chain=chain,
                seq=seq,
                application_id=application_id,
                actor=actor,
                action=action,
                payload=stored_payload,
                created_at=created_at,
            ),
        }
        result = conn.execute(_INSERT, values)
    row_id = result.inserted_primary_key
    assert row_id is not None
    return AuditLog(id=int(row_id[0]), **values)


_table = cast(Table, AuditLog.__table__)
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger)))
_LAST_OF_CHAIN = (
    select(_table.c.seq, _table.c.hash)
    .where(_table.c.chain == bindparam("chain"))
    .order_by(_table.c.seq.desc())
    .limit(1)
)
_INSERT = insert(_table)


def _lock_key(chain: str) -> int:
    digest = hashlib.sha256(f"ims.audit:{chain}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class BrokenLink:
    """The first row of ``chain`` that does not verify, and why."""

    chain: str
    seq: int
    id: int
    problem: str


@dataclass(frozen=True)
class AuditReport:
    """What :func:`verify` found: counts, and the first broken row of each bad chain."""

    chains: int
    rows: int
    broken: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(session: Session, *, batch: int = 5000) -> AuditReport:
    """Check every chain, streaming rows in ``(chain, seq)`` order, ``batch`` at a time."""
    chains = rows = 0
    broken: list[BrokenLink] = []
    current: str | None = None
    expected_seq, prev_hash, chain_broken = 1, GENESIS_HASH, False
    for row in _rows(session, batch):
        rows += 1
        if row.chain != current:
            chains += 1
            current = row.chain
            expected_seq, prev_hash, chain_broken = 1, GENESIS_HASH, False
        if chain_broken:
            continue
        problem = _problem(row, expected_seq, prev_hash)
        if problem is not None:
            broken.append(BrokenLink(row.chain, row.seq, row.id, problem))
            chain_broken = True
            continue
        expected_seq, prev_hash = row.seq + 1, row.hash
    return AuditReport(chains=chains, rows=rows, broken=broken)


def _problem(row: Row[Any], expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        missing = (
            f"seq {expected_seq} is missing"
            if row.seq == expected_seq + 1
            else f"seq {expected_seq}..{row.seq - 1} are missing"
        )
        return f"gap: {missing} before seq {row.seq}"
    if row.prev_hash != prev_hash:
        return "prev_hash does not match the hash of the previous row"
    actual = compute_hash(
        row.prev_hash,
        chain=row.chain,
        seq=row.seq,
        application_id=row.application_id,
        actor=row.actor,
        action=row.action,
        payload=row.payload,
        created_at=row.created_at,
    )
    if actual != row.hash:
        return "hash mismatch: the row was changed after it was written"
    return None


_COLUMNS = (
    AuditLog.id,
    AuditLog.chain,
    AuditLog.seq,
    AuditLog.application_id,
    AuditLog.actor,
    AuditLog.action,
    AuditLog.payload,
    AuditLog.created_at,
    AuditLog.prev_hash,
    AuditLog.hash,
)


def _rows(session: Session, batch: int) -> Iterator[Row[Any]]:
    """Every audit row in ``(chain, seq)`` order, by keyset pagination.

    Plain rows, not ORM objects, so the session's identity map does not grow.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    after: tuple[str, int] | None = None
    while True:
        query = select(*_COLUMNS).order_by(AuditLog.chain, AuditLog.seq).limit(batch)
        if after is not None:
            query = query.where(tuple_(AuditLog.chain, AuditLog.seq) > tuple_(*after))
        page = session.execute(query).all()
        yield from page
        if len(page) < batch:
            return
        after = (page[-1].chain, page[-1].seq)
