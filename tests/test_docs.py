"""Documentation keeps up with the code: every hook and every CLI command is documented.

The code in docs/plugins.md is the files in docs/examples/plugins/ (which
tests/test_docs_examples.py runs), each shown whole after a link to it.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import click

from ims.cli.main import cli
from ims.hooks import specs

DOCS = Path(__file__).resolve().parents[1] / "docs"
PLUGINS_DOC = DOCS / "plugins.md"
EXAMPLES = DOCS / "examples" / "plugins"
#: A link to an example file, a blank line, then a code block: the file's text.
INCLUDED = re.compile(r"\]\((examples/plugins/[\w.]+\.py)\):\n\n```python\n(.*?)```", re.S)


def hook_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(specs, inspect.isfunction) if hasattr(fn, "ims_spec")]


def test_every_hook_is_documented() -> None:
    text = PLUGINS_DOC.read_text()
    names = hook_names()
    assert names
    for name in names:
        assert f"(plugin-hook-{name})=" in text, f"hook {name} lacks a section in docs/plugins.md"
        section = text.split(f"(plugin-hook-{name})=", 1)[1].split("\n(plugin", 1)[0]
        assert section.startswith(f"\n## `{name}("), f"the heading of {name} is not its signature"
        assert "@hookimpl" in section, f"the section of {name} has no example"


def test_the_plugin_docs_show_the_example_files_as_they_are() -> None:
    text = PLUGINS_DOC.read_text()
    shown = {path: code for path, code in INCLUDED.findall(text)}
    files = {f"examples/plugins/{p.name}": p for p in sorted(EXAMPLES.glob("*.py"))}
    assert files
    assert sorted(shown) == sorted(files), "every example file is shown once, and nothing else"
    for path, file in files.items():
        assert shown[path] == file.read_text(), f"docs/plugins.md shows an old copy of docs/{path}"


def test_signatures_in_the_plugin_docs_match_the_specs() -> None:
    text = PLUGINS_DOC.read_text()
    for name in hook_names():
        params = ", ".join(inspect.signature(getattr(specs, name)).parameters)
        assert f"## `{name}({params})`" in text, f"docs/plugins.md: {name}({params})"


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


def test_reference_workflow_diagram_is_current() -> None:
    from ims.config import load
    from ims.engine.graph import mermaid

    config = load(DOCS.parent / "config" / "ims.yaml", env={})
    text = (DOCS / "reference" / "bouwsubsidie-workflow.md").read_text()
    diagram = mermaid(config.workflow("bouwsubsidie"), language="en", roles=config.roles)
    shown = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown.strip() == diagram.strip(), "regenerate it: ims graph bouwsubsidie --language en"
