"""Read YAML keeping line/column marks, and turn its surprises into issues.

PyYAML alone is too forgiving for configuration files: it keeps the *last* of two
equal keys, reads ``NO`` as ``false`` and ``2024-01-31`` as a date.  This module
parses once into a node graph (which carries marks) and builds the data from it:

- duplicate keys are issues (``duplicate-key``) at the second key;
- only ``true``/``false`` (any case YAML accepts) are booleans; a plain ``yes``,
  ``no``, ``on`` or ``off`` *value* is an issue (``yaml-ambiguous``) and loads as text;
- dates and timestamps load as strings; plain mapping keys are always strings;
- syntax errors are issues (``yaml-syntax``) at the place PyYAML gives up.

:class:`YamlFile` maps an RFC 6901 path (a tuple of keys and indices) back to
``(line, column)`` through the composed nodes, so every later stage (JSON Schema,
semantic checks, pydantic) can say where a problem is.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from ims.errors import ConfigIssue

#: One step of a path into a document: a mapping key or a list index.
PathPart = str | int
#: A path into a document, e.g. ``("states", "DRAFT", "label", "nl")``.
JsonPath = tuple[PathPart, ...]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class MarkedLoader(yaml.SafeLoader):
    """A ``SafeLoader`` for configuration: string keys, string dates, strict booleans.

    Duplicate keys and ambiguous booleans are reported by :func:`parse_yaml`,
    which scans the node graph before constructing it.
    """

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(
                None, None, f"expected a mapping node, but found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key_node, ScalarNode) and not isinstance(key, str):
                key = key_node.value  # JSON keys are strings: `no:` and `1:` stay text
            if not isinstance(key, Hashable):
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found an unhashable key",
                    key_node.start_mark,
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_strict_bool(self, node: ScalarNode) -> bool | str:
        value = str(self.construct_scalar(node))
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value  # yes/no/on/off: text, reported as yaml-ambiguous

    def construct_timestamp_text(self, node: ScalarNode) -> str:
        return str(self.construct_scalar(node))  # 2024-01-31 stays '2024-01-31'


MarkedLoader.add_constructor(_BOOL_TAG, MarkedLoader.construct_strict_bool)
MarkedLoader.add_constructor(_TIMESTAMP_TAG, MarkedLoader.construct_timestamp_text)


def pointer(path: Sequence[PathPart]) -> str:
    """The RFC 6901 JSON pointer of ``path``: ``("a/b", 0)`` -> ``/a~1b/0``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute
    return relative


