"""``ims backup``, ``ims restore``, ``ims verify``: archives of a deployment, the checks after a restore."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from ims.cli._common import State, handle_errors, pass_state
from ims.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from ims.backup import Progress

P = ParamSpec("P")
R = TypeVar("R")

PASSPHRASE_ENV = "IMS_BACKUP_PASSPHRASE"


def _archive_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """An unusable archive is one line and exit code ARCHIVE_INVALID."""
    from functools import wraps

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from ims.backup import ArchiveError

        try:
            return fn(*args, **kwargs)
        except ArchiveError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(int(ExitCode.ARCHIVE_INVALID))

    return wrapper


class _RichProgress:
    """A rich progress bar on stderr, one task per stage."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._task: Any = None

    def stage(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=self._bar.tasks[-1].total or 0)
        self._task = self._bar.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, n)


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ims.backup import Progress as Silent

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield Silent()
        return
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        yield _RichProgress(bar)  # type: ignore[misc]


def _passphrase(encrypt: bool, key_file: str | None, *, confirm: bool) -> str | None:
    if key_file is not None:
        return None
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not encrypt:
        return None
    if not sys.stdin.isatty():
        raise click.UsageError(
            f"set {PASSPHRASE_ENV} or give --key-file (no terminal to ask for a passphrase)"
        )
    return str(click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True))


_key_file = click.option(
    "--key-file",
    type=click.Path(dir_okay=False, exists=True),
    help="Encrypt/decrypt with this key file (at least 32 random bytes) instead of a passphrase.",
)
_quiet = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--label", "-l", help="A label stored in the manifest (e.g. 'nightly').")
@click.option(
    "--encrypt",
    is_flag=True,
    help=f"Encrypt with a passphrase (from ${PASSPHRASE_ENV}, else asked on the terminal).",
)
@_key_file
@click.option(
    "--compress-level",
    type=click.IntRange(1, 9),
    default=1,  # ims.backup.DEFAULT_LEVEL, not imported here: the CLI starts without ims.backup
    show_default=True,
    help="gzip level: 1 is fastest, 9 smallest.",
)
@_quiet
@pass_state
@handle_errors
@_archive_errors
def backup(
    state: State,
    file: str,
    label: str | None,
    encrypt: bool,
    key_file: str | None,
    compress_level: int,
    quiet: bool,
) -> None:
    """Write every table, the document blobs and the configuration to the archive FILE.

    The database is read inside one snapshot, so a backup taken while ims is in use
    is a coherent state.  FILE appears only once it is complete.
    """
    passphrase = _passphrase(encrypt, key_file, confirm=True) if (encrypt or key_file) else None
    with state.ims() as ims, _progress(quiet) as progress:
        manifest = ims.backup.create(
            file,
            label=label,
            passphrase=passphrase,
            key_file=key_file,
            progress=progress,
            compress_level=compress_level,
        )
    tables = sum(1 for t in manifest.tables.values() if t.rows)
    click.echo(
        f"backup written to {file}: {manifest.total_rows} rows in {tables} tables, "
        f"{len(manifest.blobs)} document blobs, {len(manifest.config)} configuration files, "
        f"schema {manifest.schema_revision}{', encrypted' if manifest.encrypted else ''}"
    )
    if manifest.missing_blobs:
        click.echo(
            f"warning: {len(manifest.missing_blobs)} document blobs named by the database were not in the "
            "document store and are not in the archive (ims verify lists them)",
            err=True,
        )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--replace", is_flag=True, help="Replace a database that already holds data (atomically).")
@click.option(
    "--config-to",
    "config_dir",
    type=click.Path(file_okay=False),
    help="Also write the archived YAML configuration into this folder.",
)
@_key_file
@_quiet
@pass_state
@handle_errors
@_archive_errors
def restore(
    state: State, file: str, replace: bool, config_dir: str | None, key_file: str | None, quiet: bool
) -> None:
    """Restore the archive FILE into the configured database (empty, or --replace).

    The whole archive is checked first; nothing is written if it is damaged, truncated,
    encrypted with another passphrase or does not match its manifest.  The schema is
    created at the archive's revision and upgraded to the current one.  Works across
    engines: a SQLite backup restores into PostgreSQL and back.
    """
    from ims import backup as backup_api

    passphrase = None
    if key_file is None and backup_api.is_encrypted(file):
        passphrase = _passphrase(True, None, confirm=False)
    with _progress(quiet) as progress:
        result = backup_api.restore(
            file,
            config=state.config_path,
            database_url=state.database_url,
            replace=replace,
            passphrase=passphrase,
            key_file=key_file,
            config_dir=config_dir,
            progress=progress,
        )
    upgraded = (
        f", upgraded {result.from_revision} -> {result.to_revision}"
        if result.from_revision != result.to_revision
        else ""
    )
    click.echo(
        f"restored {result.rows} rows and {result.blobs} document blobs from {file} "
        f"(taken {result.manifest.created_at}{upgraded})"
        + ("; the old contents were replaced" if result.replaced else "")
    )
    click.echo("next: run `ims verify --archive FILE` to check the result")


@click.command()
@click.option(
    "--archive",
    type=click.Path(dir_okay=False, exists=True),
    help="Compare row counts, checksums, blobs and audit head with this archive's manifest.",
)
@click.option(
    "--manifest",
    "manifest_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Compare with a manifest.json extracted from an archive.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-selftest", is_flag=True, help="Skip the workflow self-test on a scratch copy.")
@_key_file
@pass_state
@handle_errors
@_archive_errors
def verify(
    state: State,
    archive: str | None,
    manifest_file: str | None,
    fmt: str,
    no_selftest: bool,
    key_file: str | None,
) -> None:
    """Check that the deployment is whole: the checklist to run after a restore.

    Schema, constraints (tried and rolled back), rows and checksums against the
    archive, document blobs, audit chain, configuration, application states and
    tasks, the notification outbox, a workflow self-test, health.  Exits non-zero,
    naming the failed checks, when any fails.
    """
    from pathlib import Path

    from ims import backup as backup_api

    manifest = None
    if archive is not None:
        passphrase = None
        if key_file is None and backup_api.is_encrypted(archive):
            passphrase = _passphrase(True, None, confirm=False)
        manifest = backup_api.read_manifest(archive, passphrase=passphrase, key_file=key_file)
    elif manifest_file is not None:
        manifest = backup_api.Manifest.from_json(Path(manifest_file).read_bytes())
    with state.ims() as ims:
        report = ims.backup.verify(manifest=manifest, selftest=not no_selftest)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print_checklist(report)
    if not report.ok:
        if fmt != "json":
            click.echo(f"error: verification failed: {', '.join(c.name for c in report.failures)}", err=True)
        sys.exit(int(ExitCode.VERIFY_FAILED))


def _print_checklist(report: Any) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(width=200, highlight=False)
    for check in report.checks:
        mark = "[yellow]-[/]" if check.skipped else ("[green]✔[/]" if check.ok else "[red]✘[/]")
        console.print(f"{mark} {escape(check.name)}: {escape(check.detail)}")
    if report.ok:
        console.print(f"all {len(report.checks)} checks passed")
