"""Helpers of the tasks and SLA tests: the reference configuration, the start of the clock, an
application in intake."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ims import IMS
from ims.demo import applicant_data

REPO = Path(__file__).resolve().parents[3]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"
#: a Monday morning, 09:00 UTC
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def intake(ims: IMS, first: str = "Maria") -> str:
    """A new application submitted into INTAKE_REVIEW (task for front_office and admin, 48 h)."""
    number = ims.applications.create("bouwsubsidie", applicant_data(first, "Doe"), actor="fenna").number
    ims.documents.add(number, "national_declaration", "n.pdf", actor="fenna", content=b"%PDF-1.4 x")
    ims.workflow.transition(number, "submit", actor="fenna")
    return number


def open_task(ims: IMS, number: str) -> int:
    (task,) = [t for t in ims.tasks.for_application(number) if t.open]
    return task.id