@dataclass
class YamlFile:
    """A parsed YAML file: its data, its node graph (for marks) and its YAML issues."""

    path: Path
    display: str
    data: Any = None
    node: Node | None = None
    issues: list[ConfigIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The file was read and parsed (it may still hold duplicate keys etc.)."""
        return not any(i.code in ("yaml-syntax", "unreadable-file") for i in self.issues)

    def locate(self, path: Sequence[PathPart]) -> tuple[Node | None, Node | None, bool]:
        """``(key node, value node, complete)`` for ``path``; stops at the deepest node found."""
        key_node: Node | None = None
        node = self.node
        for part in path:
            if isinstance(node, MappingNode):
                # reversed: after merge keys are flattened, a mapping's own keys come last and win
                found = next(
                    (
                        (k, v)
                        for k, v in reversed(node.value)
                        if isinstance(k, ScalarNode) and k.value == str(part)
                    ),
                    None,
                )
                if found is None:
                    return key_node, node, False
                key_node, node = found
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                return key_node, node, False
        return key_node, node, True

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]:
        """1-based ``(line, column)`` of the value at ``path`` (or of its key with ``key``).

        An empty value (``label:`` with nothing after it) points at its key; a path
        that does not exist points at the deepest part that does.
        """
        key_node, node, complete = self.locate(path)
        target = node
        if complete and key_node is not None:
            empty = isinstance(node, ScalarNode) and node.value == "" and node.style is None
            if key or empty:
                target = key_node
        if target is None:
            return 1, 1
        return target.start_mark.line + 1, target.start_mark.column + 1

    def issue(
        self,
        path: Sequence[PathPart],
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        severity: str = "error",
    ) -> ConfigIssue:
        """An issue at ``path`` in this file."""
        line, column = self.position(path, key=key)
        return ConfigIssue(self.display, line, column, code, pointer(path), message, hint, severity)


@dataclass(frozen=True)
class Part:
    """A piece of configuration: its data and where it sits (a whole file or a sub-tree)."""

    file: YamlFile
    base: JsonPath
    data: Any
    #: passed its JSON Schema (semantic checks only read valid parts)
    valid: bool = True

    def issue(
        self,
        path: Sequence[PathPart],
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        severity: str = "error",
    ) -> ConfigIssue:
        """An issue at ``path`` relative to this part."""
        return self.file.issue((*self.base, *path), code, message, hint, key=key, severity=severity)

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]:
        return self.file.position((*self.base, *path), key=key)


def read_yaml(path: str | os.PathLike[str]) -> YamlFile:
    """Read and parse the file at ``path``; problems are in ``.issues``, never raised."""
    file = YamlFile(Path(os.path.abspath(path)), display_path(path))
    try:
        text = file.path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        file.issues.append(
            ConfigIssue(file.display, 1, 1, "unreadable-file", "", f"not UTF-8 text: {exc.reason}")
        )
        return file
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        file.issues.append(ConfigIssue(file.display, 1, 1, "unreadable-file", "", message))
        return file
    return parse_yaml(text, file)


def parse_yaml(text: str, file: YamlFile) -> YamlFile:
    """Parse ``text`` into ``file`` (data, node, issues) and return it."""
    loader: MarkedLoader | None = None
    try:
        loader = MarkedLoader(text)
        node = loader.get_single_node()
        file.node = node
        if node is not None:
            file.issues.extend(_scan(node, (), file, set(), frozenset()))
            file.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        file.issues.append(_syntax_issue(exc, file))
    except ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        file.issues.append(ConfigIssue(file.display, line, column, "yaml-syntax", "", message))
    finally:
        if loader is not None:
            loader.dispose()
    return file


def _syntax_issue(exc: yaml.MarkedYAMLError, file: YamlFile) -> ConfigIssue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context and exc.problem.startswith("but "):
        message = f"{exc.context}, {exc.problem}"  # "expected a single document, but found ..."
    elif exc.problem and exc.context:
        message += f" ({exc.context}"
        if exc.context_mark and exc.context_mark is not mark:
            message += f" at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        message += ")"
    return ConfigIssue(file.display, line, column, "yaml-syntax", "", message)


def _scan(
    node: Node, path: JsonPath, file: YamlFile, seen: set[int], parents: frozenset[int]
) -> Iterator[ConfigIssue]:
    """Duplicate keys, ambiguous booleans and recursive aliases below ``node``.

    Each node is scanned once, however many aliases refer to it.
    """
    if id(node) in parents:
        mark = node.start_mark
        yield ConfigIssue(
            file.display,
            mark.line + 1,
            mark.column + 1,
            "yaml-syntax",
            pointer(path),
            "an alias refers to a node that contains it (recursive data)",
        )
        return
    if id(node) in seen:
        return
    seen.add(id(node))
    parents = parents | {id(node)}
    if isinstance(node, MappingNode):
        first: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            name = key_node.value
            if name in first and key_node.tag != "tag:yaml.org,2002:merge":
                line = first[name].start_mark.line + 1
                mark = key_node.start_mark
                yield ConfigIssue(
                    file.display,
                    mark.line + 1,
                    mark.column + 1,
                    "duplicate-key",
                    pointer((*path, name)),
                    f"duplicate key '{name}' (first at line {line})",
                    "YAML keeps only the last one: remove or rename one of them",
                )
            first.setdefault(name, key_node)
            yield from _scan(value_node, (*path, name), file, seen, parents)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scan(item, (*path, index), file, seen, parents)
    elif (
        isinstance(node, ScalarNode)
        and node.tag == _BOOL_TAG
        and node.style is None
        and node.value.lower() not in ("true", "false")
    ):
        means = "true" if node.value.lower() in ("yes", "on") else "false"
        mark = node.start_mark
        yield ConfigIssue(
            file.display,
            mark.line + 1,
            mark.column + 1,
            "yaml-ambiguous",
            pointer(path),
            f"ambiguous value {node.value}: YAML 1.1 reads it as {means}",
            f"quote it ('{node.value}') if you mean the text, or write {means}",
        )
