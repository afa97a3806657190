"""Documents attached to an application (metadata; the bytes live in a document store)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ims.store.base import Base, JSONType, UTCDateTime
from ims.store.models._common import NAME, STATUS, USERNAME, created_at_column, status_check

DOCUMENT_STATUSES = ("PENDING", "VERIFIED", "REJECTED", "MISSING")


class Document(Base):
    """A document of ``document_type``.

    A ``MISSING`` row records that a document was not supplied and may have no file;
    every other status needs the file's ``sha256`` (checked by ``ck_documents_file``).
    ``storage_key`` is the key of the bytes in the document store (the SHA-256 for the
    built-in stores); ``NULL`` when only the file's hash was recorded.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index(None, "application_id", "document_type"),
        status_check("status", DOCUMENT_STATUSES),
        CheckConstraint("status = 'MISSING' OR sha256 IS NOT NULL", name="file"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False
    )
    document_type: Mapped[str] = mapped_column(NAME, nullable=False)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    mime_type: Mapped[str | None] = mapped_column(String(127), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(STATUS, nullable=False, default="PENDING")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(500), nullable=True)
    uploaded_by: Mapped[str] = mapped_column(USERNAME, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    verified_by: Mapped[str | None] = mapped_column(USERNAME, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: facts read from the file: a photo's ``taken_at`` and ``gps`` (EXIF); NULL when none
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
