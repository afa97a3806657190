"""The ``ims`` command."""

from __future__ import annotations

import click

from ims.cli._common import State
from ims.cli.commands import (
    apps,
    audit,
    config,
    db,
    demo,
    documents,
    notifications,
    plugins,
    reference,
    report,
    users,
    worker,
)


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
    worker.worker,
):
    cli.add_command(command)


def main() -> None:
    cli()
