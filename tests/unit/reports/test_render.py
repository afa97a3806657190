"""Rendering a ReportResult: table, CSV, JSON and charts (no database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ims import ValidationFailed
from ims.hooks.protocols import ChartSpec, ReportResult
from ims.reports.render import chart, render, to_csv, to_json, to_table

RESULT = ReportResult(
    ("period", "state", "count", "when"),
    (
        ("2026-10", "DRAFT", 3, datetime(2026, 10, 5, 8, 30, tzinfo=UTC)),
        ("2026-10", "REJECTED", 1, None),
        ("2026-11", "DRAFT", 2, None),
    ),
    "Counts",
    ChartSpec("line", x="period", y=("count",), series="state", y_label="n"),
)


def test_csv_and_json() -> None:
    assert to_csv(RESULT) == (
        "period,state,count,when\n"
        "2026-10,DRAFT,3,2026-10-05T08:30:00+00:00\n"
        "2026-10,REJECTED,1,\n"
        "2026-11,DRAFT,2,\n"
    )
    out = json.loads(to_json("counts", RESULT))
    assert out["report"] == "counts"
    assert out["title"] == "Counts"
    assert out["rows"][0] == {
        "period": "2026-10",
        "state": "DRAFT",
        "count": 3,
        "when": "2026-10-05T08:30:00+00:00",
    }


def test_table_has_title_header_and_rows() -> None:
    lines = [line.rstrip() for line in to_table(RESULT).splitlines()]
    assert lines[0] == "Counts"
    assert lines[1].split() == ["period", "state", "count", "when"]
    assert lines[2].split() == ["2026-10", "DRAFT", "3", "2026-10-05T08:30+00:00"]
    assert to_table(ReportResult(("a",), (), "Empty")).splitlines()[-1] == "(no rows)"


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(ChartSpec("line", x="period", y=("count",), series="state"), id="line-series"),
        pytest.param(ChartSpec("bar", x="state", y=("count",)), id="bar"),
        pytest.param(ChartSpec("bar", x="period", y=("count",), series="state", stacked=True), id="stacked"),
        pytest.param(ChartSpec("bar", x="period", y=("count",), y_max=100), id="fixed-axis"),
    ],
)
def test_charts_render_as_svg_and_png(spec: ChartSpec) -> None:
    result = ReportResult(RESULT.columns, RESULT.rows, "Counts", spec)
    svg = chart("counts", result, "svg")
    assert svg.startswith(b"<?xml") and b"Counts" in svg
    assert chart("counts", result, "svg") == svg
    assert chart("counts", result, "png").startswith(b"\x89PNG")


def test_empty_chart_says_no_data() -> None:
    empty = ReportResult(RESULT.columns, (), "Counts", RESULT.chart)
    assert b"no data" in chart("counts", empty, "svg")


def test_chart_errors() -> None:
    with pytest.raises(ValidationFailed, match="it has no chart"):
        render("plain", ReportResult(("a",), ((1,),)), "svg")
    broken = ReportResult(("a",), ((1,),), "x", ChartSpec("bar", x="a", y=("b",)))
    with pytest.raises(ValidationFailed, match="its chart names unknown columns: b"):
        chart("broken", broken)
    with pytest.raises(ValidationFailed, match="unknown format 'xls'"):
        render("x", RESULT, "xls")
