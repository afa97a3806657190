"""``ims verify`` names what is wrong: a deleted blob, a changed audit row, an unknown state, ..."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ims import IMS


def _failed(ims: IMS, **kwargs: object) -> dict[str, str]:
    report = ims.backup.verify(selftest=False, **kwargs)  # type: ignore[arg-type]
    return {c.name: c.detail for c in report.failures}


def test_all_green_on_a_healthy_database(source: IMS) -> None:
    report = source.backup.verify(selftest=False)
    assert report.ok, report.to_dict()
    assert report.to_dict()["failures"] == []


def test_deleted_blob(source: IMS) -> None:
    with source.db.connect() as conn:
        key = conn.execute(text("SELECT min(storage_key) FROM documents")).scalar_one()
    source.documents.store.delete(key)
    failed = _failed(source)
    assert list(failed) == ["document blobs present with their SHA-256"]
    assert f"{key[:12]}… missing" in failed["document blobs present with their SHA-256"]


def test_changed_blob(source: IMS) -> None:
    with source.db.connect() as conn:
        key = conn.execute(text("SELECT min(storage_key) FROM documents")).scalar_one()
    path = Path(source.documents.store.path_for(key))  # type: ignore[attr-defined]
    path.write_bytes(b"not the original")
    failed = _failed(source)
    assert "has SHA-256" in failed["document blobs present with their SHA-256"]


def test_broken_audit_row(source: IMS) -> None:
    with source.db.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2 AND chain = 'application:1'"))
    failed = _failed(source)
    assert list(failed) == ["audit chain intact"]
    assert "application:1 seq 2: hash mismatch" in failed["audit chain intact"]


def test_application_in_an_unknown_state(source: IMS) -> None:
    with source.db.begin() as conn:
        conn.execute(text("UPDATE applications SET state = 'LIMBO', version = version + 1 WHERE id = 2"))
    failed = _failed(source)
    assert (
        "1 in state 'LIMBO' unknown to workflow 'bouwsubsidie'"
        in failed["applications in known states, open tasks consistent"]
    )


def test_open_task_of_another_state(source: IMS) -> None:
    with source.db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tasks (application_id, workflow, state, title, roles, status, created_at) "
                "VALUES (1, 'bouwsubsidie', 'DRAFT', 'stray', '[]', 'PENDING', '2026-11-02 09:00:00')"
            )
        )
    failed = _failed(source)
    assert (
        "in CLOSURE has an open task for DRAFT"
        in failed["applications in known states, open tasks consistent"]
    )


def test_outbox_row_sent_without_time(source: IMS) -> None:
    with source.db.begin() as conn:
        conn.execute(text("UPDATE notifications SET sent_at = NULL WHERE id = 1 AND status = 'SENT'"))
    failed = _failed(source)
    assert "1 SENT without sent_at" in failed["notification outbox consistent"]


def test_counts_against_a_manifest(source: IMS, tmp_path: Path) -> None:
    manifest = source.backup.create(tmp_path / "a.ims")
    assert source.backup.verify(manifest=manifest, selftest=False).ok
    with source.db.begin() as conn:
        conn.execute(text("DELETE FROM notifications WHERE id = 1"))
    failed = _failed(source, manifest=manifest)
    rows = manifest.tables["notifications"].rows
    expected = f"notifications: {rows - 1} rows, manifest {rows}"
    assert expected in failed["row counts and checksums match the manifest"]
