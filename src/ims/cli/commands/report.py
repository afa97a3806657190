"""``ims report``: list the registered reports and run one."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state

if TYPE_CHECKING:
    from ims.hooks.protocols import ReportResult


@click.group()
def report() -> None:
    """Reports registered by plugins (built in: applications_by_state)."""


@report.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_state
@handle_errors
def list_reports(state: State, fmt: str) -> None:
    """List the reports: name and title."""
    with state.ims() as ims:
        reports = ims.reports.list()
    if fmt == "json":
        click.echo(json.dumps([{"name": n, "title": t} for n, t in reports], indent=2))
    else:
        echo_table([{"name": n, "title": t} for n, t in reports], ["name", "title"])


@report.command("run")
@click.argument("name")
@click.option("--from", "date_from", metavar="DATE", help="Created on or after this day (or ISO time).")
@click.option(
    "--to", "date_to", metavar="DATE", help="Created on or before this day (or before an ISO time)."
)
@click.option("--workflow", default=None, help="Only this workflow.")
@click.option("--district", default=None, help="Only applicants in this district (reference code).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@pass_state
@handle_errors
def run_report(
    state: State,
    name: str,
    date_from: str | None,
    date_to: str | None,
    workflow: str | None,
    district: str | None,
    fmt: str,
) -> None:
    """Run the report NAME.

    A day given to --from or --to is a whole day in the configured time zone
    (settings.timezone): --from 2026-01-01 --to 2026-03-31 is the first quarter.
    """
    from zoneinfo import ZoneInfo

    from ims.hooks.protocols import ReportParams

    with state.ims() as ims:
        zone = ZoneInfo(ims.config.settings.timezone)
        params = ReportParams(
            date_from=_moment(date_from, zone, "--from", end_of_day=False),
            date_to=_moment(date_to, zone, "--to", end_of_day=True),
            workflow=workflow,
            district=district,
        )
        result = ims.reports.run(name, params)
    _print(name, result, fmt)


def _moment(value: str | None, zone: Any, option: str, *, end_of_day: bool) -> datetime | None:
    """A day (local midnight; the next one for ``--to``) or an ISO time (local when it has no zone)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end_of_day else 0)
            return datetime.combine(day, time(), zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or an ISO time", param_hint=option
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _print(name: str, result: ReportResult, fmt: str) -> None:
    if fmt == "json":
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        out = {"report": name, "title": result.title, "columns": list(result.columns), "rows": rows}
        click.echo(json.dumps(out, indent=2, default=str, ensure_ascii=False))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        click.echo(result.title)
        echo_table([dict(zip(result.columns, row, strict=True)) for row in result.rows], list(result.columns))
