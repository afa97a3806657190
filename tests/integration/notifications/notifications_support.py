"""Helpers of the notification tests: an SMTP sink, a clock, a submitted application."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

from ims import IMS
from ims.demo import applicant_data

REPO = Path(__file__).resolve().parents[3]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str
    headers: Message


@dataclass
class SmtpSink:
    """What an aiosmtpd server received; ``url`` is the apprise URL sending to it."""

    port: int
    messages: list[Mail] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=ims@housing.example.sr&mode=insecure"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content)
        part = next((p for p in parsed.walk() if p.get_content_type() == "text/plain"), parsed)
        payload = part.get_payload(decode=True)
        body = payload.decode(part.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
        subject = str(make_header(decode_header(parsed.get("Subject", ""))))
        self.messages.append(Mail(list(envelope.rcpt_tos), subject, body, parsed))
        return "250 OK"


def email_env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "IMS_LANGUAGE": "nl",
        "IMS_DATA_DIR": str(tmp_path / "data"),
        "IMS_EMAIL_ENABLED": "true",
        "IMS_SMTP_URL": url,
        **extra,
    }


def submitted(ims: IMS, first: str = "Maria", last: str = "Doe", *, applicant: str | None = "paul") -> str:
    """An application submitted by fenna: now in INTAKE_REVIEW (front office notified)."""
    data = applicant_data(first, last)
    number = ims.applications.create("bouwsubsidie", data, actor="fenna", applicant=applicant).number
    ims.documents.add(number, "national_declaration", "declaration.pdf", actor="fenna", content=b"%PDF-1.4")
    ims.workflow.transition(number, "submit", actor="fenna")
    return number


START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
"""Where the tests' hand-moved clock starts (a Monday morning)."""
