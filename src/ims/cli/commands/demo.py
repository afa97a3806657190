"""``ims demo``: the reference workflow end to end on the embedded SQLite default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ims.cli._common import State, handle_errors, pass_state

if TYPE_CHECKING:
    from ims.facade import IMS


@click.command()
@click.option(
    "--keep",
    is_flag=True,
    help="Keep the demo database from the last run instead of starting fresh.",
)
@pass_state
@handle_errors
def demo(state: State, keep: bool) -> None:
    """Seed users, walk applications to CLOSURE, REJECTED and through ON_HOLD, print a summary.

    Uses a fresh SQLite file ``demo.db`` in the configuration's data directory
    unless ``--database-url`` names another database.
    """
    from ims.demo import Demo
    from ims.facade import IMS, load_everything

    url = state.database_url
    if url is None:
        cfg, _, _ = load_everything(state.config_path)
        path = Path(cfg.settings.data_dir) / "demo.db"
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        click.echo(f"demo database: {path}")
    with IMS.from_config(state.config_path, database_url=url, auto_upgrade=True) as ims:
        Demo(ims, click.echo).run()
        _show_reports(ims, Path(ims.config.settings.data_dir), url)


def _show_reports(ims: IMS, data_dir: Path, url: str) -> None:
    """The demo's history as a report table and a chart, and how to look further."""
    click.echo("\nReports")
    click.echo(str(ims.reports.render("time_in_state", format="table")).rstrip())
    chart = data_dir / "demo-time-in-state.svg"
    try:
        svg = ims.reports.render("time_in_state", format="svg")
        chart.write_bytes(svg.encode() if isinstance(svg, str) else svg)
        click.echo(f"  chart: {chart}")
    except ImportError as exc:  # matplotlib is the optional `charts` extra
        click.echo(f"  no chart: {exc}")
    click.echo(f"  more: IMS_DATABASE_URL={url} ims report list")
    click.echo(
        f"  over HTTP, with the demo's users: IMS_DATABASE_URL={url} ims serve"
        f"  (a token: IMS_DATABASE_URL={url} ims users token fenna)"
    )
