"""``/reports``: the reports plugins registered, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from litestar import Response, Router, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, PathParameter, QueryParameter

from ims.api.auth import requires_permission
from ims.api.deps import Ims, check_query
from ims.api.errors import error_responses
from ims.api.schemas import ReportInfo, ReportOut
from ims.hooks.protocols import ReportParams


@get("/", responses=error_responses(403), summary="Reports")
async def reports(ims: Ims) -> list[ReportInfo]:
    return [ReportInfo(name, title) for name, title in ims.reports.list()]


ReportName = Annotated[str, PathParameter(max_length=100, description="The report's name (GET /reports)")]


DateFrom = Annotated[
    datetime | None,
    QueryParameter(description="From (inclusive), a time with a time zone: 2026-01-01T00:00:00-03:00"),
]
DateTo = Annotated[
    datetime | None,
    QueryParameter(description="To (exclusive), a time with a time zone: 2026-04-01T00:00:00-03:00"),
]
Filter = Annotated[str | None, QueryParameter(max_length=100)]
Period = Annotated[Literal["week", "month"], QueryParameter(description="The buckets of a report by period")]


def provide_report_params(
    date_from: DateFrom = None,
    date_to: DateTo = None,
    workflow: Filter = None,
    district: Filter = None,
    period: Period = "month",
) -> ReportParams:
    """The query parameters every report route takes (one dependency, so they are declared once).

    A time without a time zone is a 400, like any query parameter that says nothing valid.
    """
    check_query(times={"date_from": date_from, "date_to": date_to})
    return ReportParams(
        date_from=date_from, date_to=date_to, workflow=workflow, district=district, period=period
    )


#: the report's filters from the query, injected by name (``report_params: Filters``)
Filters = NamedDependency[ReportParams]


@get("/{name:str}", sync_to_thread=True, responses=error_responses(403, 404, 422), summary="Run a report")
def run(
    name: ReportName,
    ims: Ims,
    report_params: Filters,
) -> ReportOut:
    """The report's title, columns and rows."""
    result = ims.reports.run(name, report_params)
    return ReportOut(name, result.title, list(result.columns), [list(r) for r in result.rows])


@get(
    "/{name:str}/csv",
    sync_to_thread=True,
    responses=error_responses(403, 404, 422),
    summary="A report as CSV",
    media_type="text/csv",  # Litestar adds "; charset=utf-8"
)
def run_csv(
    name: ReportName,
    ims: Ims,
    report_params: Filters,
) -> Response[str]:
    """The report as a CSV file with a header row."""
    return Response(
        str(ims.reports.render(name, report_params, format="csv")),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{quote(name)}.csv"'},
    )


_CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@get(
    "/{name:str}/chart",
    sync_to_thread=True,
    responses=error_responses(403, 404, 422, 501),
    summary="A report as a chart (SVG or PNG)",
    media_type="image/svg+xml",
)
def run_chart(
    name: ReportName,
    ims: Ims,
    report_params: Filters,
    format: FromQuery[Literal["svg", "png"]] = "svg",
) -> Response[bytes]:
    """The report's chart, rendered with matplotlib (the ``charts`` extra); 422 for a report
    without a chart, 501 ``not-implemented`` when the server lacks matplotlib."""
    body = ims.reports.render(name, report_params, format=format)
    data = body.encode() if isinstance(body, str) else body
    return Response(
        data,
        media_type=_CHART_TYPES[format],
        headers={"Content-Disposition": f'inline; filename="{quote(name)}.{format}"'},
    )


router = Router(
    "/reports",
    route_handlers=[reports, run, run_csv, run_chart],
    dependencies={"report_params": Provide(provide_report_params, sync_to_thread=False)},
    guards=[requires_permission("reports.read", staff_when_undeclared=True)],
    tags=["reports"],
)
