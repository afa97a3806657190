"""An IMS on the reference deployment with a hand-moved clock, and a small history to report on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ims import IMS
from ims.demo import USERS, Demo, applicant_data
from ims.testing.fixtures import Clock

REPO = Path(__file__).resolve().parents[3]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"
#: a Monday morning in the office (09:00 UTC is 06:00 in Paramaribo, UTC-3)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def ims(db_url: str, clock: Clock, tmp_path: Path) -> Iterator[IMS]:
    with IMS.from_config(
        REFERENCE_CONFIG,
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(tmp_path / "data")},
        database_url=db_url,
        clock=clock,
        auto_upgrade=True,
    ) as instance:
        for username, (name, role) in USERS.items():
            instance.users.create(username, display_name=name, roles=[role])
        yield instance


def create(ims: IMS, district: str, *, applicant: str | None = None) -> str:
    data = applicant_data("Maria", "Doe")
    data["applicant"]["district"] = district
    number = ims.applications.create("bouwsubsidie", data, actor="fenna", applicant=applicant).number
    ims.documents.add(number, "national_declaration", "d.pdf", actor="fenna", content=b"%PDF-1.4 x")
    return number


@dataclass(frozen=True)
class History:
    """What :func:`history` did (hours from START)."""

    rejected: str  # wanica: DRAFT 0-10, INTAKE_REVIEW 10-30, REJECTED at 30
    late: str  # paramaribo: DRAFT 0-80 (SLA 72: late), INTAKE_REVIEW from 80 (due 128)
    fresh: str  # wanica: DRAFT from 168 (due 240: in 10 h at the end)
    approved: str  # paramaribo (the demo's path, all at 200): CLOSURE at 200


@pytest.fixture
def history(ims: IMS, clock: Clock) -> History:
    """Four applications over ten days; the clock ends at START + 230 h (Wednesday 11 Nov, 23:00 UTC)."""
    rejected = create(ims, "wanica")
    late = create(ims, "paramaribo", applicant="paul")
    clock.advance(hours=10)
    ims.workflow.transition(rejected, "submit", actor="fenna")
    clock.advance(hours=20)
    ims.workflow.transition(rejected, "reject", actor="fenna", reason="incomplete file")
    clock.advance(hours=50)
    ims.workflow.transition(late, "submit", actor="fenna")
    clock.advance(hours=88)
    fresh = create(ims, "wanica")
    clock.advance(hours=32)
    approved = Demo(ims, lambda _: None).to_closure()
    clock.advance(hours=30)
    return History(rejected, late, fresh, approved)
