"""The built-in reports on a small known history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import START, History, create
from ims import IMS, NotFound, ValidationFailed
from ims.hooks.protocols import ReportParams

NOVEMBER = "2026-11"


def run(ims: IMS, name: str, **params: object) -> tuple[tuple[object, ...], ...]:
    return ims.reports.run(name, ReportParams(**params)).rows  # type: ignore[arg-type]


def by_state(rows: tuple[tuple[object, ...], ...]) -> dict[object, tuple[object, ...]]:
    return {row[1]: row for row in rows}


def test_the_built_in_reports_are_listed(ims: IMS) -> None:
    assert [name for name, _ in ims.reports.list()] == [
        "applications_by_state",
        "decision_outcomes",
        "overdue",
        "sla_compliance",
        "throughput",
        "time_in_state",
        "workload",
    ]


def test_applications_by_state(ims: IMS, history: History) -> None:
    assert run(ims, "applications_by_state") == (
        ("bouwsubsidie", "CLOSURE", 1),
        ("bouwsubsidie", "DRAFT", 1),
        ("bouwsubsidie", "INTAKE_REVIEW", 1),
        ("bouwsubsidie", "REJECTED", 1),
    )
    assert run(ims, "applications_by_state", district="wanica") == (
        ("bouwsubsidie", "DRAFT", 1),
        ("bouwsubsidie", "REJECTED", 1),
    )
    # created on or after day 7 (inclusive): the fresh and the approved one
    week2 = START + timedelta(hours=168)
    assert run(ims, "applications_by_state", date_from=week2) == (
        ("bouwsubsidie", "CLOSURE", 1),
        ("bouwsubsidie", "DRAFT", 1),
    )
    assert run(ims, "applications_by_state", date_to=week2, workflow="bouwsubsidie") == (
        ("bouwsubsidie", "INTAKE_REVIEW", 1),
        ("bouwsubsidie", "REJECTED", 1),
    )
    assert run(ims, "applications_by_state", workflow="other") == ()


def test_throughput_by_month_and_week(ims: IMS, history: History) -> None:
    result = ims.reports.run("throughput")
    assert result.columns == ("period", "entered", "decided", "approved", "rejected")
    assert result.rows == ((NOVEMBER, 4, 2, 1, 1),)
    assert run(ims, "throughput", period="week") == (
        ("2026-11-02", 2, 1, 0, 1),
        ("2026-11-09", 2, 1, 1, 0),
    )
    assert run(ims, "throughput", district="wanica") == ((NOVEMBER, 2, 1, 0, 1),)
    assert run(ims, "throughput", date_from=START + timedelta(days=30)) == ()


def test_decision_outcomes(ims: IMS, history: History) -> None:
    result = ims.reports.run("decision_outcomes")
    assert result.columns == (
        "workflow",
        "state",
        "outcome",
        "decisions",
        "share_pct",
        "mean_days_to_decision",
    )
    assert result.rows == (
        ("bouwsubsidie", "CLOSURE", "approved", 1, 50.0, 0.0),
        ("bouwsubsidie", "REJECTED", "rejected", 1, 50.0, 1.2),  # 30 h
    )
    assert run(ims, "decision_outcomes", district="paramaribo") == (
        ("bouwsubsidie", "CLOSURE", "approved", 1, 100.0, 0.0),
    )


def test_time_in_state(ims: IMS, history: History) -> None:
    # wanica: the rejected one's finished stays (the fresh draft's stay is still open)
    assert run(ims, "time_in_state", district="wanica") == (
        ("bouwsubsidie", "DRAFT", 1, 10.0, 10.0, 10.0, 10.0),
        ("bouwsubsidie", "INTAKE_REVIEW", 1, 20.0, 20.0, 20.0, 20.0),
    )
    rows = by_state(run(ims, "time_in_state"))
    # DRAFT stays: 0 h (approved), 10 h, 80 h; p90 interpolates 10 + 0.8 * 70
    assert rows["DRAFT"] == ("bouwsubsidie", "DRAFT", 3, 30.0, 10.0, 66.0, 80.0)
    assert rows["INTAKE_REVIEW"] == ("bouwsubsidie", "INTAKE_REVIEW", 2, 10.0, 10.0, 18.0, 20.0)
    assert rows["MINISTER_DECISION"][2:] == (1, 0.0, 0.0, 0.0, 0.0)
    # stays that ended before day 2: the rejected one's DRAFT only
    assert run(ims, "time_in_state", date_to=START + timedelta(hours=20)) == (
        ("bouwsubsidie", "DRAFT", 1, 10.0, 10.0, 10.0, 10.0),
    )


@pytest.mark.parametrize("count", [1, 2, 5, 10])
def test_percentiles_match_percentile_cont(ims: IMS, count: int) -> None:
    """SQLite's window-function percentiles equal PostgreSQL's ``percentile_cont`` (linear)."""
    import statistics

    from ims.store.models import StatePeriod

    app_id = ims.applications.get(create(ims, "wanica")).id
    hours = [(k * 7) % 11 + k for k in range(1, count + 1)]
    with ims.runtime.sessions.begin() as s:
        for h in hours:
            s.add(
                StatePeriod(
                    application_id=app_id,
                    workflow="bouwsubsidie",
                    state="TECHNICAL_REVIEW",
                    entered_at=START,
                    exited_at=START + timedelta(hours=h),
                    seconds=h * 3600.0,
                )
            )
    row = by_state(run(ims, "time_in_state"))["TECHNICAL_REVIEW"]
    ordered = sorted(hours)
    cuts = statistics.quantiles(ordered, n=10, method="inclusive") if count > 1 else [ordered[0]] * 9
    assert row[2] == count
    assert row[4] == round(statistics.median(ordered), 1)
    assert row[5] == round(cuts[8], 1)
    assert row[6] == max(hours)


def test_sla_compliance(ims: IMS, history: History) -> None:
    result = ims.reports.run("sla_compliance")
    assert result.columns == ("period", "state", "completed", "on_time", "breached", "compliance_pct")
    rows = by_state(result.rows)
    # DRAFT tasks: the rejected one's (10 h), the late one's (80 h > 72 h), the approved one's (0 h)
    assert rows["DRAFT"] == (NOVEMBER, "DRAFT", 3, 2, 1, 66.7)
    total = rows["(all)"]
    assert result.rows[-1] == total
    assert total[2] == sum(r[2] for r in result.rows[:-1])
    assert total[4] == 1
    assert run(ims, "sla_compliance", district="wanica", period="week") == (
        ("2026-11-02", "DRAFT", 1, 1, 0, 100.0),
        ("2026-11-02", "INTAKE_REVIEW", 1, 1, 0, 100.0),
        ("2026-11-02", "(all)", 2, 2, 0, 100.0),
    )


def test_workload(ims: IMS, history: History) -> None:
    # open: the late one's intake review (front_office, admin; overdue), the fresh draft (due in 10 h)
    assert run(ims, "workload") == (
        ("admin", "(unassigned)", 1, 1, 0),
        ("front_office", "(unassigned)", 2, 1, 1),
    )
    assert run(ims, "workload", district="wanica") == (("front_office", "(unassigned)", 1, 0, 1),)


def test_overdue(ims: IMS, history: History) -> None:
    result = ims.reports.run("overdue")
    assert result.columns == (
        "application",
        "workflow",
        "state",
        "task",
        "assignee",
        "due_at",
        "hours_overdue",
        "district",
    )
    assert result.rows == (
        (
            history.late,
            "bouwsubsidie",
            "INTAKE_REVIEW",
            "Review the intake and documents",
            None,
            START + timedelta(hours=128),
            102.0,
            "paramaribo",
        ),
    )
    assert run(ims, "overdue", district="wanica") == ()


def test_bad_parameters(ims: IMS) -> None:
    with pytest.raises(NotFound, match=r"no report 'sla' \(known: applications_by_state, decision_outcomes"):
        ims.reports.run("sla")
    with pytest.raises(ValidationFailed, match="period 'year' is not 'week' or 'month'"):
        ims.reports.run("throughput", ReportParams(period="year"))  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="unknown format 'xls'"):
        ims.reports.render("throughput", format="xls")
    with pytest.raises(ValidationFailed, match="it has no chart"):
        ims.reports.render("overdue", format="svg")


def test_render_formats(ims: IMS, history: History) -> None:
    table = ims.reports.render("throughput")
    assert isinstance(table, str)
    assert table.splitlines()[0].strip() == "Throughput: applications entered and decided"
    assert "2026-11" in table
    assert (
        ims.reports.render("throughput", format="csv")
        == "period,entered,decided,approved,rejected\n2026-11,4,2,1,1\n"
    )
    svg = ims.reports.render("sla_compliance", format="svg")
    assert isinstance(svg, bytes) and svg.startswith(b"<?xml") and b"<svg" in svg
    assert ims.reports.render("sla_compliance", format="svg") == svg  # reproducible
    png = ims.reports.render("time_in_state", format="png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG")
