"""The checks of ``ims verify``: each a small function returning a :class:`CheckResult`."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Connection,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from ims.backup._rows import TableDigest, stream_blocks
from ims.backup._snapshot import audit_head, read_snapshot
from ims.backup._tables import ims_tables

if TYPE_CHECKING:
    from ims.backup._archive import Manifest
    from ims.facade import IMS

__all__ = ["CheckResult", "VerifyContext"]


@dataclass(frozen=True)
class CheckResult:
    """One line of the checklist."""

    name: str
    ok: bool
    detail: str
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "skipped": self.skipped, "detail": self.detail}


@dataclass
class VerifyContext:
    ims: IMS
    manifest: Manifest | None = None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# --------------------------------------------------------------------------- health


def check_database(ctx: VerifyContext) -> CheckResult:
    db = ctx.ims.health.database()
    return CheckResult("database reachable", db.status == "ok", db.message)


def check_schema(ctx: VerifyContext) -> CheckResult:
    from ims.errors import StoreError
    from ims.store import migrate

    current, head = migrate.current(ctx.ims.db), migrate.head()
    if current != head:
        return CheckResult("schema at the current revision", False, f"at {current or 'none'}, head is {head}")
    try:
        migrate.check(ctx.ims.db)
    except StoreError as exc:
        return CheckResult("schema at the current revision", False, f"at {head}, but {exc}")
    return CheckResult("schema at the current revision", True, f"{head}; tables match the models")


def check_health(ctx: VerifyContext) -> CheckResult:
    """``ims health`` (a failed check fails; a warning, such as no worker running yet, does not),
    and the document store answering."""
    ims = ctx.ims
    report = ims.health.check()
    failed = [f"{c.name}: {c.message}" for c in report.checks if c.status == "fail"]
    if failed:
        return CheckResult("health", False, "; ".join(failed))
    store = ims.documents.store
    try:
        store.exists("0" * 64)
    except Exception as exc:  # a plugin's store may raise anything; this is its health check
        return CheckResult("health", False, f"document store {type(store).__name__} fails: {exc}")
    summary = ", ".join(f"{c.name} {c.status}" for c in report.checks)
    return CheckResult(
        "health",
        True,
        f"{summary}; document store {getattr(store, 'name', store)} answers, "
        f"{_plural(len(ims.outbox.channels), 'delivery channel')}",
    )


# --------------------------------------------------------------------------- constraints


class _Rollback(Exception):
    """Raised inside a savepoint to undo an insert that should have been refused."""


def _violation_kind(exc: IntegrityError) -> tuple[str, str | None]:
    """(``'unique'``/``'foreign'``/``'other'``, constraint name on PostgreSQL)."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None)
    if state is not None:
        name = getattr(getattr(orig, "diag", None), "constraint_name", None)
        return {"23505": "unique", "23503": "foreign"}.get(state, "other"), name
    message = str(orig)
    if "UNIQUE constraint failed" in message:
        return "unique", message.split("UNIQUE constraint failed:", 1)[1].strip()
    if "FOREIGN KEY constraint failed" in message:
        return "foreign", None
    return "other", None


