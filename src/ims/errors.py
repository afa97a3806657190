"""Errors ims raises to its callers.

The tree::

    ImsError
    ├── ConfigError        (.issues: list[ConfigIssue], all problems at once)
    ├── RuleError          (a rule that cannot be evaluated, e.g. an unknown predicate)
    ├── TransitionRefused  (.reasons: list[str], the failed gates as sentences)
    ├── ValidationFailed   (.problems: list[str], bad data for an application or step)
    │   ├── TooLarge           (an upload over its size limit)
    │   └── UnsupportedType    (an upload whose type is not accepted or cannot be told)
    ├── NotFound
    ├── Conflict           (a concurrent edit won: optimistic version check failed)
    ├── PermissionDenied
    ├── StoreError         (the database failed; wraps the SQLAlchemy error)
    └── MissingExtra       (an optional extra is not installed; also an ImportError)

Boundaries convert these: the CLI to a message and an exit code, the HTTP API to
problem details.  Nothing inside ims catches ``ImsError`` to hide it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file, in the form editors parse.

    ``file:line:col: error[code]: /json/pointer: message`` followed by an
    optional ``  hint: ...`` line.
    """

    file: str
    line: int
    column: int
    code: str
    pointer: str
    message: str
    hint: str | None = None
    severity: str = "error"

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.severity}[{self.code}]: {self.pointer or '/'}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "pointer": self.pointer,
            "message": self.message,
            "hint": self.hint,
        }


class ImsError(Exception):
    """Base of every error ims raises on purpose."""

    code = "ims-error"


class ConfigError(ImsError):
    """The configuration is invalid; ``issues`` lists every problem found."""

    code = "config-invalid"

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = issues
        files = len({i.file for i in issues})
        errors = sum(1 for i in issues if i.severity == "error")
        summary = f"{errors} error{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        super().__init__("\n".join([*(i.format() for i in issues), summary]))


class RuleError(ImsError):
    """A rule could not be evaluated (unknown predicate, bad argument)."""

    code = "rule-error"


class TransitionRefused(ImsError):
    """The engine refused an action; ``reasons`` are sentences a clerk can read."""

    code = "transition-refused"

    def __init__(self, action: str, state: str, reasons: list[str]) -> None:
        self.action = action
        self.state = state
        self.reasons = reasons
        lines = "\n".join(f"  - {r}" for r in reasons)
        super().__init__(f"'{action}' is not allowed in state {state}:\n{lines}")


class ValidationFailed(ImsError):
    """Data for an application or a step does not match its schema."""

    code = "validation-failed"

    def __init__(self, what: str, problems: list[str]) -> None:
        self.what = what
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{what} is not valid:\n{lines}")


class TooLarge(ValidationFailed):
    """An upload is larger than its limit (HTTP 413)."""

    code = "too-large"


class UnsupportedType(ValidationFailed):
    """An upload's type, sniffed from its content, is not accepted or cannot be told (HTTP 415)."""

    code = "unsupported-type"


class NotFound(ImsError):
    """The thing asked for does not exist (or the caller may not see it)."""

    code = "not-found"


class Conflict(ImsError):
    """Someone else changed the record first; reload and try again."""

    code = "conflict"


class PermissionDenied(ImsError):
    """The actor's roles do not allow this."""

    code = "permission-denied"


class StoreError(ImsError):
    """The database failed; the original error is the ``__cause__``."""

    code = "store-error"


class MissingExtra(ImsError, ImportError):
    """An optional feature needs an extra that is not installed (``pip install 'ims[charts]'``).

    Also an :class:`ImportError`, so code that caught the import failure still does.
    """

    code = "not-implemented"

    def __init__(self, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(f"{feature} need {package}: pip install 'ims[{extra}]'")
