"""Documentation keeps up with the code: every hook and every CLI command is documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import click

from ims.cli.main import cli
from ims.hooks import specs

DOCS = Path(__file__).resolve().parents[1] / "docs"


def hook_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(specs, inspect.isfunction) if hasattr(fn, "ims_spec")]


def test_every_hook_is_documented() -> None:
    text = (DOCS / "plugins" / "hooks.md").read_text()
    names = hook_names()
    assert names
    for name in names:
        assert f"(plugin-hook-{name})=" in text, f"hook {name} lacks a section in docs/plugins/hooks.md"


def test_every_hook_has_a_docstring() -> None:
    for name in hook_names():
        assert (getattr(specs, name).__doc__ or "").strip(), name


def _commands(group: click.Group, prefix: str = "ims") -> list[str]:
    out = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        out.append(full)
        if isinstance(command, click.Group):
            out.extend(_commands(command, full))
    return out


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "reference" / "cli.md").read_text()
    for command in _commands(cli):
        assert f"`{command}" in text, f"{command} is not in docs/reference/cli.md"
