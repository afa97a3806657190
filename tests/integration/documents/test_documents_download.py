"""Download links, orphan blobs, per-type limits and the choice of store."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from ims import IMS, ConfigError, NotFound, PermissionDenied, StoreError, ValidationFailed
from ims.testing.files import jpeg, pdf
from ims.testing.fixtures import Clock


@pytest.fixture
def uploaded(ims: IMS, number: str) -> int:
    return ims.documents.upload(number, "plot_map", "plot_map.pdf", io.BytesIO(pdf()), actor="fenna").id


def test_token_round_trip(ims: IMS, uploaded: int) -> None:
    token = ims.documents.download_token(uploaded, actor="fenna")
    view, stream = ims.documents.open_download(token)
    with stream:
        assert stream.read() == pdf()
    assert (view.id, view.filename, view.mime_type) == (uploaded, "plot_map.pdf", "application/pdf")


def test_who_may_read(ims: IMS, uploaded: int) -> None:
    for reader in ("fenna", "carlos", "sara", "dirk", "mina", "anna", "paul"):  # paul: the applicant
        assert ims.documents.download_token(uploaded, actor=reader)
    with pytest.raises(PermissionDenied, match="needs a role of workflow bouwsubsidie"):
        ims.documents.download_token(uploaded, actor="ivan")  # IT manages users, not files
    ims.users.create("pia", roles=["applicant"])
    other = ims.applications.create(
        "bouwsubsidie",
        {"applicant": {"first_name": "C", "last_name": "D"}},
        actor="fenna",
        applicant="pia",
    ).number
    theirs = ims.documents.upload(other, "plot_map", "p.pdf", io.BytesIO(pdf("theirs")), actor="fenna").id
    with pytest.raises(PermissionDenied):
        ims.documents.download_token(theirs, actor="paul")  # not paul's application


def test_an_expired_token_is_refused(ims: IMS, uploaded: int, clock: Clock) -> None:
    token = ims.documents.download_token(uploaded, actor="fenna")
    clock.advance(seconds=900)
    ims.documents.open_download(token)[1].close()
    clock.advance(seconds=1)
    with pytest.raises(PermissionDenied, match="the download link expired"):
        ims.documents.open_download(token)


def test_a_forged_token_is_refused(ims: IMS, uploaded: int) -> None:
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("guessed key", salt="ims-document-download").dumps(
        {"doc": uploaded, "sha256": "0" * 64, "u": "fenna"}
    )
    with pytest.raises(PermissionDenied, match="not valid"):
        ims.documents.open_download(forged)


def test_the_key_is_shared_by_processes_and_kept_private(
    make_ims: Callable[..., IMS], uploaded: int, data_dir: Path
) -> None:
    first = make_ims()
    token = first.documents.download_token(uploaded, actor="fenna")
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    second = make_ims()  # another process of the same deployment
    second.documents.open_download(token)[1].close()
    with pytest.raises(PermissionDenied, match="not valid"):
        make_ims(IMS_SECRET_KEY="a key from the environment").documents.open_download(token)


def test_a_deactivated_user_cannot_use_an_earlier_token(ims: IMS, uploaded: int) -> None:
    token = ims.documents.download_token(uploaded, actor="carlos")
    ims.users.deactivate("carlos")
    with pytest.raises(PermissionDenied, match="inactive user 'carlos'"):
        ims.documents.open_download(token)


def test_a_missing_or_corrupt_blob_is_a_store_error(ims: IMS, uploaded: int, data_dir: Path) -> None:
    doc = ims.documents.get(uploaded)
    assert doc.sha256 is not None
    path = data_dir / "documents" / doc.sha256[:2] / doc.sha256[2:4] / doc.sha256
    token = ims.documents.download_token(uploaded, actor="fenna")
    path.write_bytes(b"%PDF-1.4 tampered")
    with pytest.raises(StoreError, match=r"is corrupt: its SHA-256 is .*, not .* as recorded"):
        ims.documents.open_download(token)
    path.unlink()
    with pytest.raises(StoreError, match="is missing from the document store 'filesystem'"):
        ims.documents.open_download(token)


def test_documents_without_a_stored_file_have_no_token(ims: IMS, number: str) -> None:
    by_hash = ims.documents.add(number, "other", "x.pdf", actor="fenna", sha256="c" * 64)
    with pytest.raises(NotFound, match="has no stored file"):
        ims.documents.download_token(by_hash.id, actor="fenna")
    with pytest.raises(NotFound, match="document 999 does not exist"):
        ims.documents.download_token(999, actor="fenna")


def test_orphans_are_listed_and_deleted(ims: IMS, uploaded: int) -> None:
    store = ims.documents.store
    orphan = b"left behind by a failed transaction"
    key = store.put(io.BytesIO(orphan), sha256=hashlib.sha256(orphan).hexdigest(), size=len(orphan)).key
    assert ims.documents.orphans() == []  # younger than the grace period
    assert ims.documents.orphans(grace=timedelta(0)) == [key]
    assert ims.documents.delete_orphans(grace=timedelta(0)) == [key]
    assert not store.exists(key)
    kept = ims.documents.get(uploaded).sha256
    assert kept is not None and store.exists(kept)


# --------------------------------------------------------------------------- configuration


def test_a_document_type_sets_its_own_limit(
    custom_config: Callable[..., Path], ims_on: Callable[[Path], IMS]
) -> None:
    def edit(root: str, reference: str) -> tuple[str, str]:
        return root.replace("    max_size_mb: 10\n", "    max_size_mb: 2\n"), reference.replace(
            "    photo: true\n", "    photo: true\n    max_size_mb: 0.05\n"
        )

    ims = ims_on(custom_config(edit))
    number = ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "A", "last_name": "B"}}, actor="fenna"
    ).number
    with pytest.raises(ValidationFailed, match=r"big\.jpg is larger than 0\.05 MB"):
        ims.documents.upload(number, "photo", "big.jpg", io.BytesIO(jpeg() + b"\0" * 50_000), actor="carlos")
    with pytest.raises(ValidationFailed, match=r"big\.pdf is larger than 2 MB"):
        ims.documents.upload(number, "plot_map", "big.pdf", io.BytesIO(pdf(size=2_000_001)), actor="fenna")
    assert ims.documents.upload(number, "plot_map", "ok.pdf", io.BytesIO(pdf(size=2_000_000)), actor="fenna")


def test_the_sqlite_blob_store(
    custom_config: Callable[..., Path], ims_on: Callable[[Path], IMS], data_dir: Path
) -> None:
    ims = ims_on(
        custom_config(
            lambda r, ref: (r.replace("document_store: filesystem", "document_store: sqlite_blobs"), ref)
        )
    )
    assert type(ims.documents.store).__name__ == "SqliteBlobStore"
    number = ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "A", "last_name": "B"}}, actor="fenna"
    ).number
    doc = ims.documents.upload(number, "plot_map", "p.pdf", io.BytesIO(pdf()), actor="fenna")
    _, stream = ims.documents.open_download(ims.documents.download_token(doc.id, actor="fenna"))
    with stream:
        assert stream.read() == pdf()
    assert (data_dir / "blobs.sqlite").is_file()
    assert not (data_dir / "documents").exists()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        pytest.param(
            lambda r: r.replace("document_store: filesystem", "document_store: s3"),
            "/settings/document_store: no plugin provides the document store 's3' "
            "(known: filesystem, sqlite_blobs)",
            id="unknown-store",
        ),
        pytest.param(
            lambda r: r.replace("filesystem: {root: documents}", "filesystem: {root: documents, bucket: x}"),
            "/settings/document_stores/filesystem: unknown option(s) bucket; "
            "the filesystem store takes: root",
            id="bad-option",
        ),
    ],
)
def test_store_configuration_errors(
    custom_config: Callable[..., Path],
    ims_on: Callable[[Path], IMS],
    edit: Callable[[str], str],
    message: str,
) -> None:
    with pytest.raises(ConfigError) as info:
        ims_on(custom_config(lambda r, ref: (edit(r), ref)))
    assert message in str(info.value)


def test_a_plugin_store_replaces_the_built_in_one_by_name(ims: IMS) -> None:
    """``register_document_stores``: the built-in registers first, so a plugin's wins."""
    from ims import hookimpl
    from ims.default_plugins.fs_documents import FilesystemStore
    from ims.documents import store_factories

    class Replacement(FilesystemStore):
        name = "filesystem"

    class Plugin:
        @hookimpl
        def register_document_stores(self, register, ims):  # type: ignore[no-untyped-def]
            register("filesystem", lambda options: Replacement(options.get("root", "/nowhere")))

    ims.plugins.register(Plugin(), name="replacement")
    try:
        factories = store_factories(ims)
        assert {"filesystem", "sqlite_blobs"} <= set(factories)
        assert type(factories["filesystem"]({"root": "x"})) is Replacement
    finally:
        ims.plugins.unregister(name="replacement")
    assert type(store_factories(ims)["filesystem"]({})) is FilesystemStore
