"""``ims verify``: the checklist run after a restore (or any time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ims.backup import _checks
from ims.backup._checks import CheckResult, VerifyContext
from ims.backup._selftest import check_selftest
from ims.errors import ImsError

if TYPE_CHECKING:
    from ims.backup._archive import Manifest
    from ims.facade import IMS

__all__ = ["VerifyReport", "run_checks"]

Check = Callable[[VerifyContext], "CheckResult | list[CheckResult]"]

CHECKS: tuple[Check, ...] = (
    _checks.check_database,
    _checks.check_schema,
    _checks.check_constraints,
    _checks.check_manifest,
    _checks.check_blobs,
    _checks.check_audit,
    _checks.check_config,
    _checks.check_applications,
    _checks.check_outbox,
    check_selftest,
    _checks.check_health,
)


@dataclass
class VerifyReport:
    """Every check's result; ``ok`` when none failed."""

    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failures": [c.name for c in self.failures],
            "checks": [c.to_dict() for c in self.checks],
        }


def run_checks(ims: IMS, *, manifest: Manifest | None = None, selftest: bool = True) -> VerifyReport:
    """Run every check; a check that raises is reported as failed with the error, the others still run."""
    ctx = VerifyContext(ims, manifest)
    report = VerifyReport()
    for check in CHECKS:
        if check is check_selftest and not selftest:
            report.checks.append(
                CheckResult(
                    "workflow self-test on a scratch copy", True, "skipped (--no-selftest)", skipped=True
                )
            )
            continue
        try:
            result = check(ctx)
        except (ImsError, OSError, ValueError) as exc:
            name = check.__name__.removeprefix("check_").replace("_", " ")
            result = CheckResult(name, False, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a check must never hide the others; SQLAlchemy errors land here
            name = check.__name__.removeprefix("check_").replace("_", " ")
            result = CheckResult(
                name, False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            )
        report.checks.extend(result if isinstance(result, list) else [result])
    return report
