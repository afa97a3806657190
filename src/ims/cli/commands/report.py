"""``ims report``: list the registered reports and run one (table, JSON, CSV, SVG or PNG chart)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from ims.cli._common import State, echo_table, handle_errors, pass_state

FORMATS = ("table", "json", "csv", "svg", "png")


class _ReportGroup(click.Group):
    """``ims report NAME ...`` runs a report: a first word that is no subcommand means ``run``."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=_ReportGroup)
def report() -> None:
    """Reports: `ims report NAME [options]` runs one; `ims report list` lists them."""


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
@click.option("--from", "date_from", metavar="DATE", help="From this day (inclusive) or ISO time.")
@click.option("--to", "date_to", metavar="DATE", help="Up to and including this day, or before an ISO time.")
@click.option("--workflow", default=None, help="Only this workflow.")
@click.option("--district", default=None, help="Only applications in this district (reference code).")
@click.option(
    "--period",
    type=click.Choice(["week", "month"]),
    default="month",
    show_default=True,
    help="Bucket of the per-period reports.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file (charts default to NAME.svg / NAME.png in the current folder).",
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
    period: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Run the report NAME (also: `ims report NAME`).

    A day given to --from or --to is a whole day in the configured time zone
    (settings.timezone): --from 2026-01-01 --to 2026-03-31 is the first quarter.
    """
    from zoneinfo import ZoneInfo

    from ims.hooks.protocols import ReportParams
    from ims.reports.render import CHART_FORMATS, render

    with state.ims() as ims:
        zone = ZoneInfo(ims.config.settings.timezone)
        start = _moment(date_from, zone, "--from", end_of_day=False)
        end = _moment(date_to, zone, "--to", end_of_day=True)
        if start is not None and end is not None and start > end:
            raise click.BadParameter(
                f"{date_to!r} ends before --from {date_from!r} starts", param_hint="--to"
            )
        params = ReportParams(
            date_from=start,
            date_to=end,
            workflow=workflow,
            district=district,
            period=period,  # type: ignore[arg-type]  # click.Choice checked it
        )
        result = ims.reports.run(name, params)
    if fmt in CHART_FORMATS and result.chart is None:
        raise click.UsageError(f"report '{name}' has no chart: use --format table, json or csv")
    rendered = render(name, result, fmt)  # no matplotlib: MissingExtra, one line from handle_errors
    if isinstance(rendered, bytes):
        target = output or Path(f"{name}.{fmt}")
        target.write_bytes(rendered)
        click.echo(f"wrote {target}")
    elif output is not None:
        output.write_text(rendered, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        sys.stdout.write(rendered)


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
