"""Shared CLI plumbing: the ``--config`` option, building an IMS, turning errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from ims import errors
from ims.cli.exit_codes import ExitCode

if TYPE_CHECKING:
    from ims.facade import IMS

P = ParamSpec("P")
R = TypeVar("R")

_CODES: list[tuple[type[errors.ImsError], ExitCode]] = [
    (errors.ConfigError, ExitCode.CONFIG_INVALID),
    (errors.TransitionRefused, ExitCode.REFUSED),
    (errors.ValidationFailed, ExitCode.REFUSED),
    (errors.NotFound, ExitCode.NOT_FOUND),
    (errors.Conflict, ExitCode.CONFLICT),
    (errors.PermissionDenied, ExitCode.PERMISSION_DENIED),
    (errors.StoreError, ExitCode.STORE_ERROR),
]


def exit_code_for(exc: errors.ImsError) -> ExitCode:
    for cls, code in _CODES:
        if isinstance(exc, cls):
            return code
    return ExitCode.ERROR


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print an :class:`ims.errors.ImsError` as a message (never a traceback) and exit."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except errors.ImsError as exc:
            click.echo(f"error: {exc}" if not isinstance(exc, errors.ConfigError) else str(exc), err=True)
            sys.exit(int(exit_code_for(exc)))

    return wrapper


class State:
    """What the root group passes to every command."""

    def __init__(self, config_path: str | None, database_url: str | None) -> None:
        self.config_path = config_path
        self.database_url = database_url

    @contextmanager
    def ims(self, **kwargs: Any) -> Iterator[IMS]:
        from ims.facade import IMS

        with IMS.from_config(self.config_path, database_url=self.database_url, **kwargs) as ims:
            yield ims


pass_state = click.make_pass_decorator(State)


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A rich table on stdout (plain text when not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, box=None, pad_edge=False)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    Console(width=200).print(table)
