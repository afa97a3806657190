"""The workflow self-test of ``ims verify``: the reference scenario on a scratch copy, then discarded.

SQLite: the database is copied with SQLite's online backup API into a temporary
folder.  PostgreSQL: a scratch database is cloned from this one
(``CREATE DATABASE ... TEMPLATE``) when no other session is connected, else created
empty and migrated; it is dropped afterwards.  The scenario (:mod:`ims.demo`: three
applications to CLOSURE, REJECTED and through ON_HOLD) runs through the public API
with documents going to a temporary folder, and its audit chains must verify.
Nothing touches the real database or document store.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from ims.backup._checks import CheckResult, VerifyContext

__all__ = ["check_selftest"]

REFERENCE_WORKFLOW = "bouwsubsidie"


def check_selftest(ctx: VerifyContext) -> CheckResult:
    name = "workflow self-test on a scratch copy"
    ims = ctx.ims
    if REFERENCE_WORKFLOW not in ims.config.workflows:
        return CheckResult(
            name,
            True,
            f"no reference scenario for workflows {', '.join(sorted(ims.config.workflows))}",
            skipped=True,
        )
    from ims.demo import Demo
    from ims.facade import IMS

    with (
        tempfile.TemporaryDirectory(prefix="ims-selftest-") as folder,
        _scratch(ims.db, Path(folder)) as (url, how),
    ):
        env = {**os.environ, "IMS_DATA_DIR": str(Path(folder) / "data")}
        for key in list(env):
            if key.startswith("IMS_") and key.endswith("_ENABLED"):
                env[key] = "false"  # no real e-mail from a self-test
        with IMS.from_config(ims.config.root, env=env, database_url=url, auto_upgrade=True) as scratch:
            demo = Demo(scratch, lambda _line: None)
            demo.seed_users()
            numbers = [demo.to_closure(), demo.to_rejection(), demo.through_hold()]
            states = [scratch.applications.get(n).state for n in numbers]
            report = scratch.audit.verify()
    if states[:2] != ["CLOSURE", "REJECTED"] or states[2] == "ON_HOLD" or report.broken:
        return CheckResult(name, False, f"scenario ended in {states}, audit broken: {len(report.broken)}")
    return CheckResult(name, True, f"3 applications to {', '.join(states)} on {how}; discarded")


@contextmanager
def _scratch(engine: Engine, folder: Path) -> Iterator[tuple[str, str]]:
    if engine.dialect.name == "sqlite":
        target = folder / "scratch.db"
        source = sqlite3.connect(engine.url.database or "")
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        yield f"sqlite:///{target}", "a copy of the database"
        return
    engine.dispose()  # our own idle connections would stop the clone
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"ims_selftest_{uuid.uuid4().hex[:10]}"
    origin = engine.url.database
    try:
        with admin.connect() as conn:
            try:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{origin}"'))
                how = "a clone of the database"
            except DBAPIError:  # the source is in use by other sessions: an empty scratch database
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                how = "an empty scratch database (the live one is in use)"
        yield engine.url.set(database=name).render_as_string(hide_password=False), how
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
