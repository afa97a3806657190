"""Uploading documents on the reference deployment: checks, storage, duplicates, history."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ims import IMS, Conflict, NotFound, PermissionDenied, StoreError, ValidationFailed
from ims.demo import applicant_data
from ims.documents._sniff import WINDOWS_PROGRAM
from ims.testing.files import HTML, docx, exe, heic, jpeg, pdf, png, xlsx


class Counting(io.BytesIO):
    """Bytes that remember how much was read from them."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def blob_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "documents" / sha256[:2] / sha256[2:4] / sha256


def refused(call: Callable[[], Any]) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        call()
    return info.value.problems


def test_upload_a_pdf(ims: IMS, number: str, data_dir: Path) -> None:
    data = pdf()
    doc = ims.documents.upload(number, "plot_map", "plot_map.pdf", io.BytesIO(data), actor="fenna")
    sha256 = hashlib.sha256(data).hexdigest()
    assert (doc.document_type, doc.filename, doc.mime_type, doc.size, doc.sha256, doc.status) == (
        "plot_map",
        "plot_map.pdf",
        "application/pdf",
        len(data),
        sha256,
        "PENDING",
    )
    assert (doc.uploaded_by, doc.meta) == ("fenna", None)
    assert blob_path(data_dir, sha256).read_bytes() == data
    assert ims.documents.list(number) == [doc]
    last = ims.workflow.history(number)[-1]
    assert (last.action, last.actor) == ("document-uploaded", "fenna")
    assert ims.audit.verify().ok


def test_upload_a_photo_keeps_its_exif_time_and_place(ims: IMS, number: str) -> None:
    photo = jpeg(
        taken="2026:10:30 14:05:00", offset="-03:00", lat=("N", (5, 51, 8.4)), lon=("W", (55, 12, 0))
    )
    doc = ims.documents.upload(number, "photo", "IMG_0001.jpg", io.BytesIO(photo), actor="carlos")
    assert doc.mime_type == "image/jpeg"
    assert doc.meta == {"taken_at": "2026-10-30T14:05:00-03:00", "gps": {"lat": 5.8523333, "lon": -55.2}}
    assert ims.documents.get(doc.id).meta == doc.meta


def test_photos_without_exif_and_other_formats(ims: IMS, number: str) -> None:
    plain = ims.documents.upload(number, "photo", "IMG_0002.jpg", io.BytesIO(jpeg()), actor="carlos")
    assert plain.meta is None
    assert (
        ims.documents.upload(number, "photo", "p.png", io.BytesIO(png()), actor="carlos").mime_type
        == "image/png"
    )
    assert (
        ims.documents.upload(number, "photo", "p.heic", io.BytesIO(heic()), actor="carlos").mime_type
        == "image/heic"
    )


def test_a_filename_keeps_only_its_last_part(ims: IMS, number: str) -> None:
    doc = ims.documents.upload(
        number, "plot_map", "C:\\scans\\..\\plot.pdf", io.BytesIO(pdf()), actor="fenna"
    )
    assert doc.filename == "plot.pdf"


def test_one_byte_over_the_limit_is_refused_without_reading_on(ims: IMS, number: str, data_dir: Path) -> None:
    stream = Counting(pdf(size=10_000_001))
    assert refused(lambda: ims.documents.upload(number, "plot_map", "big.pdf", stream, actor="fenna")) == [
        "big.pdf is larger than 10 MB"
    ]
    assert stream.read_bytes == 10_000_001
    assert ims.documents.list(number) == []
    assert not (data_dir / "documents").exists()


def test_exactly_the_limit_is_accepted(ims: IMS, number: str) -> None:
    doc = ims.documents.upload(number, "plot_map", "big.pdf", io.BytesIO(pdf(size=10_000_000)), actor="fenna")
    assert doc.size == 10_000_000


