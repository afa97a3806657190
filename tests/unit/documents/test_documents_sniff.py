"""MIME sniffing from content, and the filename that must agree with it."""

from __future__ import annotations

import io

import pytest

from ims.documents import check_allowed, sniff, sniff_type
from ims.documents._sniff import DOCX, WINDOWS_PROGRAM, XLSX
from ims.errors import ValidationFailed
from ims.testing.files import HTML, docx, exe, heic, jpeg, odt, pdf, png, xlsx, zip_archive


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(pdf(), "application/pdf", id="pdf"),
        pytest.param(jpeg(), "image/jpeg", id="jpeg"),
        pytest.param(png(), "image/png", id="png"),
        pytest.param(heic(), "image/heic", id="heic"),
        pytest.param(docx(), DOCX, id="docx"),
        pytest.param(xlsx(), XLSX, id="xlsx"),
        pytest.param(odt(), "application/vnd.oasis.opendocument.text", id="odt"),
        pytest.param(zip_archive(), "application/zip", id="plain-zip-is-not-docx"),
        pytest.param(exe(), WINDOWS_PROGRAM, id="exe"),
        pytest.param(HTML, "text/html", id="html"),
        pytest.param(b"just some words", None, id="text-unknown"),
        pytest.param(b"", None, id="empty"),
    ],
)
def test_sniff_type_from_bytes_alone(data: bytes, expected: str | None) -> None:
    assert expected == sniff_type(data[:8192])
    assert expected == sniff_type(data[:8192], io.BytesIO(data))


def test_zip_kind_from_the_central_directory_when_the_head_is_not_enough() -> None:
    """A .docx whose first entries are large media: ``word/`` is past the first bytes."""
    import random
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("media/big.bin", random.Random(1).randbytes(50_000))
        z.writestr("word/document.xml", "<w/>")
    data = out.getvalue()
    assert sniff_type(data[:8192]) == "application/zip"
    assert sniff_type(data[:8192], io.BytesIO(data)) == DOCX


def test_the_filename_never_decides_the_type() -> None:
    """puremagic, given the name, calls unknown bytes named .pdf a PDF; ims does not."""
    with pytest.raises(ValidationFailed, match="cannot be told from its content"):
        sniff(b"hello, not a pdf", "letter.pdf")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        pytest.param(
            pdf(),
            "plot_map.jpg",
            "plot_map.jpg is a PDF document (application/pdf), but its name says .jpg",
            id="pdf-named-jpg",
        ),
        pytest.param(
            exe(),
            "invoice.pdf",
            f"invoice.pdf is a Windows program ({WINDOWS_PROGRAM}), but its name says .pdf",
            id="exe-named-pdf",
        ),
        pytest.param(
            HTML, "deed.pdf", "deed.pdf is an HTML page (text/html), but its name says .pdf", id="html-as-pdf"
        ),
        pytest.param(
            zip_archive(),
            "letter.docx",
            "letter.docx is a ZIP archive (application/zip), but its name says .docx",
            id="zip-named-docx",
        ),
        pytest.param(b"", "empty.pdf", "empty.pdf is empty", id="empty"),
    ],
)
def test_names_that_lie_are_refused(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        sniff(data[:8192], filename, file=io.BytesIO(data))
    assert [message] == info.value.problems
    assert filename == info.value.what


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        pytest.param(jpeg(), "IMG_0001.JPEG", "image/jpeg", id="upper-case-extension"),
        pytest.param(jpeg(), "photo.jpg", "image/jpeg", id="jpg"),
        pytest.param(pdf(), "scan", "application/pdf", id="no-extension"),
        pytest.param(pdf(), "scan.2026-11", "application/pdf", id="unknown-extension"),
        pytest.param(heic(), "IMG_0002.HEIC", "image/heic", id="heic"),
        pytest.param(docx(), "letter.docx", DOCX, id="docx"),
    ],
)
def test_names_that_agree_or_claim_nothing(data: bytes, filename: str, expected: str) -> None:
    assert expected == sniff(data[:8192], filename, file=io.BytesIO(data))


def test_check_allowed() -> None:
    check_allowed("image/png", "p.png", ("image/jpeg", "image/png"))
    with pytest.raises(ValidationFailed) as info:
        check_allowed("application/pdf", "p.pdf", ("image/jpeg", "image/png"), "Control visit photos")
    assert info.value.problems == [
        "p.pdf is a PDF document (application/pdf), which is not accepted for Control visit photos "
        "(accepted: image/jpeg, image/png)"
    ]
