"""What a file is, from its bytes: MIME sniffing, and the filename that must agree.

puremagic identifies most formats from the first bytes, but not everything it needs is
there: it calls every ZIP a Word document and has no MIME type for Windows programs.
So three families are decided here first:

* ``MZ`` at the start: a Windows program;
* ISO media (``ftyp`` at offset 4): HEIC/HEIF/AVIF by the brand;
* ZIP: by the names inside (``word/`` -> .docx, ``xl/`` -> .xlsx, ``mimetype`` -> ODF),
  read from the central directory when the whole file is at hand, else from the
  local headers in the first bytes.

The filename's extension is never used to decide the type (puremagic would happily call
any unknown bytes named ``x.pdf`` a PDF); it is only checked against what was found.
"""

from __future__ import annotations

import mimetypes
import re
import zipfile
from pathlib import PurePosixPath
from typing import IO

from ims.errors import UnsupportedType, ValidationFailed

#: How many leading bytes :func:`sniff` needs to see.
HEAD_SIZE = 8192

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
WINDOWS_PROGRAM = "application/vnd.microsoft.portable-executable"

#: MIME type -> how a sentence names it, and the extensions a file of that type may have.
_KNOWN: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("a PDF document", (".pdf",)),
    "image/jpeg": ("a JPEG image", (".jpg", ".jpeg", ".jpe", ".jfif")),
    "image/png": ("a PNG image", (".png",)),
    "image/tiff": ("a TIFF image", (".tif", ".tiff")),
    "image/heic": ("a HEIC image", (".heic", ".heif")),
    "image/heif": ("a HEIF image", (".heif", ".heic")),
    "image/avif": ("an AVIF image", (".avif",)),
    "image/gif": ("a GIF image", (".gif",)),
    "image/webp": ("a WebP image", (".webp",)),
    DOCX: ("a Word document", (".docx",)),
    XLSX: ("an Excel workbook", (".xlsx",)),
    PPTX: ("a PowerPoint presentation", (".pptx",)),
    "application/vnd.oasis.opendocument.text": ("an OpenDocument text", (".odt",)),
    "application/vnd.oasis.opendocument.spreadsheet": ("an OpenDocument spreadsheet", (".ods",)),
    "application/zip": ("a ZIP archive", (".zip",)),
    WINDOWS_PROGRAM: ("a Windows program", (".exe", ".dll", ".com", ".scr")),
    "text/html": ("an HTML page", (".html", ".htm")),
}
_BY_EXTENSION = {ext: mime for mime, (_, exts) in _KNOWN.items() for ext in exts}

_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_LOCAL_HEADER = re.compile(rb"PK\x03\x04")


def describe(mime: str) -> str:
    """``"a PDF document"``; ``"a file of type x/y"`` for types without a name here."""
    known = _KNOWN.get(mime)
    return known[0] if known else f"a file of type {mime}"


def extensions_for(mime: str) -> tuple[str, ...]:
    """The extensions a file of ``mime`` may have (lower case, with the dot)."""
    known = _KNOWN.get(mime)
    return known[1] if known else tuple(mimetypes.guess_all_extensions(mime))


def sniff_type(head: bytes, file: IO[bytes] | None = None) -> str | None:
    """The MIME type of a file from its first bytes; ``None`` when it cannot be told.

    Args:
        head: the first bytes (:data:`HEAD_SIZE` or more).
        file: the whole file, seekable, when at hand: ZIP containers are then told
            apart by their central directory, not only by the first local headers.
            Its position is restored.
    """
    if not head:
        return None
    if head.startswith(b"MZ"):
        return WINDOWS_PROGRAM
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, file)
    return _puremagic(head)


