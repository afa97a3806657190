"""``ims.reports``: parameters, filters and errors (``applications_by_state``), SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ims import IMS, NotFound, ValidationFailed
from ims.demo import applicant_data
from ims.hooks.protocols import ReportParams
from ims.testing.fixtures import Clock

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def create(ims: IMS, district: str) -> str:
    data = applicant_data("Maria", "Doe")
    data["applicant"]["district"] = district
    return ims.applications.create("bouwsubsidie", data, actor="fenna").number


@pytest.fixture
def filed(ims: IMS, clock: Clock) -> list[str]:
    """Three applications: two on 2 November (one submitted), one a week later."""
    first = create(ims, "wanica")
    ims.documents.add(first, "national_declaration", "d.pdf", actor="fenna", content=b"x")
    ims.workflow.transition(first, "submit", actor="fenna")
    second = create(ims, "paramaribo")
    clock.advance(days=7)
    third = create(ims, "wanica")
    return [first, second, third]


def rows(ims: IMS, **params: object) -> tuple[tuple[object, ...], ...]:
    return ims.reports.run("applications_by_state", ReportParams(**params)).rows  # type: ignore[arg-type]


def test_counts_per_workflow_and_state(ims: IMS, filed: list[str]) -> None:
    assert ("applications_by_state", "Applications by workflow and state") in ims.reports.list()
    result = ims.reports.run("applications_by_state")
    assert result.columns == ("workflow", "state", "count")
    assert result.title == "Applications by workflow and state"
    assert result.rows == (("bouwsubsidie", "DRAFT", 2), ("bouwsubsidie", "INTAKE_REVIEW", 1))


def test_filters(ims: IMS, filed: list[str]) -> None:
    assert rows(ims, workflow="other") == ()
    assert rows(ims, workflow="bouwsubsidie", district="wanica") == (
        ("bouwsubsidie", "DRAFT", 1),
        ("bouwsubsidie", "INTAKE_REVIEW", 1),
    )
    assert rows(ims, district="paramaribo") == (("bouwsubsidie", "DRAFT", 1),)
    # from inclusive, to exclusive
    assert rows(ims, date_from=START + timedelta(days=7)) == (("bouwsubsidie", "DRAFT", 1),)
    assert rows(ims, date_to=START + timedelta(days=7)) == (
        ("bouwsubsidie", "DRAFT", 1),
        ("bouwsubsidie", "INTAKE_REVIEW", 1),
    )
    assert rows(ims, date_from=START + timedelta(days=1), date_to=START + timedelta(days=2)) == ()


def test_bad_parameters_and_names(ims: IMS) -> None:
    with pytest.raises(
        NotFound, match=r"no report 'sla' \(known: applications_by_state, decision_outcomes, "
    ):
        ims.reports.run("sla")
    with pytest.raises(ValidationFailed, match="date_from 2026-01-01T00:00:00 has no time zone"):
        ims.reports.run("applications_by_state", ReportParams(date_from=datetime(2026, 1, 1)))
    with pytest.raises(ValidationFailed, match="is after date_to"):
        ims.reports.run(
            "applications_by_state", ReportParams(date_from=START, date_to=START - timedelta(days=1))
        )
