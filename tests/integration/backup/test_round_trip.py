"""Backup and restore round trips on SQLite, PostgreSQL and across them, compared row for row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.integration.backup.conftest import ENGINES, dump, dump_url, open_ims

from ims import IMS, StoreError, backup


@pytest.mark.parametrize("target_kind", ENGINES)
def test_round_trip_row_for_row(
    source: IMS, make_target: Callable[[str], str], tmp_path: Path, target_kind: str
) -> None:
    archive = tmp_path / "office.ims"
    manifest = source.backup.create(archive, label="nightly")
    assert manifest.label == "nightly"
    with source.db.connect() as conn:
        applications = conn.execute(text("SELECT count(*) FROM applications")).scalar_one()
    assert applications >= 3 and manifest.tables["applications"].rows == applications
    assert manifest.blobs and not manifest.missing_blobs
    assert manifest.config_root == "config/config/ims.yaml"

    target = make_target(target_kind)
    result = backup.restore(
        archive,
        config=str(Path(source.config.root)),
        env={"IMS_DATA_DIR": str(tmp_path / "target-data")},
        database_url=target,
    )
    assert result.rows == manifest.total_rows
    assert result.blobs == len(manifest.blobs)
    assert not result.replaced
    assert dump(source.db) == dump_url(target)

    with open_ims(target, tmp_path / "target-data") as restored:
        report = restored.backup.verify(manifest=manifest, selftest=False)
        assert report.ok, report.to_dict()
        # numbering and ids continue where they were
        app = restored.applications.create(
            "bouwsubsidie", {"applicant": {"first_name": "N", "last_name": "M"}}, actor="fenna"
        )
        assert app.number.endswith(f"{applications + 1:06d}")
        assert app.id == applications + 1


def test_verify_self_test_runs_on_a_scratch_copy(source: IMS) -> None:
    before = dump(source.db)
    report = source.backup.verify()
    assert report.ok, report.to_dict()
    names = [c.name for c in report.checks]
    assert "workflow self-test on a scratch copy" in names
    assert "duplicate step (application_id, step_name) refused" in names
    assert dump(source.db) == before  # nothing of the self-test or the constraint probes is left


def test_encrypted_round_trip_with_a_passphrase_and_a_key_file(
    source: IMS, make_target: Callable[[str], str], tmp_path: Path
) -> None:
    archive = tmp_path / "secret.ims"
    source.backup.create(archive, passphrase="correct horse battery staple")
    assert backup.is_encrypted(archive)
    assert b"Maria" not in archive.read_bytes()
    manifest = backup.read_manifest(archive, passphrase="correct horse battery staple")
    assert manifest.encrypted

    key = tmp_path / "backup.key"
    key.write_bytes(bytes(range(32)))
    keyed = tmp_path / "keyed.ims"
    source.backup.create(keyed, key_file=key)
    target = make_target("sqlite")
    backup.restore(
        keyed,
        config=source.config.root,
        env={"IMS_DATA_DIR": str(tmp_path / "t")},
        database_url=target,
        key_file=key,
    )
    assert dump(source.db) == dump_url(target)


def test_replace_swaps_the_contents(source: IMS, make_target: Callable[[str], str], tmp_path: Path) -> None:
    archive = tmp_path / "a.ims"
    source.backup.create(archive)
    target = make_target("sqlite")
    with open_ims(target, tmp_path / "other") as other:
        other.users.create("zoe", display_name="Zoe", roles=["admin"])
        other.applications.create(
            "bouwsubsidie", {"applicant": {"first_name": "Z", "last_name": "Y"}}, actor="zoe"
        )
    with pytest.raises(backup.TargetNotEmpty, match=r"not empty: .*applications \(1\).*--replace"):
        backup.restore(archive, config=source.config.root, database_url=target)
    backup.restore(
        archive,
        config=source.config.root,
        env={"IMS_DATA_DIR": str(tmp_path / "other")},
        database_url=target,
        replace=True,
    )
    assert dump(source.db) == dump_url(target)


@pytest.mark.parametrize("target_kind", ENGINES)
def test_a_failed_replace_leaves_the_old_contents(
    source: IMS,
    make_target: Callable[[str], str],
    tmp_path: Path,
    target_kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = tmp_path / "a.ims"
    source.backup.create(archive)
    target = make_target(target_kind)
    with open_ims(target, tmp_path / "other") as other:
        other.users.create("zoe", display_name="Zoe", roles=["admin"])
    before = dump_url(target)

    from ims.default_plugins.fs_documents import FilesystemStore

    def broken_put(*args: object, **kwargs: object) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(FilesystemStore, "put", broken_put)
    with pytest.raises(StoreError, match="disk full"):
        backup.restore(
            archive,
            config=source.config.root,
            env={"IMS_DATA_DIR": str(tmp_path / "other")},
            database_url=target,
            replace=True,
        )
    assert dump_url(target) == before
