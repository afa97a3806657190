"""The ``ims`` command."""

from __future__ import annotations

import os
import sys

import click

from ims.cli._common import State
from ims.cli.commands import (
    apps,
    audit,
    backup,
    config,
    db,
    demo,
    documents,
    health,
    notifications,
    plugins,
    reference,
    report,
    serve,
    sla,
    tasks,
    users,
    worker,
)
from ims.cli.exit_codes import ExitCode


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "-c",
    "config_path",
    envvar="IMS_CONFIG",
    metavar="PATH",
    help="Root configuration file (default: $IMS_CONFIG, then ./config/ims.yaml).",
)
@click.option(
    "--database-url",
    envvar="IMS_DATABASE_URL",
    metavar="URL",
    help="Override the database URL of the configuration (also $IMS_DATABASE_URL).",
)
@click.version_option(package_name="ims")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, database_url: str | None) -> None:
    """ims: application and case workflows declared in YAML."""
    ctx.obj = State(config_path, database_url)


for command in (
    config.check,
    config.schema,
    config.graph,
    db.db,
    users.users,
    audit.audit,
    apps.app,
    documents.documents,
    demo.demo,
    plugins.plugins,
    report.report,
    reference.reference,
    notifications.notifications,
    tasks.tasks,
    sla.sla,
    worker.worker,
    backup.backup,
    backup.restore,
    backup.verify,
    serve.serve,
    health.health,
):
    cli.add_command(command)


def main() -> None:
    """Run the CLI; an unexpected exception is one line (``IMS_DEBUG=1`` shows the traceback)."""
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:
        if os.environ.get("IMS_DEBUG") == "1":
            raise
        click.echo(
            f"error: unexpected {type(exc).__name__}: {exc}\n"
            "  this is a bug in ims or a plugin; run again with IMS_DEBUG=1 for the traceback",
            err=True,
        )
        sys.exit(int(ExitCode.ERROR))
