"""``ims check``, ``ims schema export``, ``ims graph``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ims.cli._common import State, handle_errors, pass_state
from ims.cli.exit_codes import ExitCode
from ims.errors import ConfigError


@click.command()
@click.argument("path", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_state
def check(state: State, path: str | None, fmt: str) -> None:
    """Validate a configuration (root file or a single workflow file).

    Prints every problem as ``file:line:col: error[code]: /pointer: message``
    and exits 1; on a good configuration prints a short summary.
    """
    from ims import config as config_mod
    from ims.facade import load_everything
    from ims.hooks.manager import PluginLoadError

    target = path or state.config_path
    try:
        if target and config_mod.is_workflow_file(target):
            summary = config_mod.summary_of_workflow(config_mod.load_workflow_file(target))
        else:
            cfg, _, _ = load_everything(target)
            summary = config_mod.summary(cfg)
    except ConfigError as exc:
        if fmt == "json":
            click.echo(json.dumps({"ok": False, "issues": [i.as_dict() for i in exc.issues]}, indent=2))
        else:
            click.echo(str(exc), err=False)
        raise SystemExit(int(ExitCode.CONFIG_INVALID)) from None
    except PluginLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(int(ExitCode.ERROR)) from None
    if fmt == "json":
        click.echo(json.dumps({"ok": True, "summary": summary}, indent=2))
    else:
        click.echo(f"ok: {summary}")


@click.group()
def schema() -> None:
    """The JSON Schemas of the configuration files."""


@schema.command("export")
@click.argument("directory", type=click.Path(file_okay=False))
def schema_export(directory: str) -> None:
    """Write the JSON Schemas to DIRECTORY (for editors and the YAML language server)."""
    from ims import config as config_mod

    for written in config_mod.export_schemas(Path(directory)):
        click.echo(str(written))


@click.command()
@click.argument("workflow")
@click.option("--language", default=None, help="Label language (default: the configuration's).")
@pass_state
@handle_errors
def graph(state: State, workflow: str, language: str | None) -> None:
    """Print WORKFLOW (a name, or a workflow file) as a Mermaid state diagram."""
    from ims import config as config_mod
    from ims.engine.graph import mermaid
    from ims.facade import load_everything

    if Path(workflow).is_file():
        wf = config_mod.load_workflow_file(workflow)
        click.echo(mermaid(wf, language=language or "en"))
        return
    cfg, _, _ = load_everything(state.config_path)
    click.echo(mermaid(cfg.workflow(workflow), language=language or cfg.settings.language, roles=cfg.roles))