@pytest.mark.parametrize(
    ("document_type", "filename", "data", "problem"),
    [
        pytest.param(
            "plot_map",
            "plot_map.jpg",
            pdf(),
            "plot_map.jpg is a PDF document (application/pdf), but its name says .jpg",
            id="pdf-renamed-jpg",
        ),
        pytest.param(
            "plot_map",
            "plot_map.pdf",
            exe(),
            f"plot_map.pdf is a Windows program ({WINDOWS_PROGRAM}), but its name says .pdf",
            id="exe-renamed-pdf",
        ),
        pytest.param(
            "plot_map",
            "plot_map.pdf",
            HTML,
            "plot_map.pdf is an HTML page (text/html), but its name says .pdf",
            id="html-as-pdf",
        ),
        pytest.param(
            "plot_map",
            "payload.exe",
            exe(),
            f"payload.exe is a Windows program ({WINDOWS_PROGRAM}), which is not accepted for Plot map "
            "(accepted: application/pdf, image/jpeg, image/png, image/tiff, image/heic, "
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document)",
            id="exe-honestly-named",
        ),
        pytest.param(
            "plot_map",
            "budget.xlsx",
            xlsx(),
            "budget.xlsx is an Excel workbook (application/vnd.openxmlformats-officedocument.spreadsheetml"
            ".sheet), which is not accepted for Plot map (accepted: application/pdf, image/jpeg, "
            "image/png, image/tiff, image/heic, "
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document)",
            id="not-in-the-deployment-whitelist",
        ),
        pytest.param(
            "photo",
            "site.pdf",
            pdf(),
            "site.pdf is a PDF document (application/pdf), which is not accepted for Control visit photos "
            "(accepted: image/jpeg, image/png, image/heic)",
            id="pdf-as-photo",
        ),
        pytest.param("plot_map", "empty.pdf", b"", "empty.pdf is empty", id="empty"),
        pytest.param(
            "plot_map",
            "notes.pdf",
            b"some plain words",
            "what kind of file notes.pdf is cannot be told from its content",
            id="unknown",
        ),
    ],
)
def test_refused_files(
    ims: IMS, number: str, data_dir: Path, document_type: str, filename: str, data: bytes, problem: str
) -> None:
    actor = "carlos" if document_type == "photo" else "fenna"
    upload = lambda: ims.documents.upload(number, document_type, filename, io.BytesIO(data), actor=actor)  # noqa: E731
    assert refused(upload) == [problem]
    assert ims.documents.list(number) == []
    assert not (data_dir / "documents").exists()


def test_word_documents_are_accepted(ims: IMS, number: str) -> None:
    doc = ims.documents.upload(number, "other", "quote.docx", io.BytesIO(docx()), actor="fenna")
    assert doc.mime_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_duplicate_content_on_one_application_is_refused(ims: IMS, number: str) -> None:
    first = ims.documents.upload(number, "plot_map", "plot_map.pdf", io.BytesIO(pdf()), actor="fenna")
    with pytest.raises(Conflict) as info:
        ims.documents.upload(number, "ownership_deed", "deed.pdf", io.BytesIO(pdf()), actor="fenna")
    assert (
        str(info.value) == f"deed.pdf was already uploaded as document {first.id} (plot_map.pdf) of {number}"
    )
    ims.documents.reject(first.id, "Unreadable", actor="fenna")
    with pytest.raises(Conflict, match=r"\(plot_map.pdf, rejected\)"):
        ims.documents.upload(number, "plot_map", "again.pdf", io.BytesIO(pdf()), actor="fenna")
    other = ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "C", "last_name": "D"}}, actor="fenna"
    ).number
    assert (
        ims.documents.upload(other, "plot_map", "plot_map.pdf", io.BytesIO(pdf()), actor="fenna").sha256
        == first.sha256
    )


def test_permissions(ims: IMS, number: str) -> None:
    with pytest.raises(PermissionDenied, match=r"photos\.upload"):
        ims.documents.upload(number, "photo", "p.jpg", io.BytesIO(jpeg()), actor="fenna")
    with pytest.raises(PermissionDenied, match=r"application\.edit_intake"):
        ims.documents.upload(number, "plot_map", "p.pdf", io.BytesIO(pdf()), actor="carlos")
    with pytest.raises(NotFound, match="unknown document type 'plot'"):
        ims.documents.upload(number, "plot", "p.pdf", io.BytesIO(pdf()), actor="fenna")
    with pytest.raises(NotFound, match="does not exist"):
        ims.documents.upload("BS-1999-000001", "plot_map", "p.pdf", io.BytesIO(pdf()), actor="fenna")


def test_a_refused_actor_is_refused_before_any_byte_is_read(ims: IMS, number: str) -> None:
    stream = Counting(pdf())
    with pytest.raises(PermissionDenied):
        ims.documents.upload(number, "plot_map", "p.pdf", stream, actor="carlos")
    assert stream.read_bytes == 0


def rejected_application(ims: IMS) -> str:
    number = ims.applications.create("bouwsubsidie", applicant_data("Rita", "Doe"), actor="fenna").number
    ims.documents.add(number, "national_declaration", "n.pdf", actor="fenna", content=pdf("n"))
    ims.workflow.transition(number, "submit", actor="fenna")
    ims.workflow.transition(number, "reject", actor="fenna", reason="Not eligible.")
    return number


def test_a_final_application_takes_no_documents(ims: IMS) -> None:
    number = rejected_application(ims)
    stream = Counting(pdf())
    expected = ["the application is REJECTED, a final state: its documents can no longer change"]
    assert (
        refused(lambda: ims.documents.upload(number, "plot_map", "p.pdf", stream, actor="fenna")) == expected
    )
    assert stream.read_bytes == 0
    assert (
        refused(lambda: ims.documents.add(number, "plot_map", "p.pdf", actor="fenna", content=b"x"))
        == expected
    )
    reason = "Applicant has none."
    assert (
        refused(lambda: ims.documents.mark_missing(number, "plot_map", actor="fenna", reason=reason))
        == expected
    )


