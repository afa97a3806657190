"""A backup taken while transitions are running restores to a coherent state."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.integration.backup.conftest import ENGINES, open_ims

from ims import IMS, Conflict, backup
from ims.demo import applicant_data

WRITERS = 4


@pytest.mark.parametrize("target_kind", ENGINES)
def test_backup_while_transitions_run(
    source: IMS, make_target: Callable[[str], str], tmp_path: Path, target_kind: str
) -> None:
    numbers = []
    for i in range(WRITERS):
        number = source.applications.create(
            "bouwsubsidie", applicant_data(f"L{i}", "Oad"), actor="fenna"
        ).number
        source.documents.add(number, "national_declaration", "n.pdf", actor="fenna", content=b"%PDF-1.4 x")
        source.workflow.transition(number, "submit", actor="fenna")
        numbers.append(number)
    stop = threading.Event()
    done = [0] * WRITERS
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            while not stop.is_set():
                app = source.applications.get(numbers[k])
                action = "resume" if app.state == "ON_HOLD" else "hold"
                try:
                    source.workflow.transition(numbers[k], action, actor="dirk", reason="load test")
                    done[k] += 1
                except Conflict:
                    pass
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    for t in threads:
        t.start()
    try:
        while sum(done) < 10:  # writers are running
            threading.Event().wait(0.01)
        before = sum(done)
        archive = tmp_path / "live.ims"
        manifest = source.backup.create(archive)
        during = sum(done) - before
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors
    assert during > 0, "no transition ran while the backup was taken"

    target = make_target(target_kind)
    backup.restore(
        archive, config=source.config.root, env={"IMS_DATA_DIR": str(tmp_path / "t")}, database_url=target
    )
    with open_ims(target, tmp_path / "t") as restored:
        report = restored.backup.verify(manifest=manifest, selftest=False)
        assert report.ok, report.to_dict()
        with restored.db.connect() as conn:
            # every application's state is the target of its last history event, and
            # history and audit agree on how many holds and resumes happened
            rows = conn.execute(
                text(
                    "SELECT a.state, (SELECT e.to_state FROM workflow_events e WHERE e.application_id = a.id "
                    "ORDER BY e.id DESC LIMIT 1) FROM applications a"
                )
            ).all()
            assert all(state == last for state, last in rows)
            events = conn.execute(
                text("SELECT count(*) FROM workflow_events WHERE action IN ('hold', 'resume')")
            ).scalar_one()
            audits = conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action IN ('hold', 'resume')")
            ).scalar_one()
        assert events == audits > 0