def _unique_sets(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for c in table.constraints:
        if isinstance(c, PrimaryKeyConstraint | UniqueConstraint) and c.columns:
            out.append((str(c.name), tuple(col.name for col in c.columns)))
    for index in table.indexes:
        if index.unique:
            out.append((str(index.name), tuple(col.name for col in index.columns)))
    return out


def _fresh(conn: Connection, table: Table, column: str, value: Any) -> Any:
    """A value for ``column`` that no row has (``None`` if the type is not handled)."""
    col = table.c[column]
    if isinstance(col.type, Integer):
        biggest = conn.execute(select(func.max(col))).scalar() or 0
        return int(biggest) + 1_000_000
    if isinstance(col.type, String):
        length = col.type.length or 64
        return (str(value or "")[: max(0, length - 9)] + "~" + uuid.uuid4().hex[:8])[:length]
    return None


def _constrained_columns(table: Table) -> set[str]:
    """Columns a foreign key or a check constraint covers (a made-up value there would be refused)."""
    out = {col for fk in table.foreign_key_constraints for col in fk.column_keys}
    for c in table.constraints:
        if isinstance(c, CheckConstraint):
            out |= {col.name for col in table.c if col.name in str(c.sqltext)}
    return out


def _try_insert(conn: Connection, table: Table, row: dict[str, Any]) -> IntegrityError | None:
    try:
        with conn.begin_nested():
            conn.execute(table.insert().values(**row))
            raise _Rollback
    except _Rollback:
        return None
    except IntegrityError as exc:
        return exc


def _exercise(conn: Connection, table: Table, sample: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """Try a duplicate for every unique key and a dangling reference for every foreign key."""
    uniques = _unique_sets(table)
    results: list[tuple[str, bool, str]] = []

    constrained = _constrained_columns(table)

    def other_keys_fresh(keep: tuple[str, ...]) -> dict[str, Any] | None:
        """The sample with one column of every other unique key changed to a value no row has:
        a column no foreign key or check constraint covers when there is one, so that only
        the constraint under test can refuse the row."""
        row = dict(sample)
        for _, cols in uniques:
            free = [c for c in cols if c not in keep]
            if not free:
                continue
            for col in sorted(free, key=lambda c: c in constrained):
                value = _fresh(conn, table, col, sample[col])
                if value is not None:
                    row[col] = value
                    break
            else:
                return None
        return row

    for name, cols in uniques:
        row = other_keys_fresh(cols)
        if row is None:
            continue
        error = _try_insert(conn, table, row)
        if error is None:
            results.append((f"{table.name}({', '.join(cols)})", False, "a duplicate was ACCEPTED"))
            continue
        kind, which = _violation_kind(error)
        expected = which is None or which == name or which == ", ".join(f"{table.name}.{c}" for c in cols)
        ok = kind == "unique" and expected
        results.append(
            (f"{table.name}({', '.join(cols)})", ok, "" if ok else f"refused for another reason: {which}")
        )
    for fk in table.constraints:
        if not isinstance(fk, ForeignKeyConstraint):
            continue
        row = other_keys_fresh(())
        if row is None:
            continue
        target = fk.referred_table
        for local, remote in zip(fk.column_keys, fk.elements, strict=True):
            row[local] = _fresh(conn, target, remote.column.name, None)
        error = _try_insert(conn, table, row)
        label = f"{table.name}.{', '.join(fk.column_keys)} -> {target.name}"
        if error is None:
            results.append((label, False, "a dangling reference was ACCEPTED"))
        else:
            kind, _ = _violation_kind(error)
            results.append((label, kind == "foreign", "" if kind == "foreign" else f"refused as {kind}"))
    return results


def check_constraints(ctx: VerifyContext) -> list[CheckResult]:
    """Duplicates and dangling references are refused, tried in a transaction that is rolled back."""
    exercised: list[tuple[str, bool, str]] = []
    untested: list[str] = []
    steps_line: CheckResult | None = None
    with ctx.ims.db.connect() as conn:
        tx = conn.begin()
        try:
            inspector = inspect(conn)
            for table in ims_tables():
                sample = conn.execute(select(table).limit(1)).mappings().first()
                if sample is None:
                    untested.append(table.name)
                    if not inspector.has_table(table.name):
                        exercised.append((table.name, False, "table missing"))
                    continue
                exercised.extend(_exercise(conn, table, dict(sample)))
        finally:
            tx.rollback()
    for label, ok, detail in exercised:
        if label == "application_steps(application_id, step_name)":
            steps_line = CheckResult(
                "duplicate step (application_id, step_name) refused", ok, detail or "refused, rolled back"
            )
    bad = [f"{label}: {detail}" for label, ok, detail in exercised if not ok]
    uniques = sum(1 for label, _, _ in exercised if "->" not in label)
    fks = len(exercised) - uniques
    detail = f"{uniques} unique keys and {fks} foreign keys refused violations" + (
        f"; not exercised (no rows): {', '.join(untested)}" if untested else ""
    )
    out = [CheckResult("constraints enforced", not bad, "; ".join(bad) if bad else detail)]
    if steps_line is None:
        steps_line = CheckResult(
            "duplicate step (application_id, step_name) refused",
            True,
            "no step rows to duplicate",
            skipped=True,
        )
    return [steps_line, *out]


# --------------------------------------------------------------------------- data against the manifest


def check_manifest(ctx: VerifyContext) -> CheckResult:
    manifest = ctx.manifest
    name = "row counts and checksums match the manifest"
    if manifest is None:
        return CheckResult(name, True, "no manifest given (--archive or --manifest)", skipped=True)
    tables = {t.name: t for t in ims_tables()}
    problems: list[str] = []
    with read_snapshot(ctx.ims.db) as conn:
        for table_name, entry in manifest.tables.items():
            table = tables.get(table_name)
            if table is None or any(c not in table.c for c in entry.columns):
                problems.append(f"{table_name}: not in this schema")
                continue
            digest = TableDigest()
            for block, rows in stream_blocks(conn, table, entry.columns):
                digest.add_block(block, rows)
            if digest.rows != entry.rows:
                problems.append(f"{table_name}: {digest.rows} rows, manifest {entry.rows}")
            elif digest.sha256 != entry.sha256:
                problems.append(f"{table_name}: checksum differs")
        if manifest.audit_head is not None:
            head, chains = audit_head(conn)
            if head != manifest.audit_head:
                problems.append(
                    f"audit chain heads differ ({chains} chains, manifest {manifest.audit_chains})"
                )
    if problems:
        return CheckResult(name, False, "; ".join(problems))
    return CheckResult(
        name, True, f"{_plural(len(manifest.tables), 'table')}, {manifest.total_rows} rows, audit head equal"
    )


# --------------------------------------------------------------------------- documents, audit, config


def check_blobs(ctx: VerifyContext) -> CheckResult:
    name = "document blobs present with their SHA-256"
    store = ctx.ims.documents.store
    query = text(
        "SELECT DISTINCT storage_key, sha256 FROM documents "
        "WHERE storage_key IS NOT NULL ORDER BY storage_key"
    )
    with ctx.ims.db.connect() as conn:
        pairs = [(str(k), str(s)) for k, s in conn.execute(query)]
    problems: list[str] = []
    total = 0
    for key, sha256 in pairs:
        if not store.exists(key):
            problems.append(f"{key[:12]}… missing")
            continue
        digest = hashlib.sha256()
        with store.open(key) as stream:
            while block := stream.read(1024 * 1024):
                digest.update(block)
                total += len(block)
        if digest.hexdigest() != sha256:
            problems.append(f"{key[:12]}… has SHA-256 {digest.hexdigest()[:12]}…, expected {sha256[:12]}…")
    if ctx.manifest is not None:
        lost = sorted(set(ctx.manifest.blobs) - {k for k, _ in pairs})
        if lost:
            problems.append(f"{len(lost)} blobs of the archive are not referenced by any document")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        return CheckResult(name, False, shown)
    return CheckResult(name, True, f"{_plural(len(pairs), 'blob')}, {total:,} bytes re-hashed")


def check_audit(ctx: VerifyContext) -> CheckResult:
    from ims.store.audit import verify

    with ctx.ims.runtime.sessions() as session:
        report = verify(session)
    if report.broken:
        shown = "; ".join(f"{b.chain} seq {b.seq}: {b.problem}" for b in report.broken[:5])
        return CheckResult("audit chain intact", False, f"{len(report.broken)} broken: {shown}")
    return CheckResult("audit chain intact", True, f"{report.chains} chains, {report.rows} rows")


def check_config(ctx: VerifyContext) -> CheckResult:
    from ims.config.loader import check

    issues = check(ctx.ims.config.root)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        first = errors[0]
        return CheckResult(
            "configuration valid",
            False,
            f"{len(errors)} errors, first: {first.file}:{first.line}: {first.message}",
        )
    detail = f"{ctx.ims.config.root}: {_plural(len(ctx.ims.config.workflows), 'workflow')}"
    if issues:
        detail += f", {_plural(len(issues), 'warning')}"
    return CheckResult("configuration valid", True, detail)


# --------------------------------------------------------------------------- applications, outbox


def check_applications(ctx: VerifyContext) -> CheckResult:
    from ims.store.models import OPEN_TASK_STATUSES

    workflows = ctx.ims.config.workflows
    problems: list[str] = []
    total = 0
    with ctx.ims.db.connect() as conn:
        rows = conn.execute(
            text("SELECT workflow, state, count(*) FROM applications GROUP BY workflow, state")
        )
        for workflow, state, n in rows:
            total += n
            if workflow not in workflows:
                problems.append(f"{n} in unknown workflow {workflow!r}")
            elif state not in workflows[workflow].states:
                problems.append(f"{n} in state {state!r} unknown to workflow {workflow!r}")
        statuses = ", ".join(f"'{s}'" for s in OPEN_TASK_STATUSES)
        stray = conn.execute(
            text(
                "SELECT a.number, a.state, t.state FROM tasks t "
                "JOIN applications a ON a.id = t.application_id "
                f"WHERE t.status IN ({statuses}) AND t.state <> a.state "
                # a task paused by a hold stays open for the state the application will resume
                "AND t.paused_at IS NULL ORDER BY a.id LIMIT 5"
            )
        ).all()
        for number, state, task_state in stray:
            problems.append(f"{number} in {state} has an open task for {task_state}")
    if problems:
        return CheckResult("applications in known states, open tasks consistent", False, "; ".join(problems))
    return CheckResult(
        "applications in known states, open tasks consistent", True, f"{_plural(total, 'application')}"
    )


def check_outbox(ctx: VerifyContext) -> CheckResult:
    rules = {
        "SENT without sent_at": "status = 'SENT' AND sent_at IS NULL",
        "unsent with sent_at": "status <> 'SENT' AND sent_at IS NOT NULL",
        "FAILED/DEAD without an error": "status IN ('FAILED', 'DEAD') AND last_error IS NULL",
        "negative attempts": "attempts < 0",
    }
    problems: list[str] = []
    known = set(ctx.ims.outbox.channels) | {"inbox"}
    with ctx.ims.db.connect() as conn:
        for label, where in rules.items():
            n = conn.execute(text(f"SELECT count(*) FROM notifications WHERE {where}")).scalar_one()
            if n:
                problems.append(f"{n} {label}")
        pending = conn.execute(
            text(
                "SELECT channel, count(*) FROM notifications "
                "WHERE status IN ('PENDING', 'FAILED') GROUP BY channel"
            )
        ).all()
        for channel, n in pending:
            if channel not in known:
                problems.append(f"{n} waiting for channel {channel!r}, which is not configured")
        total = conn.execute(text("SELECT count(*) FROM notifications")).scalar_one()
    if problems:
        return CheckResult("notification outbox consistent", False, "; ".join(problems))
    waiting = sum(n for _, n in pending)
    return CheckResult(
        "notification outbox consistent", True, f"{total} messages, {waiting} waiting for delivery"
    )