def test_add_still_records_as_given_and_keeps_the_bytes(ims: IMS, number: str, data_dir: Path) -> None:
    """``add`` is for trusted callers: no sniffing, duplicates allowed, bytes stored."""
    first = ims.documents.add(number, "photo", "p1.jpg", actor="carlos", content=b"x", mime_type="image/jpeg")
    second = ims.documents.add(number, "photo", "p2.jpg", actor="carlos", content=b"x")
    assert first.sha256 == second.sha256 == hashlib.sha256(b"x").hexdigest()
    assert blob_path(data_dir, first.sha256).read_bytes() == b"x"
    by_hash = ims.documents.add(number, "other", "elsewhere.pdf", actor="fenna", sha256="c" * 64, size=10)
    assert (by_hash.sha256, by_hash.size) == ("c" * 64, 10)
    assert [e.action for e in ims.workflow.history(number)][-3:] == ["document-added"] * 3


def test_mark_missing(ims: IMS, number: str) -> None:
    doc = ims.documents.mark_missing(number, "pay_slip", actor="fenna", reason="Applicant is paid in cash.")
    assert (doc.status, doc.reason, doc.sha256, doc.filename) == (
        "MISSING",
        "Applicant is paid in cash.",
        None,
        None,
    )
    event = ims.workflow.history(number)[-1]
    assert (event.action, event.reason) == ("document-missing", "Applicant is paid in cash.")
    assert refused(lambda: ims.documents.mark_missing(number, "pay_slip", actor="fenna", reason=" ")) == [
        "a reason is required"
    ]
    with pytest.raises(PermissionDenied, match=r"documents\.verify"):
        ims.documents.mark_missing(number, "pay_slip", actor="carlos", reason="No.")
    with pytest.raises(NotFound):
        ims.documents.download_token(doc.id, actor="fenna")


def test_every_change_is_in_history_and_audit(ims: IMS, number: str) -> None:
    a = ims.documents.upload(number, "plot_map", "a.pdf", io.BytesIO(pdf("a")), actor="fenna")
    b = ims.documents.upload(number, "family_extract", "b.pdf", io.BytesIO(pdf("b")), actor="fenna")
    ims.documents.verify(a.id, actor="fenna")
    ims.documents.reject(b.id, "Blurred", actor="fenna")
    ims.documents.mark_missing(number, "pay_slip", actor="fenna", reason="None issued.")
    actions = [e.action for e in ims.workflow.history(number)]
    assert actions[-5:] == [
        "document-uploaded",
        "document-uploaded",
        "document-verified",
        "document-rejected",
        "document-missing",
    ]
    assert ims.audit.verify().ok
    statuses = {item.document_type.code: item.status for item in ims.documents.checklist(number)}
    assert (statuses["plot_map"], statuses["family_extract"]) == ("VERIFIED", "REJECTED")


def test_a_failed_transaction_leaves_only_an_orphan_blob(
    ims: IMS, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ims.services import _records

    def broken(*args: Any, **kwargs: Any) -> None:
        raise StoreError("disk full (simulated)")

    monkeypatch.setattr(_records, "record", broken)
    with pytest.raises(StoreError, match="simulated"):
        ims.documents.upload(number, "plot_map", "p.pdf", io.BytesIO(pdf()), actor="fenna")
    monkeypatch.undo()
    sha256 = hashlib.sha256(pdf()).hexdigest()
    assert ims.documents.list(number) == []
    assert ims.documents.store.exists(sha256)
    assert ims.documents.orphans() == []  # too young: maybe an upload still committing
    from datetime import timedelta

    assert ims.documents.orphans(grace=timedelta(0)) == [sha256]
    # the retry succeeds: same content, same key
    assert (
        ims.documents.upload(number, "plot_map", "p.pdf", io.BytesIO(pdf()), actor="fenna").sha256 == sha256
    )
    assert ims.documents.orphans(grace=timedelta(0)) == []


def test_concurrent_uploads_of_the_same_file_make_one_document(ims: IMS, number: str) -> None:
    """Eight clerks send the same scan at once: one document, the others told why."""
    import threading

    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def work(i: int) -> None:
        barrier.wait()
        try:
            ims.documents.upload(number, "plot_map", f"scan-{i}.pdf", io.BytesIO(pdf()), actor="fenna")
            outcomes.append("uploaded")
        except Conflict as exc:
            outcomes.append("already" if "already uploaded" in str(exc) else "changed meanwhile")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("uploaded") == 1 and len(outcomes) == 8
    assert len(ims.documents.list(number)) == 1
    assert ims.audit.verify().ok
