"""Small sample files for upload tests: real formats, built in memory.

Host applications and plugin authors testing uploads through ims (an HTTP endpoint, a
form) need files that sniff as what they claim, and some that lie::

    from ims.testing.files import HTML, exe, jpeg, pdf

    ims.documents.upload(number, "plot_map", "plot.pdf", io.BytesIO(pdf()), actor="fenna")
    with pytest.raises(ValidationFailed, match="its name says .pdf"):
        ims.documents.upload(number, "plot_map", "x.pdf", io.BytesIO(exe()), actor="fenna")
"""

from __future__ import annotations

import io
import zipfile

#: An HTML page (a phishing form), to be named ``.pdf`` by tests.
HTML = b"<!DOCTYPE html>\n<html><head><title>Pay here</title></head><body><form></form></body></html>"

DMS = tuple[float, float, float]


def pdf(text: str = "plot map", *, size: int | None = None) -> bytes:
    """A minimal PDF; with ``size``, padded with a comment to exactly that many bytes."""
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Title (" + text.encode() + b") >>\nendobj\n"
    if size is None:
        return body + b"%%EOF\n"
    padding = size - len(body) - len(b"\n%%EOF")
    if padding < 1:
        raise ValueError(f"a PDF needs at least {len(body) + 7} bytes")
    return body + b"%" * padding + b"\n%%EOF"


def jpeg(
    *,
    taken: str | None = None,
    offset: str | None = None,
    lat: tuple[str, DMS] | None = None,
    lon: tuple[str, DMS] | None = None,
    color: str = "green",
) -> bytes:
    """A small JPEG photo, with EXIF when any of these are given.

    Args:
        taken: ``DateTimeOriginal``, e.g. ``"2026:10:30 14:05:00"``.
        offset: ``OffsetTimeOriginal``, e.g. ``"-03:00"``.
        lat, lon: GPS position as ``("N", (5, 51, 8.4))`` and ``("W", (55, 12, 0))``.
    """
    from PIL import Image

    image = Image.new("RGB", (32, 24), color)
    out = io.BytesIO()
    if taken is None and offset is None and lat is None and lon is None:
        image.save(out, "JPEG")
        return out.getvalue()
    exif = Image.Exif()
    exif[0x010F] = "ims test camera"  # Make
    details = exif.get_ifd(0x8769)
    if taken is not None:
        details[0x9003] = taken  # DateTimeOriginal
    if offset is not None:
        details[0x9011] = offset  # OffsetTimeOriginal
    if lat is not None and lon is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = lat[0], tuple(float(v) for v in lat[1])
        gps[3], gps[4] = lon[0], tuple(float(v) for v in lon[1])
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def docx() -> bytes:
    """The skeleton of a Word document (a ZIP with ``[Content_Types].xml`` and ``word/``)."""
    return _zip(
        ("[Content_Types].xml", "<Types/>"),
        ("_rels/.rels", "<Relationships/>"),
        ("word/document.xml", "<w:document/>"),
    )


def xlsx() -> bytes:
    return _zip(
        ("[Content_Types].xml", "<Types/>"),
        ("_rels/.rels", "<Relationships/>"),
        ("xl/workbook.xml", "<workbook/>"),
    )


def odt() -> bytes:
    return _zip(
        ("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office:document/>")
    )


def zip_archive() -> bytes:
    """A plain ZIP (not an Office document)."""
    return _zip(("notes.txt", "hello"))


def exe() -> bytes:
    """The start of a Windows program (``MZ`` header, ``PE`` signature)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 44
        + b"PE\x00\x00"
        + b"\x00" * 200
    )


def heic() -> bytes:
    """The ``ftyp`` box of a HEIC photo (brand ``heic``) and some padding."""
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200


def _zip(*entries: tuple[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in entries:
            archive.writestr(name, text)
    return out.getvalue()