def sniff(head: bytes, filename: str, *, file: IO[bytes] | None = None) -> str:
    """The MIME type of a file from its content, checked against its name's extension.

    A name without an extension, or with one no known type claims, is accepted: it
    claims nothing.  A name whose extension belongs to another type is refused.

    Raises:
        ValidationFailed: the file is empty, its type cannot be told, or its name
            says another type (``plot_map.jpg is a PDF document (application/pdf),
            but its name says .jpg``).
    """
    if not head:
        raise ValidationFailed(filename, [f"{filename} is empty"])
    mime = sniff_type(head, file)
    if mime is None:
        raise UnsupportedType(filename, [f"what kind of file {filename} is cannot be told from its content"])
    ext = PurePosixPath(filename).suffix.lower()
    if ext and ext not in extensions_for(mime) and _claimed_type(filename, ext) is not None:
        raise UnsupportedType(filename, [f"{filename} is {describe(mime)} ({mime}), but its name says {ext}"])
    return mime


def check_allowed(mime: str, filename: str, allowed: tuple[str, ...], for_what: str = "") -> None:
    """Refuse ``mime`` unless it is in ``allowed``.

    Args:
        for_what: the document type's label, for the message.

    Raises:
        ValidationFailed: ``p.pdf is a PDF document (application/pdf), which is not
            accepted for Control visit photos (accepted: image/jpeg, image/png)``.
    """
    if mime in allowed:
        return
    where = f" for {for_what}" if for_what else ""
    raise UnsupportedType(
        filename,
        [
            f"{filename} is {describe(mime)} ({mime}), which is not accepted{where} "
            f"(accepted: {', '.join(allowed)})"
        ],
    )


def _claimed_type(filename: str, ext: str) -> str | None:
    return _BY_EXTENSION.get(ext) or mimetypes.guess_type(filename, strict=False)[0]


def _iso_media(head: bytes) -> str | None:
    """HEIC, HEIF or AVIF by the ``ftyp`` box's major and compatible brands."""
    box_size = int.from_bytes(head[0:4], "big")
    brands = {head[8:12]}
    end = min(max(box_size, 16), len(head))
    brands.update(head[i : i + 4] for i in range(16, end - 3, 4))
    if brands & _HEIC_BRANDS:
        return "image/heic"
    if brands & {b"avif", b"avis"}:
        return "image/avif"
    if brands & {b"mif1", b"msf1"}:
        return "image/heif"
    return _puremagic(head)


def _puremagic(head: bytes) -> str | None:
    """The MIME type of puremagic's most confident match that has one (bytes only)."""
    import puremagic

    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return None
    return next((m.mime_type for m in matches if m.mime_type), None)


def _zip_kind(head: bytes, file: IO[bytes] | None) -> str:
    names: list[str] | None = None
    odf: str | None = None
    if file is not None and file.seekable():
        position = file.tell()
        try:
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
                if names and names[0] == "mimetype":
                    with archive.open("mimetype") as entry:
                        odf = entry.read(100).decode("ascii", "replace").strip()
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            names = None
        finally:
            file.seek(position)
    if names is None:
        names, odf = _local_names(head)
    if odf and odf.startswith("application/vnd.oasis.opendocument."):
        return odf
    if "[Content_Types].xml" in names:
        for prefix, mime in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
            if any(n.startswith(prefix) for n in names):
                return mime
    return "application/zip"


def _local_names(head: bytes) -> tuple[list[str], str | None]:
    """Entry names from the local file headers within ``head`` (and an ODF ``mimetype``)."""
    names: list[str] = []
    odf = None
    for match in _LOCAL_HEADER.finditer(head):
        at = match.start()
        if at + 30 > len(head):
            break
        name_len = int.from_bytes(head[at + 26 : at + 28], "little")
        extra_len = int.from_bytes(head[at + 28 : at + 30], "little")
        name = head[at + 30 : at + 30 + name_len].decode("utf-8", "replace")
        names.append(name)
        if name == "mimetype" and len(names) == 1:
            start = at + 30 + name_len + extra_len
            size = int.from_bytes(head[at + 18 : at + 22], "little")
            odf = head[start : start + min(size, 100)].decode("ascii", "replace").strip()
    return names, odf
